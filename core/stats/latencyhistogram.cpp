#include "latencyhistogram.h"

#include <QJsonArray>
#include <QtMath>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace {

constexpr auto FormatName = "loopscope.latencyHistogram";
constexpr int FormatVersion = 1;

// log2 of the number of linear steps per power of two above the unit-resolution range:
// the smallest power of two >= 2 * 10^digits, halved.
int subBucketHalfCountMagnitudeFor(int significantDigits)
{
    qint64 largestWithUnitResolution = 2;
    for (int i = 0; i < significantDigits; ++i)
        largestWithUnitResolution *= 10;
    int magnitude = 0;
    while ((qint64(1) << magnitude) < largestWithUnitResolution)
        ++magnitude;
    return magnitude - 1;
}

// The power of two a value's bucket steps by: 0 in the unit-resolution range, then 1, 2, ...
int bucketIndexFor(qint64 ns, int subBucketHalfCountMagnitude)
{
    const quint64 subBucketMask = (quint64(1) << (subBucketHalfCountMagnitude + 1)) - 1;
    const int pow2Ceiling = 64 - qCountLeadingZeroBits(quint64(ns) | subBucketMask);
    return pow2Ceiling - (subBucketHalfCountMagnitude + 1);
}

} // namespace

LatencyHistogram::LatencyHistogram(int significantDigits, qint64 highestTrackableNs)
    : m_significantDigits(qBound(1, significantDigits, 5))
    , m_highestTrackableNs(qMax<qint64>(highestTrackableNs, 2))
{
    // Values below 2 * 10^digits get a bucket each; above that, each power of two holds
    // subBucketHalfCount linear steps, which is what bounds the relative error.
    m_subBucketHalfCountMagnitude = subBucketHalfCountMagnitudeFor(m_significantDigits);
    m_subBucketHalfCount = qint64(1) << m_subBucketHalfCountMagnitude;
    const qint64 subBucketCount = m_subBucketHalfCount * 2;

    int bucketCount = 1;
    qint64 smallestUntrackable = subBucketCount;
    while (smallestUntrackable <= m_highestTrackableNs) {
        ++bucketCount;
        if (smallestUntrackable > std::numeric_limits<qint64>::max() / 2) {
            smallestUntrackable = 0; // the last bucket reaches the end of qint64
            break;
        }
        smallestUntrackable <<= 1;
    }
    m_maxTrackableNs = smallestUntrackable ? smallestUntrackable - 1 : std::numeric_limits<qint64>::max();
    m_counts.assign(size_t(bucketCount + 1) * size_t(m_subBucketHalfCount), 0);
}

void LatencyHistogram::record(qint64 ns, quint64 count)
{
    if (count == 0)
        return;
    if (ns < 0)
        ns = 0;
    m_counts[size_t(counterIndexOf(ns))] += count;
    if (m_count == 0) {
        m_min = ns;
        m_max = ns;
    } else {
        m_min = qMin(m_min, ns);
        m_max = qMax(m_max, ns);
    }
    m_count += count;
    m_sum += ns * qint64(count);
    // Weighted Welford update.
    const double x = double(ns);
    const double delta = x - m_runningMean;
    m_runningMean += delta * double(count) / double(m_count);
    m_m2 += double(count) * delta * (x - m_runningMean);
}

void LatencyHistogram::merge(const LatencyHistogram &other)
{
    if (other.m_count == 0)
        return;
    if (!hasSameLayout(other)) {
        merge(other.toSparse());
        return;
    }
    for (size_t i = 0; i < m_counts.size(); ++i)
        m_counts[i] += other.m_counts[i];
    mergeMoments(other.m_count, other.m_min, other.m_max, other.m_sum, other.m_runningMean, other.m_m2);
}

void LatencyHistogram::merge(const Sparse &other)
{
    if (other.count == 0)
        return;
    // Bins are named by their lowest value, which is exact for the same sub-bucket layout.
    // A bin of another layout goes to the bucket holding its highest value instead, so that
    // percentiles keep erring upwards only, by at most the coarser layout's error.
    const int otherHalfMagnitude = subBucketHalfCountMagnitudeFor(qBound(1, other.significantDigits, 5));
    const bool sameSubBuckets = otherHalfMagnitude == m_subBucketHalfCountMagnitude;
    for (const auto &[lowestNs, binCount] : other.bins) {
        qint64 valueNs = qMax<qint64>(lowestNs, 0);
        if (!sameSubBuckets && valueNs <= std::numeric_limits<qint64>::max() / 2)
            valueNs += (qint64(1) << bucketIndexFor(valueNs, otherHalfMagnitude)) - 1;
        m_counts[size_t(counterIndexOf(valueNs))] += binCount;
    }
    mergeMoments(other.count, other.minNs, other.maxNs, other.sumNs,
                 double(other.sumNs) / double(other.count), other.m2);
}

