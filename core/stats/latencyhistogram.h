#pragma once

#include <QJsonObject>
#include <QList>
#include <QtGlobal>
#include <utility>
#include <vector>

// A full-run latency distribution with bounded relative error, laid out like HdrHistogram:
// each power of two of nanoseconds is split into 2^k linear sub-buckets, so every value is
// known to within one part in 2^(k-1) (3 significant digits: 2048 sub-buckets, <= 0.1 %).
// count, min, max and mean are exact; percentiles come from the buckets. Histograms merge
// exactly, which is how per-thread or per-run figures are combined (never by averaging
// percentiles). A plain value type: not thread-safe, keep one per thread and merge.
class LatencyHistogram
{
public:
    static constexpr int DefaultSignificantDigits = 3;
    static constexpr qint64 DefaultHighestTrackableNs = 3600LL * 1000 * 1000 * 1000; // 1 hour

    // A compact copy that holds only the non-empty buckets, each named by its lowest value,
    // so it reads the same whatever the layout. The JSON form is this, written out.
    struct Sparse
    {
        int significantDigits = DefaultSignificantDigits;
        qint64 highestTrackableNs = DefaultHighestTrackableNs;
        quint64 count = 0;
        qint64 minNs = 0;
        qint64 maxNs = 0;
        qint64 sumNs = 0;
        double m2 = 0; // sum of squared deviations from the mean (Welford), for stddev
        // (lowest value of the bucket in ns, count), ascending
        std::vector<std::pair<qint64, quint64>> bins;
    };

    // significantDigits is clamped to [1, 5]; values above highestTrackableNs are counted in
    // the top bucket (min, max and mean stay exact). All memory is allocated here.
    explicit LatencyHistogram(int significantDigits = DefaultSignificantDigits,
                              qint64 highestTrackableNs = DefaultHighestTrackableNs);

    // O(1), never allocates. Negative values (a clock oddity) are counted as 0, not dropped.
    void record(qint64 ns, quint64 count = 1);
    void merge(const LatencyHistogram &other);
    void merge(const Sparse &other);
    void reset();

    quint64 count() const { return m_count; }
    bool isEmpty() const { return m_count == 0; }
    qint64 min() const { return m_count ? m_min : 0; }
    qint64 max() const { return m_count ? m_max : 0; }
    qint64 sum() const { return m_sum; }
    double mean() const;
    double stddev() const; // population standard deviation

    // Nearest rank: the smallest recorded value v such that at least p % of the samples are
    // <= v, reported as the highest value equivalent to v's bucket, clamped to [min, max].
    // p is clamped to [0, 100]; an empty histogram answers 0.
    qint64 valueAtPercentile(double percentile) const;
    // The same for several percentiles in one pass over the buckets (results in input order).
    QList<qint64> valuesAtPercentiles(const QList<double> &percentiles) const;

    // The 1-based rank that the nearest-rank definition picks out of count sorted samples
    // (0 when count is 0). Shared with the exact, sorting path so both agree by construction.
    static quint64 nearestRank(double percentile, quint64 count);

    int significantDigits() const { return m_significantDigits; }
    qint64 highestTrackableNs() const { return m_highestTrackableNs; }
    // The largest value that still has its own bucket (>= highestTrackableNs).
    qint64 maxTrackableNs() const { return m_maxTrackableNs; }
    qsizetype counterCount() const { return qsizetype(m_counts.size()); }
    // Bucket geometry: the range [lowest, highest] of values that share ns's bucket.
    qint64 lowestEquivalentValue(qint64 ns) const;
    qint64 highestEquivalentValue(qint64 ns) const;
    bool hasSameLayout(const LatencyHistogram &other) const;

    Sparse toSparse() const;
    static LatencyHistogram fromSparse(const Sparse &sparse);

    // Sparse JSON (only non-empty buckets) for run.json; fromJson sets *ok to false and returns
    // an empty histogram when the object is not a valid histogram.
    QJsonObject toJson() const;
    static LatencyHistogram fromJson(const QJsonObject &json, bool *ok = nullptr);

private:
    int bucketIndexOf(qint64 ns) const;
    qsizetype counterIndexOf(qint64 ns) const;
    qint64 valueAtCounter(qsizetype index) const;
    qint64 reportedValueAtCounter(qsizetype index) const;
    void mergeMoments(quint64 count, qint64 minNs, qint64 maxNs, qint64 sumNs, double mean, double m2);

    int m_significantDigits;
    qint64 m_highestTrackableNs;
    int m_subBucketHalfCountMagnitude = 0;
    qint64 m_subBucketHalfCount = 0;
    qint64 m_maxTrackableNs = 0;
    std::vector<quint64> m_counts;

    quint64 m_count = 0;
    qint64 m_min = 0;
    qint64 m_max = 0;
    qint64 m_sum = 0; // exact; overflows only past ~292 years of summed latency
    double m_runningMean = 0; // Welford's running mean and M2: stable stddev that merges
    double m_m2 = 0;
};
