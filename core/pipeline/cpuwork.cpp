#include "cpuwork.h"

#include "base/traceclock.h"
#include "pipeline/interpreterlock.h"
#include "pipeline/requesttrace.h"

#include <algorithm>
#include <array>
#include <ctime>

namespace CpuWork {

qint64 threadCpuNs()
{
    timespec ts {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return qint64(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

qint64 hashFor(qint64 cpuNs, bool (*stop)(void *), void *stopContext, quint64 *digest)
{
    // FNV-1a over a 16 KiB buffer that changes with every pass (so each pass is new work).
    static thread_local std::array<quint64, 2048> buffer = [] {
        std::array<quint64, 2048> b {};
        for (size_t i = 0; i < b.size(); ++i)
            b[i] = i * 0x9e3779b97f4a7c15ULL;
        return b;
    }();
    const qint64 start = threadCpuNs();
    quint64 h = digest ? *digest : 0xcbf29ce484222325ULL;
    qint64 used = 0;
    while (used < cpuNs) {
        for (quint64 &word : buffer) {
            h = (h ^ word) * 0x100000001b3ULL;
            word += h;
        }
        used = threadCpuNs() - start;
        if (stop && stop(stopContext))
            break;
    }
    if (digest)
        *digest = h;
    return used;
}

namespace {

struct SwitchCheck
{
    InterpreterLock *gil;
    qint64 heldSinceNs;
};

bool switchDue(void *context)
{
    // CPython's eval loop: after the switch interval, a waiting thread asks the holder to drop.
    const auto *c = static_cast<SwitchCheck *>(context);
    return c->gil->othersWaiting()
        && TraceClock::nowNs() - c->heldSinceNs >= InterpreterLock::SwitchIntervalNs;
}

} // namespace

void run(qint64 cpuNs, RequestTrace &trace, InterpreterLock *gil)
{
    quint64 digest = 0;
    if (!gil) {
        SpanScope span(trace, Phase::CpuWork);
        hashFor(cpuNs, nullptr, nullptr, &digest);
        return;
    }
    // One CpuWork span for the whole step; who held the lock when, and who waited, is the lock's
    // own track (InterpreterLock -> LockTrack), from which every view draws the turns. The span's
    // count is the number of turns this thread took at the lock.
    SpanScope span(trace, Phase::CpuWork);
    qint64 left = cpuNs;
    quint32 switches = 0;
    while (left > 0) {
        if (!gil->tryAcquire())
            gil->acquire();
        SwitchCheck check { gil, TraceClock::nowNs() };
        left -= hashFor(left, &switchDue, &check, &digest);
        gil->release();
        if (left > 0)
            ++switches;
    }
    span.setCount(switches + 1);
}

} // namespace CpuWork
