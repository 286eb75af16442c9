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

constexpr int ReservedSlots = 5; // for the steps after this one: LLM, DB write(s), loop_wait, respond

int slotsLeft(const RequestTrace &trace)
{
    return RequestRecord::MaxSpans - int(trace.record().spanCount) - ReservedSlots;
}

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
    qint64 left = cpuNs;
    quint32 switches = 0;
    // A record has few span slots, and under contention a thread takes the lock every 5 ms. Once
    // slots run short, the rest of the step is kept as two sums: the time spent waiting for the
    // lock (one GilWait span, open while it runs so the live view shows the wait) and the CPU time
    // (one CpuWork span after it, up to the end). Their durations are the true totals; only the
    // order within that stretch is simplified (the real slices alternate). `count` on the GilWait
    // span holds the number of hand-overs.
    int summed = -1;
    qint64 waitSumNs = 0;
    while (left > 0) {
        if (summed < 0 && slotsLeft(trace) <= 2) {
            summed = trace.beginSpan(Phase::GilWait);
            if (summed < 0)
                summed = RequestRecord::MaxSpans; // no slot at all: sum without tracing
        }
        if (!gil->tryAcquire()) {
            const qint64 t0 = TraceClock::nowNs();
            const int wait = summed < 0 ? trace.beginSpan(Phase::GilWait) : -1;
            gil->acquire();
            if (wait >= 0)
                trace.endSpan(wait);
            waitSumNs += TraceClock::nowNs() - t0;
        }
        const int span = summed < 0 ? trace.beginSpan(Phase::CpuWork) : -1;
        SwitchCheck check { gil, TraceClock::nowNs() };
        left -= hashFor(left, &switchDue, &check, &digest);
        gil->release();
        if (left > 0)
            ++switches;
        if (span >= 0)
            trace.endSpan(span);
        if (summed < 0)
            waitSumNs = 0; // only the summed stretch counts
    }
    if (summed >= 0 && summed < RequestRecord::MaxSpans) {
        const qint64 endNs = TraceClock::nowNs();
        TraceSpan &wait = trace.record().spans[size_t(summed)];
        const qint64 midNs = std::min(endNs, wait.startNs + waitSumNs);
        wait.endNs = midNs;
        wait.count = std::max<quint32>(1, switches);
        trace.addSpan(Phase::CpuWork, midNs, endNs, wait.thread);
    }
}

} // namespace CpuWork
