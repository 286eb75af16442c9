#include "delays.h"

#include "base/readystamp.h"
#include "base/traceclock.h"

#include <QTimer>
#include <coroutine>
#include <thread>
#include <unordered_set>

namespace Delays {

namespace {

// The sleeps of this thread now suspended, for wakeSleepersForStop().
struct Sleeper;
thread_local std::unordered_set<Sleeper *> t_sleepers;
thread_local bool t_stopping = false;

// Awaits `timer` (started), or the thread's stop, whichever comes first.
struct Sleeper
{
    QTimer &timer;
    std::coroutine_handle<> waiting {};

    bool await_ready() const noexcept { return t_stopping; }
    void await_suspend(std::coroutine_handle<> h)
    {
        waiting = h;
        t_sleepers.insert(this);
        QObject::connect(&timer, &QTimer::timeout, &timer, [this] { wake(); });
    }
    void await_resume() const noexcept { }
    void wake()
    {
        timer.stop();
        if (t_sleepers.erase(this) > 0)
            waiting.resume();
    }
};

} // namespace

void wakeSleepersForStop()
{
    t_stopping = true;
    while (!t_sleepers.empty())
        (*t_sleepers.begin())->wake();
}

void blockUntil(qint64 deadlineNs)
{
    const qint64 remaining = deadlineNs - TraceClock::nowNs();
    if (remaining > 0)
        std::this_thread::sleep_for(std::chrono::nanoseconds(remaining));
}

void blockFor(qint64 durationNs)
{
    blockUntil(TraceClock::nowNs() + durationNs);
}

QCoro::Task<> sleepUntil(qint64 deadlineNs)
{
    const qint64 remaining = deadlineNs - TraceClock::nowNs();
    if (remaining <= 0 || t_stopping) {
        ReadyStamp::set(deadlineNs); // due already (a late caller): ready since its due time
        co_return; // zero delay (or the loop is ending): no trip through the event loop
    }
    QTimer timer;
    timer.setTimerType(Qt::PreciseTimer); // the default coarse timer may be 5 % late
    timer.setSingleShot(true);
    timer.start(std::chrono::milliseconds((remaining + 500'000) / 1'000'000));
    co_await Sleeper { timer };
    ReadyStamp::set(deadlineNs); // the wait was over at its due time, however late we resumed
}

QCoro::Task<> sleepFor(qint64 durationNs)
{
    return sleepUntil(TraceClock::nowNs() + durationNs);
}

} // namespace Delays
