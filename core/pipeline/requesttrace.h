#pragma once

#include "base/threadregistry.h"
#include "base/traceclock.h"
#include "trace/requestrecord.h"
#include "trace/tracerecorder.h"

// The live RequestRecord of one request, as the pipeline fills it in. Every change is
// published to the recorder at once, so the timeline shows a request while it runs.
// Used by one thread at a time (the request hops loop -> pool -> loop through queued calls).
class RequestTrace
{
public:
    RequestTrace(TraceRecorder *recorder, const RequestRecord &initial)
        : m_recorder(recorder)
        , m_record(initial)
    {
        m_seq = m_recorder->begin(m_record);
    }

    RequestRecord &record() { return m_record; }
    const RequestRecord &record() const { return m_record; }

    int beginSpan(Phase phase, quint8 index = 0)
    {
        const int slot
            = m_record.beginSpan(phase, TraceClock::nowNs(), ThreadRegistry::currentIndex(), index);
        publish();
        return slot;
    }
    void endSpan(int slot, quint32 count = 1)
    {
        m_record.endSpan(slot, TraceClock::nowNs());
        if (slot >= 0)
            m_record.spans[size_t(slot)].count = count;
        publish();
    }
    // Lateness below this stays in the awaited phase: a millisecond timer's own rounding, not a
    // busy loop.
    static constexpr qint64 LoopWaitMinNs = 1'000'000;

    // Ends `slot` at `readyNs`, the moment its awaited thing was ready (base/readystamp.h), and
    // books the time from then until now as loop_wait on this thread: the coroutine was runnable
    // but the loop was busy. A stamp outside the span (unknown, stale, or not yet due) ends it now.
    void endSpanReady(int slot, qint64 readyNs, quint32 count = 1)
    {
        if (slot < 0 || slot >= m_record.spanCount) {
            endSpan(slot, count);
            return;
        }
        const qint64 now = TraceClock::nowNs();
        TraceSpan &span = m_record.spans[size_t(slot)];
        const bool late = isLate(span, readyNs, now);
        span.endNs = late ? readyNs : now;
        span.count = count;
        if (late)
            m_record.endSpan(m_record.beginSpan(Phase::LoopWait, readyNs, span.thread), now);
        publish();
    }
    // The step goes on after this wait: when there was loop_wait, endSpanReady and the same phase
    // again from now. Returns the slot now open.
    int resumeSpanReady(int slot, qint64 readyNs)
    {
        if (slot < 0 || slot >= m_record.spanCount || !isLate(m_record.spans[size_t(slot)], readyNs))
            return slot;
        const TraceSpan span = m_record.spans[size_t(slot)];
        endSpanReady(slot, readyNs, span.count);
        return beginSpan(span.phase, span.index);
    }
    // A wait that ended on another thread at `readyNs` (a pool future): loop_wait from then until
    // now on this thread, when the loop resumed us late.
    void loopWaitSince(qint64 readyNs)
    {
        const qint64 now = TraceClock::nowNs();
        if (readyNs <= 0 || now - readyNs < LoopWaitMinNs)
            return;
        addSpan(Phase::LoopWait, readyNs, now, ThreadRegistry::currentIndex());
    }
    // A finished span on another lane (a pool process): its times were measured there.
    void addSpan(Phase phase, qint64 startNs, qint64 endNs, quint16 lane, quint32 count = 1)
    {
        const int slot = m_record.beginSpan(phase, startNs, lane);
        m_record.endSpan(slot, endNs);
        if (slot >= 0)
            m_record.spans[size_t(slot)].count = count;
        publish();
    }
    void markStarted()
    {
        m_record.startedNs = TraceClock::nowNs();
        publish();
    }
    void markFirstToken()
    {
        if (m_record.firstTokenNs == 0) {
            m_record.firstTokenNs = TraceClock::nowNs();
            publish();
        }
    }
    void finish(int status, quint32 responseBytes)
    {
        m_record.status = quint16(status);
        m_record.responseBytes = responseBytes;
        m_record.respondedNs = TraceClock::nowNs();
        publish();
    }
    void publish() { m_recorder->publish(m_seq, m_record); }

private:
    static bool isLate(const TraceSpan &span, qint64 readyNs, qint64 now = TraceClock::nowNs())
    {
        return readyNs > span.startNs && now - readyNs >= LoopWaitMinNs;
    }

    TraceRecorder *m_recorder;
    RequestRecord m_record;
    quint64 m_seq = 0;
};

// Scope guard for one traced span.
class SpanScope
{
public:
    SpanScope(RequestTrace &trace, Phase phase, quint8 index = 0)
        : m_trace(trace)
        , m_slot(trace.beginSpan(phase, index))
    { }
    ~SpanScope()
    {
        if (m_open)
            m_trace.endSpan(m_slot, m_count);
    }
    void setCount(quint32 count) { m_count = count; }
    // Right after a co_await, with the moment the awaited thing was ready: see RequestTrace.
    void resumedAt(qint64 readyNs) { m_slot = m_trace.resumeSpanReady(m_slot, readyNs); }
    void endReadyAt(qint64 readyNs)
    {
        m_trace.endSpanReady(m_slot, readyNs, m_count);
        m_open = false;
    }
    SpanScope(const SpanScope &) = delete;
    SpanScope &operator=(const SpanScope &) = delete;

private:
    RequestTrace &m_trace;
    int m_slot;
    quint32 m_count = 1;
    bool m_open = true;
};
