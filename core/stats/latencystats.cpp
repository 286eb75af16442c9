#include "latencystats.h"

#include <algorithm>

namespace {

double nsToMs(qint64 ns)
{
    return double(ns) / 1e6;
}

} // namespace

LatencyStats::LatencyStats(qsizetype exactCapacity)
    : m_exactCapacity(qMax<qsizetype>(exactCapacity, 0))
{ }

void LatencyStats::record(qint64 latencyNs)
{
    latencyNs = qMax<qint64>(latencyNs, 0);
    m_histogram.record(latencyNs);
    if (!m_exact)
        return;
    if (qsizetype(m_samples.size()) < m_exactCapacity)
        m_samples.push_back(latencyNs);
    else
        dropSamples();
}

void LatencyStats::merge(const LatencyStats &other)
{
    m_histogram.merge(other.m_histogram);
    if (!m_exact)
        return;
    if (other.m_exact && qsizetype(m_samples.size() + other.m_samples.size()) <= m_exactCapacity)
        m_samples.insert(m_samples.end(), other.m_samples.begin(), other.m_samples.end());
    else
        dropSamples();
}

void LatencyStats::clear()
{
    m_histogram.reset();
    m_samples.clear();
    m_exact = true;
}

void LatencyStats::dropSamples()
{
    // A partial sample would bias the percentiles towards one end of the run; the histogram
    // already holds everything, so give the memory back instead.
    m_exact = false;
    std::vector<qint64>().swap(m_samples);
}

PercentileSummary LatencyStats::summary() const
{
    PercentileSummary s;
    s.count = m_histogram.count();
    s.exact = m_exact;
    if (s.count == 0)
        return s;
    // min, max and mean are exact either way.
    s.minMs = nsToMs(m_histogram.min());
    s.maxMs = nsToMs(m_histogram.max());
    s.meanMs = m_histogram.mean() / 1e6;

    const QList<double> percentiles { 50, 90, 95, 99, 99.9 };
    QList<qint64> values;
    if (m_exact) {
        std::vector<qint64> sorted = m_samples;
        std::sort(sorted.begin(), sorted.end());
        for (double p : percentiles)
            values.append(sorted[size_t(LatencyHistogram::nearestRank(p, sorted.size()) - 1)]);
    } else {
        values = m_histogram.valuesAtPercentiles(percentiles);
    }
    s.p50Ms = nsToMs(values[0]);
    s.p90Ms = nsToMs(values[1]);
    s.p95Ms = nsToMs(values[2]);
    s.p99Ms = nsToMs(values[3]);
    s.p999Ms = nsToMs(values[4]);
    return s;
}

QJsonObject LatencyStats::toJson(const PercentileSummary &summary)
{
    return QJsonObject {
        { QStringLiteral("count"), qint64(summary.count) },
        { QStringLiteral("minMs"), summary.minMs },
        { QStringLiteral("meanMs"), summary.meanMs },
        { QStringLiteral("p50Ms"), summary.p50Ms },
        { QStringLiteral("p90Ms"), summary.p90Ms },
        { QStringLiteral("p95Ms"), summary.p95Ms },
        { QStringLiteral("p99Ms"), summary.p99Ms },
        { QStringLiteral("p999Ms"), summary.p999Ms },
        { QStringLiteral("maxMs"), summary.maxMs },
        { QStringLiteral("exact"), summary.exact },
        { QStringLiteral("percentileDefinition"),
          QStringLiteral("nearest rank: the smallest recorded value v with at least p % of "
                         "samples <= v") },
        { QStringLiteral("source"),
          summary.exact ? QStringLiteral("all raw samples, sorted")
                        : QStringLiteral("log-linear histogram, %1 significant digits "
                                         "(min, max and mean exact)")
                              .arg(LatencyHistogram::DefaultSignificantDigits) },
    };
}
