#include "throughputseries.h"

#include <QJsonArray>
#include <algorithm>

namespace {

const QList<double> BucketPercentiles { 50, 95, 99 };

double nsToMs(qint64 ns)
{
    return double(ns) / 1e6;
}

double perSecond(quint64 events, qint64 spanNs)
{
    return spanNs > 0 ? double(events) * 1e9 / double(spanNs) : 0.0;
}

} // namespace

ThroughputSeries::ThroughputSeries(qint64 runStartNs, qint64 bucketNs)
    : m_runStartNs(runStartNs)
    , m_bucketNs(qMax<qint64>(bucketNs, 1))
    , m_latestEventNs(runStartNs)
{ }

ThroughputSeries::~ThroughputSeries() = default;

qint64 ThroughputSeries::indexOf(qint64 ns) const
{
    return ns <= m_runStartNs ? 0 : (ns - m_runStartNs) / m_bucketNs;
}

ThroughputSeries::Slot &ThroughputSeries::slotAt(qint64 index)
{
    if (index >= qint64(m_slots.size()))
        m_slots.resize(size_t(index) + 1);
    return m_slots[size_t(index)];
}

void ThroughputSeries::addOffered(qint64 intendedNs)
{
    QMutexLocker lock(&m_mutex);
    ++slotAt(indexOf(intendedNs)).offered;
    m_latestEventNs = qMax(m_latestEventNs, intendedNs);
}

void ThroughputSeries::addCompletion(qint64 completeNs, qint64 latencyNs, bool success)
{
    QMutexLocker lock(&m_mutex);
    const qint64 index = indexOf(completeNs);
    Slot &slot = slotAt(index);
    ++slot.completed;
    if (success)
        ++slot.successful;
    liveHistogram(index).record(latencyNs);
    m_latestEventNs = qMax(m_latestEventNs, completeNs);
}

void ThroughputSeries::setRunEnd(qint64 runEndNs)
{
    QMutexLocker lock(&m_mutex);
    m_runEndNs = qMax(runEndNs, m_runStartNs);
}

LatencyHistogram &ThroughputSeries::liveHistogram(qint64 index)
{
    Slot &slot = m_slots[size_t(index)];
    slot.lastUse = ++m_useCounter;
    if (slot.live)
        return *slot.live;
    if (qsizetype(m_liveIndexes.size()) >= LiveHistograms) {
        const auto oldest
            = std::min_element(m_liveIndexes.begin(), m_liveIndexes.end(), [this](qint64 a, qint64 b) {
                  return m_slots[size_t(a)].lastUse < m_slots[size_t(b)].lastUse;
              });
        freeze(*oldest);
        m_liveIndexes.erase(oldest);
    }
    slot.live = m_spare ? std::move(m_spare) : std::make_unique<LatencyHistogram>();
    slot.live->merge(slot.frozen); // thaw a late bucket; a no-op for a new one
    slot.frozen = {};
    m_liveIndexes.push_back(index);
    return *slot.live;
}

void ThroughputSeries::freeze(qint64 index)
{
    Slot &slot = m_slots[size_t(index)];
    const QList<qint64> values = slot.live->valuesAtPercentiles(BucketPercentiles);
    slot.p50Ns = values[0];
    slot.p95Ns = values[1];
    slot.p99Ns = values[2];
    slot.frozen = slot.live->toSparse();
    slot.live->reset();
    m_spare = std::move(slot.live);
}