void LatencyHistogram::mergeMoments(quint64 count, qint64 minNs, qint64 maxNs, qint64 sumNs, double mean,
                                    double m2)
{
    if (m_count == 0) {
        m_min = minNs;
        m_max = maxNs;
    } else {
        m_min = qMin(m_min, minNs);
        m_max = qMax(m_max, maxNs);
    }
    // Chan et al.'s parallel combination of Welford moments.
    const double na = double(m_count);
    const double nb = double(count);
    const double n = na + nb;
    const double delta = mean - m_runningMean;
    m_runningMean += delta * nb / n;
    m_m2 += m2 + delta * delta * na * nb / n;
    m_count += count;
    m_sum += sumNs;
}

void LatencyHistogram::reset()
{
    std::fill(m_counts.begin(), m_counts.end(), 0);
    m_count = 0;
    m_min = 0;
    m_max = 0;
    m_sum = 0;
    m_runningMean = 0;
    m_m2 = 0;
}

double LatencyHistogram::mean() const
{
    return m_count ? double(m_sum) / double(m_count) : 0.0;
}

double LatencyHistogram::stddev() const
{
    return m_count ? std::sqrt(qMax(0.0, m_m2) / double(m_count)) : 0.0;
}

quint64 LatencyHistogram::nearestRank(double percentile, quint64 count)
{
    if (count == 0)
        return 0;
    if (!(percentile > 0)) // also catches NaN
        return 1;
    if (percentile >= 100)
        return count;
    // Shave a relative 1e-12 so that p * n / 100 landing on an integer is not pushed to the
    // next rank by binary rounding (0.9 * 10 is 9.000000000000002). Real fractions of a rank
    // are far larger than that for any percentile written with a few decimals.
    const double rank = std::ceil(percentile * double(count) / 100.0 * (1.0 - 1e-12));
    return qBound<quint64>(1, quint64(rank), count);
}

qint64 LatencyHistogram::valueAtPercentile(double percentile) const
{
    return valuesAtPercentiles({ percentile }).constFirst();
}

QList<qint64> LatencyHistogram::valuesAtPercentiles(const QList<double> &percentiles) const
{
    QList<qint64> values(percentiles.size(), 0);
    if (m_count == 0 || percentiles.isEmpty())
        return values;
    QList<quint64> ranks(percentiles.size());
    QList<qsizetype> order(percentiles.size());
    for (qsizetype i = 0; i < percentiles.size(); ++i)
        ranks[i] = nearestRank(percentiles[i], m_count);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&ranks](qsizetype a, qsizetype b) { return ranks[a] < ranks[b]; });

    qsizetype next = 0;
    quint64 cumulative = 0;
    for (size_t index = 0; index < m_counts.size() && next < order.size(); ++index) {
        if (m_counts[index] == 0)
            continue;
        cumulative += m_counts[index];
        while (next < order.size() && ranks[order[next]] <= cumulative)
            values[order[next++]] = reportedValueAtCounter(qsizetype(index));
    }
    return values;
}

qint64 LatencyHistogram::lowestEquivalentValue(qint64 ns) const
{
    return valueAtCounter(counterIndexOf(qMax<qint64>(ns, 0)));
}

qint64 LatencyHistogram::highestEquivalentValue(qint64 ns) const
{
    if (ns > m_maxTrackableNs)
        return std::numeric_limits<qint64>::max(); // saturated: no upper bound
    const qint64 lowest = lowestEquivalentValue(ns);
    return lowest + ((qint64(1) << bucketIndexOf(lowest)) - 1);
}

bool LatencyHistogram::hasSameLayout(const LatencyHistogram &other) const
{
    return m_subBucketHalfCountMagnitude == other.m_subBucketHalfCountMagnitude
        && m_counts.size() == other.m_counts.size();
}

int LatencyHistogram::bucketIndexOf(qint64 ns) const
{
    return bucketIndexFor(ns, m_subBucketHalfCountMagnitude);
}

qsizetype LatencyHistogram::counterIndexOf(qint64 ns) const
{
    ns = qMin(ns, m_maxTrackableNs);
    const int bucket = bucketIndexOf(ns);
    const qint64 subBucket = ns >> bucket;
    return qsizetype((qint64(bucket + 1) << m_subBucketHalfCountMagnitude)
                     + (subBucket - m_subBucketHalfCount));
}

qint64 LatencyHistogram::valueAtCounter(qsizetype index) const
{
    int bucket = int(index >> m_subBucketHalfCountMagnitude) - 1;
    qint64 subBucket = (index & (m_subBucketHalfCount - 1)) + m_subBucketHalfCount;
    if (bucket < 0) {
        subBucket -= m_subBucketHalfCount;
        bucket = 0;
    }
    return subBucket << bucket;
}

