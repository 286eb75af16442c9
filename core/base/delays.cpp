#include "delays.h"

#include "base/readystamp.h"
#include "base/traceclock.h"

#include <QTimer>
#include <qcoro/qcorotimer.h>
#include <thread>

namespace Delays {

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
    if (remaining <= 0) {
        ReadyStamp::set(deadlineNs); // due already (a late caller): ready since its due time
        co_return; // zero delay: no trip through the event loop
    }
    QTimer timer;
    timer.setTimerType(Qt::PreciseTimer); // the default coarse timer may be 5 % late
    timer.setSingleShot(true);
    timer.start(std::chrono::milliseconds((remaining + 500'000) / 1'000'000));
    co_await timer;
    ReadyStamp::set(deadlineNs); // the wait was over at its due time, however late we resumed
}

QCoro::Task<> sleepFor(qint64 durationNs)
{
    return sleepUntil(TraceClock::nowNs() + durationNs);
}

} // namespace Delays
