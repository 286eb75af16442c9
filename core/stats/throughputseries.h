#pragma once

#include "latencyhistogram.h"

#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QMutex>
#include <QString>
#include <memory>
#include <vector>

// One bucket of a ThroughputSeries. Windowed: only events inside [startNs, startNs + widthNs).
// Cumulative: every event from the run start to the end of the bucket.
struct ThroughputBucket
{
    qint64 startNs = 0; // relative to the run start
    qint64 widthNs = 0; // the bucket width; the last bucket is cut at the run end, if known
    quint64 offered = 0; // sends scheduled, counted at their intended send time
    quint64 completed = 0; // every outcome, counted at completion time
    quint64 successful = 0;
    quint64 errors = 0; // completed but not successful
    double offeredPerSec = 0;
    double completedPerSec = 0; // achieved throughput
    double successfulPerSec = 0;
    double p50Ms = 0; // latency of the completions counted here (all outcomes), nearest rank
    double p95Ms = 0;
    double p99Ms = 0;
};
Q_DECLARE_METATYPE(ThroughputBucket)

// Offered, achieved and successful throughput over a run, in fixed-width time buckets (one
// second unless told otherwise), with latency percentiles per bucket from a LatencyHistogram.
// Thread-safe: the load generator writes while the GUI or a reporter reads.
//
// A dense histogram per bucket would cost ~270 KB a second, so only the few most recently used
// buckets keep one; older buckets are frozen into a sparse copy with their percentiles cached.
// A completion that arrives late for a frozen bucket thaws it, so nothing is ever dropped.
class ThroughputSeries
{
public:
    enum class Aggregation { Windowed, Cumulative };
    static constexpr int LiveHistograms = 4;

    explicit ThroughputSeries(qint64 runStartNs, qint64 bucketNs = 1'000'000'000);
    ~ThroughputSeries();
    ThroughputSeries(const ThroughputSeries &) = delete;
    ThroughputSeries &operator=(const ThroughputSeries &) = delete;

    // Timestamps are TraceClock ns on the same clock as runStartNs; earlier ones count in
    // the first bucket.
    void addOffered(qint64 intendedNs);
    void addCompletion(qint64 completeNs, qint64 latencyNs, bool success);
    // Optional: lets the series extend to the run end and cut the last bucket there, so its
    // rates are not understated by the part of the bucket the run never reached.
    void setRunEnd(qint64 runEndNs);

    qint64 runStartNs() const { return m_runStartNs; }
    qint64 bucketNs() const { return m_bucketNs; }

    // From the first bucket to the last one with an event (or the run end), gaps included.
    QList<ThroughputBucket> buckets(Aggregation aggregation = Aggregation::Windowed) const;
    QJsonObject toJson(Aggregation aggregation = Aggregation::Windowed) const;
    static QString aggregationName(Aggregation aggregation);

private:
    struct Slot
    {
        quint64 offered = 0;
        quint64 completed = 0;
        quint64 successful = 0;
        std::unique_ptr<LatencyHistogram> live; // set while among the recently used buckets
        LatencyHistogram::Sparse frozen; // the latencies otherwise
        qint64 p50Ns = 0; // cached when frozen
        qint64 p95Ns = 0;
        qint64 p99Ns = 0;
        quint64 lastUse = 0;
    };

    qint64 indexOf(qint64 ns) const;
    Slot &slotAt(qint64 index);
    LatencyHistogram &liveHistogram(qint64 index);
    void freeze(qint64 index);

    const qint64 m_runStartNs;
    const qint64 m_bucketNs;
    mutable QMutex m_mutex;
    std::vector<Slot> m_slots;
    std::vector<qint64> m_liveIndexes;
    std::unique_ptr<LatencyHistogram> m_spare; // recycled, so a new second allocates nothing
    quint64 m_useCounter = 0;
    qint64 m_latestEventNs = 0;
    qint64 m_runEndNs = -1;
};