qint64 LatencyHistogram::reportedValueAtCounter(qsizetype index) const
{
    // The top counter also holds saturated values, so its only honest upper bound is max.
    const qint64 lowest = valueAtCounter(index);
    const qint64 highest = index == qsizetype(m_counts.size()) - 1
        ? std::numeric_limits<qint64>::max()
        : lowest + ((qint64(1) << bucketIndexOf(lowest)) - 1);
    return qBound(m_min, highest, m_max);
}

LatencyHistogram::Sparse LatencyHistogram::toSparse() const
{
    Sparse sparse;
    sparse.significantDigits = m_significantDigits;
    sparse.highestTrackableNs = m_highestTrackableNs;
    sparse.count = m_count;
    sparse.minNs = min();
    sparse.maxNs = max();
    sparse.sumNs = m_sum;
    sparse.m2 = m_m2;
    for (size_t index = 0; index < m_counts.size(); ++index) {
        if (m_counts[index])
            sparse.bins.emplace_back(valueAtCounter(qsizetype(index)), m_counts[index]);
    }
    return sparse;
}

LatencyHistogram LatencyHistogram::fromSparse(const Sparse &sparse)
{
    LatencyHistogram histogram(sparse.significantDigits, sparse.highestTrackableNs);
    histogram.merge(sparse);
    return histogram;
}

QJsonObject LatencyHistogram::toJson() const
{
    const Sparse sparse = toSparse();
    QJsonArray bins;
    for (const auto &[valueNs, binCount] : sparse.bins)
        bins.append(QJsonArray { valueNs, qint64(binCount) });
    return QJsonObject {
        { QStringLiteral("format"), QLatin1String(FormatName) },
        { QStringLiteral("version"), FormatVersion },
        { QStringLiteral("unit"), QStringLiteral("ns") },
        { QStringLiteral("layout"), QStringLiteral("log-linear (HdrHistogram)") },
        { QStringLiteral("significantDigits"), sparse.significantDigits },
        { QStringLiteral("highestTrackableNs"), sparse.highestTrackableNs },
        { QStringLiteral("count"), qint64(sparse.count) },
        { QStringLiteral("minNs"), sparse.minNs },
        { QStringLiteral("maxNs"), sparse.maxNs },
        { QStringLiteral("sumNs"), sparse.sumNs },
        { QStringLiteral("m2"), sparse.m2 },
        // Only non-empty buckets: [lowest value of the bucket in ns, count].
        { QStringLiteral("bins"), bins },
    };
}

LatencyHistogram LatencyHistogram::fromJson(const QJsonObject &json, bool *ok)
{
    if (ok)
        *ok = false;
    if (json.value(QStringLiteral("format")).toString() != QLatin1String(FormatName)
        || json.value(QStringLiteral("version")).toInt() != FormatVersion
        || !json.value(QStringLiteral("bins")).isArray())
        return LatencyHistogram();

    Sparse sparse;
    sparse.significantDigits = json.value(QStringLiteral("significantDigits")).toInt(-1);
    sparse.highestTrackableNs = json.value(QStringLiteral("highestTrackableNs")).toInteger(-1);
    const qint64 count = json.value(QStringLiteral("count")).toInteger(-1);
    sparse.minNs = json.value(QStringLiteral("minNs")).toInteger(-1);
    sparse.maxNs = json.value(QStringLiteral("maxNs")).toInteger(-1);
    sparse.sumNs = json.value(QStringLiteral("sumNs")).toInteger(-1);
    sparse.m2 = json.value(QStringLiteral("m2")).toDouble(-1);
    if (sparse.significantDigits < 1 || sparse.significantDigits > 5 || sparse.highestTrackableNs < 2
        || count < 0 || sparse.minNs < 0 || sparse.maxNs < sparse.minNs || sparse.sumNs < 0 || sparse.m2 < 0)
        return LatencyHistogram();
    sparse.count = quint64(count);

    quint64 binTotal = 0;
    const QJsonArray bins = json.value(QStringLiteral("bins")).toArray();
    sparse.bins.reserve(size_t(bins.size()));
    for (const QJsonValue &bin : bins) {
        const QJsonArray pair = bin.toArray();
        const qint64 valueNs = pair.size() == 2 ? pair.at(0).toInteger(-1) : -1;
        const qint64 binCount = pair.size() == 2 ? pair.at(1).toInteger(-1) : -1;
        if (valueNs < 0 || binCount <= 0)
            return LatencyHistogram();
        binTotal += quint64(binCount);
        sparse.bins.emplace_back(valueNs, quint64(binCount));
    }
    // The exact moments must describe the same samples as the buckets.
    if (binTotal != sparse.count || (sparse.count == 0 && (sparse.maxNs != 0 || sparse.sumNs != 0)))
        return LatencyHistogram();

    if (ok)
        *ok = true;
    return fromSparse(sparse);
}
