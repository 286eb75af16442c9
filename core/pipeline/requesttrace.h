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
    ~SpanScope() { m_trace.endSpan(m_slot, m_count); }
    void setCount(quint32 count) { m_count = count; }
    SpanScope(const SpanScope &) = delete;
    SpanScope &operator=(const SpanScope &) = delete;

private:
    RequestTrace &m_trace;
    int m_slot;
    quint32 m_count = 1;
};
