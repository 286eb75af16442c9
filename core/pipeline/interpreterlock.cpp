#include "interpreterlock.h"

#include "base/threadregistry.h"
#include "base/traceclock.h"
#include "trace/locktrack.h"

bool InterpreterLock::tryAcquire()
{
    std::lock_guard lock(m_mutex);
    if (m_held || m_waiting.load(std::memory_order_relaxed) > 0)
        return false;
    m_held = true;
    if (m_track) {
        const qint64 now = TraceClock::nowNs();
        m_holderTurn = m_track->ask(ThreadRegistry::currentIndex(), now);
        m_track->start(m_holderTurn, now);
    }
    return true;
}

void InterpreterLock::acquire()
{
    std::unique_lock lock(m_mutex);
    const quint64 ticket = m_nextTicket++;
    const quint64 turn = m_track ? m_track->ask(ThreadRegistry::currentIndex(), TraceClock::nowNs()) : 0;
    m_waiting.fetch_add(1, std::memory_order_relaxed);
    m_turn.wait(lock, [&] { return !m_held && m_serving == ticket; });
    ++m_serving;
    m_waiting.fetch_sub(1, std::memory_order_relaxed);
    m_held = true;
    if (m_track) {
        m_track->start(turn, TraceClock::nowNs());
        m_holderTurn = turn;
    }
}

void InterpreterLock::release()
{
    {
        std::lock_guard lock(m_mutex);
        m_held = false;
        if (m_track)
            m_track->end(m_holderTurn, TraceClock::nowNs());
    }
    m_turn.notify_all();
}