QList<ThroughputBucket> ThroughputSeries::buckets(Aggregation aggregation) const
{
    QMutexLocker lock(&m_mutex);
    qint64 count = qint64(m_slots.size());
    if (m_runEndNs >= 0)
        count = qMax(count, indexOf(m_runEndNs - 1) + 1);
    QList<ThroughputBucket> out;
    out.reserve(count);

    const Slot empty;
    const bool cumulative = aggregation == Aggregation::Cumulative;
    std::unique_ptr<LatencyHistogram> total;
    if (cumulative)
        total = std::make_unique<LatencyHistogram>();
    ThroughputBucket running;
    for (qint64 index = 0; index < count; ++index) {
        const Slot &slot = index < qint64(m_slots.size()) ? m_slots[size_t(index)] : empty;
        ThroughputBucket b = cumulative ? running : ThroughputBucket();
        b.startNs = index * m_bucketNs;
        b.widthNs = m_bucketNs;
        if (m_runEndNs >= 0 && index == count - 1) {
            const qint64 coveredEndNs = qMax(m_runEndNs, m_latestEventNs) - m_runStartNs;
            b.widthNs = qBound<qint64>(1, coveredEndNs - b.startNs, m_bucketNs);
        }
        b.offered += slot.offered;
        b.completed += slot.completed;
        b.successful += slot.successful;
        b.errors = b.completed - b.successful;

        // Cumulative buckets start as a copy of the previous one, so with no new completions
        // they already carry the unchanged percentiles.
        QList<qint64> latencies;
        if (cumulative && slot.completed) {
            if (slot.live)
                total->merge(*slot.live);
            else
                total->merge(slot.frozen);
            latencies = total->valuesAtPercentiles(BucketPercentiles);
        } else if (!cumulative) {
            latencies = slot.live ? slot.live->valuesAtPercentiles(BucketPercentiles)
                                  : QList<qint64> { slot.p50Ns, slot.p95Ns, slot.p99Ns };
        }
        if (!latencies.isEmpty()) {
            b.p50Ms = nsToMs(latencies[0]);
            b.p95Ms = nsToMs(latencies[1]);
            b.p99Ms = nsToMs(latencies[2]);
        }

        // Windowed rates divide by the bucket, cumulative ones by the time since the run start.
        const qint64 spanNs = cumulative ? b.startNs + b.widthNs : b.widthNs;
        b.offeredPerSec = perSecond(b.offered, spanNs);
        b.completedPerSec = perSecond(b.completed, spanNs);
        b.successfulPerSec = perSecond(b.successful, spanNs);
        out.append(b);
        running = b;
    }
    return out;
}

QString ThroughputSeries::aggregationName(Aggregation aggregation)
{
    return aggregation == Aggregation::Cumulative ? QStringLiteral("cumulative") : QStringLiteral("windowed");
}

QJsonObject ThroughputSeries::toJson(Aggregation aggregation) const
{
    const QList<ThroughputBucket> list = buckets(aggregation);
    QJsonArray array;
    for (const ThroughputBucket &b : list) {
        array.append(QJsonObject {
            { QStringLiteral("startMs"), nsToMs(b.startNs) },
            { QStringLiteral("widthMs"), nsToMs(b.widthNs) },
            { QStringLiteral("offered"), qint64(b.offered) },
            { QStringLiteral("completed"), qint64(b.completed) },
            { QStringLiteral("successful"), qint64(b.successful) },
            { QStringLiteral("errors"), qint64(b.errors) },
            { QStringLiteral("offeredPerSec"), b.offeredPerSec },
            { QStringLiteral("completedPerSec"), b.completedPerSec },
            { QStringLiteral("successfulPerSec"), b.successfulPerSec },
            { QStringLiteral("p50Ms"), b.p50Ms },
            { QStringLiteral("p95Ms"), b.p95Ms },
            { QStringLiteral("p99Ms"), b.p99Ms },
        });
    }
    const bool cumulative = aggregation == Aggregation::Cumulative;
    return QJsonObject {
        { QStringLiteral("aggregation"), aggregationName(aggregation) },
        { QStringLiteral("aggregationNote"),
          cumulative ? QStringLiteral("each bucket covers the run from its start to the end "
                                      "of the bucket; rates divide by that whole span")
                     : QStringLiteral("each bucket covers only [startMs, startMs + widthMs); "
                                      "rates divide by widthMs") },
        { QStringLiteral("bucketMs"), nsToMs(m_bucketNs) },
        { QStringLiteral("offeredNote"),
          QStringLiteral("offered counts sends at their intended send time; completed, "
                         "successful and errors count at completion time") },
        { QStringLiteral("latencyNote"),
          QStringLiteral("p50/p95/p99 of the latencies of all completions (successful or "
                         "not) in the bucket, nearest rank, from a log-linear histogram with "
                         "%1 significant digits")
              .arg(LatencyHistogram::DefaultSignificantDigits) },
        { QStringLiteral("buckets"), array },
    };
}
