#pragma once

#include "latencyhistogram.h"

#include <QJsonObject>
#include <QMetaType>
#include <vector>

// The figures a report shows for one latency distribution. exact says whether the percentiles
// came from every raw sample (sorted) or from the histogram (within its relative error).
struct PercentileSummary
{
    quint64 count = 0;
    double minMs = 0;
    double meanMs = 0;
    double p50Ms = 0;
    double p90Ms = 0;
    double p95Ms = 0;
    double p99Ms = 0;
    double p999Ms = 0;
    double maxMs = 0;
    bool exact = true;
};
Q_DECLARE_METATYPE(PercentileSummary)

// Collects the latencies of one distribution (say "all requests" or "successful only").
// Every sample feeds a full-run LatencyHistogram; raw samples are also kept up to a cap so
// that ordinary runs get exact percentiles. Past the cap the raw samples are released and the
// summary falls back to the histogram, and says so, rather than keeping only the first or the
// last N samples. A plain value type: not thread-safe.
class LatencyStats
{
public:
    static constexpr qsizetype DefaultExactCapacity = 1'000'000;

    explicit LatencyStats(qsizetype exactCapacity = DefaultExactCapacity);

    void record(qint64 latencyNs); // negative values count as 0, like the histogram
    void merge(const LatencyStats &other);
    void clear();

    quint64 count() const { return m_histogram.count(); }
    bool isExact() const { return m_exact; }
    qsizetype exactCapacity() const { return m_exactCapacity; }
    const LatencyHistogram &histogram() const { return m_histogram; }

    // Nearest-rank percentiles (LatencyHistogram::nearestRank), exact while the samples fit.
    PercentileSummary summary() const;

    static QJsonObject toJson(const PercentileSummary &summary);

private:
    void dropSamples();

    qsizetype m_exactCapacity;
    bool m_exact = true;
    std::vector<qint64> m_samples;
    LatencyHistogram m_histogram;
};
