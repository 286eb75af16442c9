#pragma once

#include "stats/latencystats.h"
#include "trace/requestrecord.h"

#include <array>

// The figures of the requests that arrived in one time range (the window's Shift+drag): how many
// arrived, finished well or badly, are still in flight, by dispatch mode, and the percentiles of
// the total latency, the time to first token and the wait before the handler started. Latencies
// count from where each request's bar starts: the client's send time where known, else the
// server's read. Fed record by record in arrival order; a plain value type, tested headless.
class RangeStatistics
{
public:
    RangeStatistics(qint64 fromNs, qint64 toNs);

    // Counts `r` if it arrived in [from, to); `startNs` is where its latencies count from.
    // Returns false once `r` arrived at or after `to`: records in arrival order need no more.
    bool add(const RequestRecord &r, qint64 startNs);

    qint64 fromNs() const { return m_fromNs; }
    qint64 toNs() const { return m_toNs; }
    double seconds() const { return double(m_toNs - m_fromNs) / 1e9; }
    quint64 arrived() const { return m_arrived; }
    double arrivalsPerSecond() const;
    quint64 ok() const { return m_ok; } // 2xx
    quint64 failed() const { return m_failed; } // any other status
    quint64 inFlight() const { return m_inFlight; }
    quint64 arrivedIn(DispatchMode mode) const { return m_byMode[size_t(mode)]; }
    // Of the finished requests only.
    const LatencyStats &total() const { return m_total; }
    const LatencyStats &firstToken() const { return m_firstToken; } // those that produced one
    const LatencyStats &waitBeforeStart() const { return m_wait; } // those whose handler started
    // Time each request's awaited steps were ready but its loop was busy (Phase::LoopWait).
    const LatencyStats &loopWait() const { return m_loopWait; }

private:
    qint64 m_fromNs, m_toNs;
    quint64 m_arrived = 0, m_ok = 0, m_failed = 0, m_inFlight = 0;
    std::array<quint64, 3> m_byMode {};
    LatencyStats m_total, m_firstToken, m_wait, m_loopWait;
};
