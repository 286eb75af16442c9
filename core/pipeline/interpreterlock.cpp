#include "interpreterlock.h"

bool InterpreterLock::tryAcquire()
{
    std::lock_guard lock(m_mutex);
    if (m_held || m_waiting.load(std::memory_order_relaxed) > 0)
        return false;
    m_held = true;
    return true;
}

void InterpreterLock::acquire()
{
    std::unique_lock lock(m_mutex);
    const quint64 ticket = m_nextTicket++;
    m_waiting.fetch_add(1, std::memory_order_relaxed);
    m_turn.wait(lock, [&] { return !m_held && m_serving == ticket; });
    ++m_serving;
    m_waiting.fetch_sub(1, std::memory_order_relaxed);
    m_held = true;
}

void InterpreterLock::release()
{
    {
        std::lock_guard lock(m_mutex);
        m_held = false;
    }
    m_turn.notify_all();
}
