#include "stats/latencyhistogram.h"
#include "stats/latencystats.h"
#include "stats/throughputseries.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QTest>
#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

// Checks the statistics engine against figures computed here, independently, from raw samples:
// the percentile definition, the histogram's error bound, merging, JSON and throughput buckets.
namespace {

constexpr qint64 Us = 1000;
constexpr qint64 Ms = 1000 * Us;
constexpr qint64 Sec = 1000 * Ms;

// Percentiles are written in thousandths of a percent so the reference stays in integers.
const QList<int> MilliPercents { 0,     1000,  10000, 25000, 50000, 75000,
                                 90000, 95000, 99000, 99900, 99990, 100000 };

// The definition, read literally: the smallest sample v with at least p % of samples <= v.
qint64 referencePercentile(const std::vector<qint64> &sorted, int milliPercent)
{
    const quint64 n = sorted.size();
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; ++i) {
        const quint64 atOrBelow
            = quint64(std::upper_bound(sorted.begin(), sorted.end(), sorted[i]) - sorted.begin());
        if (atOrBelow * 100000 >= quint64(milliPercent) * n)
            return sorted[i];
    }
    return sorted.back();
}

std::vector<qint64> logUniform(quint32 seed, qint64 lowNs, qint64 highNs, int n)
{
    QRandomGenerator random(seed);
    std::vector<qint64> values;
    values.reserve(size_t(n));
    const double lo = std::log(double(lowNs));
    const double hi = std::log(double(highNs));
    for (int i = 0; i < n; ++i)
        values.push_back(qint64(std::exp(lo + random.generateDouble() * (hi - lo))));
    return values;
}

std::vector<qint64> sortedCopy(std::vector<qint64> values)
{
    std::sort(values.begin(), values.end());
    return values;
}

double referenceMean(const std::vector<qint64> &values)
{
    long double sum = 0;
    for (qint64 v : values)
        sum += v;
    return values.empty() ? 0.0 : double(sum / values.size());
}

double referenceStddev(const std::vector<qint64> &values)
{
    if (values.empty())
        return 0;
    const long double mean = referenceMean(values);
    long double squares = 0;
    for (qint64 v : values)
        squares += (v - mean) * (v - mean);
    return double(std::sqrt(squares / values.size()));
}

// Half the sub-buckets per power of two: the histogram's relative error is at most 1 / this.
qint64 subBucketHalfCount(int digits)
{
    qint64 largest = 2;
    for (int i = 0; i < digits; ++i)
        largest *= 10;
    qint64 count = 1;
    while (count < largest)
        count *= 2;
    return count / 2;
}

// A histogram percentile may only round up, and by less than one bucket width.
void verifyWithinError(qint64 reported, qint64 exact, int digits, const char *what)
{
    const QByteArray message = QByteArray(what) + ": reported " + QByteArray::number(reported) + " exact "
        + QByteArray::number(exact);
    QVERIFY2(reported >= exact, message.constData());
    QVERIFY2(double(reported - exact) <= double(exact) / double(subBucketHalfCount(digits)),
             message.constData());
    QVERIFY2(double(reported - exact) <= double(exact) * 0.01, message.constData());
}

QList<double> summaryPercentiles(const PercentileSummary &s)
{
    return { s.minMs, s.p50Ms, s.p90Ms, s.p95Ms, s.p99Ms, s.p999Ms, s.maxMs };
}

LatencyHistogram throughJson(const LatencyHistogram &histogram, bool *ok)
{
    const QByteArray bytes = QJsonDocument(histogram.toJson()).toJson(QJsonDocument::Compact);
    return LatencyHistogram::fromJson(QJsonDocument::fromJson(bytes).object(), ok);
}

struct Event
{
    qint64 intendedNs;
    qint64 completeNs;
    qint64 latencyNs;
    bool success;
};

} // namespace

class tst_LatencyHistogram : public QObject
{
    Q_OBJECT

private slots:
    void percentileDefinition_data();
    void percentileDefinition();
    void nearestRankHasNoRoundingDrift();
    void bucketGeometry_data();
    void bucketGeometry();
    void relativeError_data();
    void relativeError();
    void mergeEqualsRecordingAll_data();
    void mergeEqualsRecordingAll();
    void percentilesAreOrdered_data();
    void percentilesAreOrdered();
    void twoClusters_data();
    void twoClusters();
    void emptyHistogram();
    void saturationAndNegativeValues();
    void jsonRoundTrip_data();
    void jsonRoundTrip();
    void fromJsonRejects_data();
    void fromJsonRejects();
    void statsFallBackToHistogramPastCap();
    void statsMerge_data();
    void statsMerge();
    void throughputBuckets_data();
    void throughputBuckets();
    void throughputRunEnd();
    void throughputJson();
};

void tst_LatencyHistogram::percentileDefinition_data()
{
    QTest::addColumn<QList<qint64>>("values");
    QTest::addColumn<double>("percentile");
    QTest::addColumn<qint64>("expected");

    // Worked by hand from "smallest v with at least p % of samples <= v"; values below 2048 ns
    // have a bucket each, so the histogram must agree exactly.
    const QList<qint64> oneToTen { 10, 9, 8, 7, 6, 5, 4, 3, 2, 1 };
    QTest::addRow("1..10 p0 is the minimum") << oneToTen << 0.0 << qint64(1);
    QTest::addRow("1..10 p10") << oneToTen << 10.0 << qint64(1);
    QTest::addRow("1..10 p10.1 moves up") << oneToTen << 10.1 << qint64(2);
    QTest::addRow("1..10 p50") << oneToTen << 50.0 << qint64(5);
    QTest::addRow("1..10 p90") << oneToTen << 90.0 << qint64(9);
    QTest::addRow("1..10 p90.001 moves up") << oneToTen << 90.001 << qint64(10);
    QTest::addRow("1..10 p100 is the maximum") << oneToTen << 100.0 << qint64(10);
    QTest::addRow("out of range above clamps") << oneToTen << 250.0 << qint64(10);
    QTest::addRow("out of range below clamps") << oneToTen << -5.0 << qint64(1);
    QTest::addRow("ties") << QList<qint64> { 7, 7, 7, 3 } << 30.0 << qint64(7);
    QTest::addRow("single sample") << QList<qint64> { 42 } << 99.9 << qint64(42);
}

void tst_LatencyHistogram::percentileDefinition()
{
    QFETCH(QList<qint64>, values);
    QFETCH(double, percentile);
    QFETCH(qint64, expected);

    LatencyHistogram histogram;
    LatencyStats stats;
    for (qint64 v : values) {
        histogram.record(v);
        stats.record(v);
    }
    QCOMPARE(histogram.valueAtPercentile(percentile), expected);
    // The exact path: the same rank out of the sorted samples.
    std::vector<qint64> sorted(values.begin(), values.end());
    std::sort(sorted.begin(), sorted.end());
    QCOMPARE(sorted[size_t(LatencyHistogram::nearestRank(percentile, sorted.size()) - 1)], expected);
    QVERIFY(stats.summary().exact);
}

void tst_LatencyHistogram::nearestRankHasNoRoundingDrift()
{
    // ceil(p * n / 100) in integers, for every percentile with up to three decimals. Plain
    // floating point gets some wrong (p = 1.1, n = 3000 gives rank 34 instead of 33).
    const QList<quint64> sizes { 1, 2, 3, 7, 10, 100, 1000, 1003, 2999, 3000, 12345, 1000000 };
    for (quint64 n : sizes) {
        for (int milli = 0; milli <= 100000; ++milli) {
            const quint64 expected = qMax<quint64>(1, (quint64(milli) * n + 99999) / 100000);
            const quint64 rank = LatencyHistogram::nearestRank(milli / 1000.0, n);
            if (rank != expected) {
                const QByteArray message = "n=" + QByteArray::number(n)
                    + " p=" + QByteArray::number(milli / 1000.0) + " rank " + QByteArray::number(rank)
                    + " expected " + QByteArray::number(expected);
                QFAIL(message.constData());
            }
        }
    }
    QCOMPARE(LatencyHistogram::nearestRank(50, 0), quint64(0));
}

void tst_LatencyHistogram::bucketGeometry_data()
{
    QTest::addColumn<int>("digits");
    QTest::addRow("2 digits") << 2;
    QTest::addRow("3 digits") << 3;
    QTest::addRow("4 digits") << 4;
}

void tst_LatencyHistogram::bucketGeometry()
{
    QFETCH(int, digits);
    const LatencyHistogram histogram(digits);
    QVERIFY(histogram.maxTrackableNs() >= LatencyHistogram::DefaultHighestTrackableNs);
    const qint64 half = subBucketHalfCount(digits);
    for (qint64 v : logUniform(7, 1, 4 * 3600 * Sec, 20000)) {
        if (v > histogram.maxTrackableNs())
            continue;
        const qint64 low = histogram.lowestEquivalentValue(v);
        const qint64 high = histogram.highestEquivalentValue(v);
        QVERIFY(low <= v && v <= high);
        // Every bucket is narrow relative to the values it holds.
        QVERIFY2(high - low + 1 <= qMax<qint64>(1, low / half), QByteArray::number(v).constData());
        // Neighbouring buckets tile the axis (up to the top bucket, which takes the rest).
        if (high < histogram.maxTrackableNs())
            QCOMPARE(histogram.lowestEquivalentValue(high + 1), high + 1);
    }
}

void tst_LatencyHistogram::relativeError_data()
{
    QTest::addColumn<int>("digits");
    QTest::addColumn<quint32>("seed");
    QTest::addColumn<qint64>("lowNs");
    QTest::addColumn<qint64>("highNs");
    QTest::addColumn<int>("samples");

    QTest::addRow("3 digits, 1 us .. 1 s (6 decades)") << 3 << 1u << Us << Sec << 200000;
    QTest::addRow("3 digits, 1 ms .. 1 h") << 3 << 2u << Ms << 3600 * Sec << 100000;
    QTest::addRow("3 digits, few samples") << 3 << 3u << Us << Sec << 37;
    QTest::addRow("2 digits, 1 us .. 1 s") << 2 << 4u << Us << Sec << 100000;
    QTest::addRow("4 digits, 1 us .. 1 s") << 4 << 5u << Us << Sec << 100000;
}

void tst_LatencyHistogram::relativeError()
{
    QFETCH(int, digits);
    QFETCH(quint32, seed);
    QFETCH(qint64, lowNs);
    QFETCH(qint64, highNs);
    QFETCH(int, samples);

    const std::vector<qint64> values = logUniform(seed, lowNs, highNs, samples);
    LatencyHistogram histogram(digits);
    for (qint64 v : values)
        histogram.record(v);
    const std::vector<qint64> sorted = sortedCopy(values);

    QCOMPARE(histogram.count(), quint64(samples));
    QCOMPARE(histogram.min(), sorted.front());
    QCOMPARE(histogram.max(), sorted.back());
    QVERIFY(qAbs(histogram.mean() - referenceMean(values)) <= 1e-9 * referenceMean(values));
    QVERIFY(qAbs(histogram.stddev() - referenceStddev(values)) <= 1e-6 * referenceStddev(values));

    QList<double> percentiles;
    for (int milli : MilliPercents) {
        const qint64 exact = referencePercentile(sorted, milli);
        verifyWithinError(histogram.valueAtPercentile(milli / 1000.0), exact, digits,
                          QByteArray("p" + QByteArray::number(milli / 1000.0)).constData());
        percentiles.append(milli / 1000.0);
    }
    // The one-pass form agrees with the single lookups.
    const QList<qint64> many = histogram.valuesAtPercentiles(percentiles);
    for (qsizetype i = 0; i < percentiles.size(); ++i)
        QCOMPARE(many[i], histogram.valueAtPercentile(percentiles[i]));
}

void tst_LatencyHistogram::mergeEqualsRecordingAll_data()
{
    QTest::addColumn<int>("partDigits");
    QTest::addRow("same layout") << 3;
    QTest::addRow("coarser parts into a finer histogram") << 2;
}

void tst_LatencyHistogram::mergeEqualsRecordingAll()
{
    QFETCH(int, partDigits);

    const std::vector<qint64> values = logUniform(11, Us, 10 * Sec, 60000);
    LatencyHistogram all;
    std::vector<LatencyHistogram> parts(3, LatencyHistogram(partDigits));
    QRandomGenerator random(12);
    for (qint64 v : values) {
        all.record(v);
        parts[random.bounded(3)].record(v);
    }
    LatencyHistogram merged;
    merged.merge(LatencyHistogram(partDigits)); // an empty part must not disturb min or max
    for (const LatencyHistogram &part : parts)
        merged.merge(part);

    QCOMPARE(merged.count(), all.count());
    QCOMPARE(merged.min(), all.min());
    QCOMPARE(merged.max(), all.max());
    QCOMPARE(merged.sum(), all.sum());
    QCOMPARE(merged.mean(), all.mean());
    QVERIFY(qAbs(merged.stddev() - all.stddev()) <= 1e-9 * all.stddev());

    const std::vector<qint64> sorted = sortedCopy(values);
    for (int milli : MilliPercents) {
        const double p = milli / 1000.0;
        if (partDigits == all.significantDigits())
            QCOMPARE(merged.valueAtPercentile(p), all.valueAtPercentile(p));
        else
            verifyWithinError(merged.valueAtPercentile(p), referencePercentile(sorted, milli), partDigits,
                              "merged");
    }
    if (partDigits == all.significantDigits())
        QVERIFY(merged.toSparse().bins == all.toSparse().bins);
}

void tst_LatencyHistogram::percentilesAreOrdered_data()
{
    QTest::addColumn<QList<qint64>>("values");

    QRandomGenerator random(21);
    QList<qint64> uniform;
    for (int i = 0; i < 5000; ++i)
        uniform.append(Ms + qint64(random.bounded(100 * Ms)));
    const std::vector<qint64> wide = logUniform(22, Us, 3600 * Sec, 5000);
    QList<qint64> clusters;
    for (int i = 0; i < 1000; ++i)
        clusters.append(i % 50 ? 2 * Ms + i : 900 * Ms + i);

    QTest::addRow("uniform 1..101 ms") << uniform;
    QTest::addRow("log-uniform 1 us .. 1 h") << QList<qint64>(wide.begin(), wide.end());
    QTest::addRow("two clusters") << clusters;
    QTest::addRow("constant") << QList<qint64>(100, 5 * Ms);
    QTest::addRow("single sample") << QList<qint64> { 123456789 };
    QTest::addRow("two samples") << QList<qint64> { Ms, 3 * Sec };
}

void tst_LatencyHistogram::percentilesAreOrdered()
{
    QFETCH(QList<qint64>, values);

    LatencyStats exact;
    LatencyStats histogramOnly(0);
    for (qint64 v : values) {
        exact.record(v);
        histogramOnly.record(v);
    }
    const PercentileSummary e = exact.summary();
    const PercentileSummary h = histogramOnly.summary();
    QVERIFY(e.exact);
    QVERIFY(!h.exact);
    for (const PercentileSummary &s : { e, h }) {
        QCOMPARE(s.count, quint64(values.size()));
        const QList<double> ordered = summaryPercentiles(s);
        for (qsizetype i = 1; i < ordered.size(); ++i)
            QVERIFY2(ordered[i - 1] <= ordered[i], QByteArray::number(i).constData());
        QVERIFY(s.minMs <= s.meanMs && s.meanMs <= s.maxMs);
    }

    // The exact path matches the definition; the histogram stays within its bound of it.
    const std::vector<qint64> sorted = sortedCopy(std::vector<qint64>(values.begin(), values.end()));
    const QList<int> milli { 50000, 90000, 95000, 99000, 99900 };
    const QList<double> exactMs { e.p50Ms, e.p90Ms, e.p95Ms, e.p99Ms, e.p999Ms };
    const QList<double> histMs { h.p50Ms, h.p90Ms, h.p95Ms, h.p99Ms, h.p999Ms };
    for (qsizetype i = 0; i < milli.size(); ++i) {
        const qint64 reference = referencePercentile(sorted, milli[i]);
        QCOMPARE(exactMs[i], double(reference) / 1e6);
        verifyWithinError(qint64(std::llround(histMs[i] * 1e6)), reference, 3, "summary");
    }
    QCOMPARE(e.minMs, double(sorted.front()) / 1e6);
    QCOMPARE(h.maxMs, double(sorted.back()) / 1e6);
}

void tst_LatencyHistogram::twoClusters_data()
{
    QTest::addColumn<qsizetype>("exactCapacity");
    QTest::addColumn<bool>("exact");
    QTest::addRow("exact samples") << LatencyStats::DefaultExactCapacity << true;
    QTest::addRow("histogram") << qsizetype(10) << false;
}

void tst_LatencyHistogram::twoClusters()
{
    QFETCH(qsizetype, exactCapacity);
    QFETCH(bool, exact);

    // REFERENCE.md: 96 samples at <= 7 ms and 6 at 1502 ms must give p95 ~ 1502 ms.
    std::vector<qint64> values;
    for (int i = 0; i < 96; ++i)
        values.push_back(Ms / 2 + qint64(i) * (13 * Ms / 2) / 95); // 0.5 .. 7 ms
    for (int i = 0; i < 6; ++i)
        values.push_back(1502 * Ms);
    QRandomGenerator random(71);
    std::shuffle(values.begin(), values.end(), random);

    LatencyStats stats(exactCapacity);
    for (qint64 v : values)
        stats.record(v);
    const PercentileSummary s = stats.summary();
    QCOMPARE(s.exact, exact);
    QCOMPARE(s.count, quint64(102));

    const std::vector<qint64> sorted = sortedCopy(values);
    QCOMPARE(referencePercentile(sorted, 95000), 1502 * Ms); // the reference agrees with REFERENCE
    QVERIFY2(qAbs(s.p95Ms - 1502.0) <= 1502.0 * 0.01, QByteArray::number(s.p95Ms).constData());
    QVERIFY(s.p90Ms <= 7.0 * 1.01);
    QVERIFY(s.p50Ms <= 7.0 * 1.01);
    QCOMPARE(s.maxMs, 1502.0);
    QVERIFY(s.minMs >= 0.5 && s.minMs < 0.51);
}

void tst_LatencyHistogram::emptyHistogram()
{
    LatencyHistogram histogram;
    QCOMPARE(histogram.count(), quint64(0));
    QVERIFY(histogram.isEmpty());
    QCOMPARE(histogram.min(), qint64(0));
    QCOMPARE(histogram.max(), qint64(0));
    QCOMPARE(histogram.mean(), 0.0);
    QCOMPARE(histogram.stddev(), 0.0);
    for (double p : { 0.0, 50.0, 99.9, 100.0 })
        QCOMPARE(histogram.valueAtPercentile(p), qint64(0));
    QCOMPARE(histogram.valuesAtPercentiles({ 50, 99 }), (QList<qint64> { 0, 0 }));

    histogram.record(5 * Ms, 0); // a zero count records nothing
    histogram.merge(LatencyHistogram());
    QCOMPARE(histogram.count(), quint64(0));

    bool ok = false;
    const LatencyHistogram restored = throughJson(histogram, &ok);
    QVERIFY(ok);
    QVERIFY(restored.isEmpty());
    QCOMPARE(restored.valueAtPercentile(50), qint64(0));

    const PercentileSummary s = LatencyStats().summary();
    QCOMPARE(s.count, quint64(0));
    QVERIFY(s.exact);
    for (double v : summaryPercentiles(s))
        QCOMPARE(v, 0.0);
    QCOMPARE(LatencyStats::toJson(s).value(QStringLiteral("count")).toInteger(), qint64(0));

    ThroughputSeries series(1000);
    QVERIFY(series.buckets().isEmpty());
    QVERIFY(series.buckets(ThroughputSeries::Aggregation::Cumulative).isEmpty());
    QVERIFY(series.toJson().value(QStringLiteral("buckets")).toArray().isEmpty());
}

void tst_LatencyHistogram::saturationAndNegativeValues()
{
    LatencyHistogram histogram;
    histogram.record(2 * 3600 * Sec); // beyond the trackable range: counted, kept exact
    histogram.record(-5); // a clock oddity: counted as 0
    histogram.record(10 * Ms, 2);
    QCOMPARE(histogram.count(), quint64(4));
    QCOMPARE(histogram.min(), qint64(0));
    QCOMPARE(histogram.max(), 2 * 3600 * Sec);
    QCOMPARE(histogram.sum(), 2 * 3600 * Sec + 20 * Ms);
    QCOMPARE(histogram.valueAtPercentile(100), 2 * 3600 * Sec);
    QCOMPARE(histogram.valueAtPercentile(0), qint64(0));
    verifyWithinError(histogram.valueAtPercentile(50), 10 * Ms, 3, "p50");
}

void tst_LatencyHistogram::jsonRoundTrip_data()
{
    QTest::addColumn<int>("digits");
    QTest::addColumn<QList<qint64>>("values");

    const std::vector<qint64> wide = logUniform(31, 1, 3600 * Sec, 20000);
    QTest::addRow("3 digits, 1 ns .. 1 h") << 3 << QList<qint64>(wide.begin(), wide.end());
    QTest::addRow("2 digits, 1 ns .. 1 h") << 2 << QList<qint64>(wide.begin(), wide.end());
    QTest::addRow("single value") << 3 << QList<qint64> { 7 * Ms };
    QTest::addRow("saturated") << 3 << QList<qint64> { Ms, 5 * 3600 * Sec };
}

void tst_LatencyHistogram::jsonRoundTrip()
{
    QFETCH(int, digits);
    QFETCH(QList<qint64>, values);

    LatencyHistogram histogram(digits);
    for (qint64 v : values)
        histogram.record(v);
    bool ok = false;
    const LatencyHistogram restored = throughJson(histogram, &ok);
    QVERIFY(ok);
    QCOMPARE(restored.significantDigits(), digits);
    QCOMPARE(restored.count(), histogram.count());
    QCOMPARE(restored.min(), histogram.min());
    QCOMPARE(restored.max(), histogram.max());
    QCOMPARE(restored.sum(), histogram.sum());
    QVERIFY(qAbs(restored.stddev() - histogram.stddev()) <= 1e-12 * histogram.stddev());
    QVERIFY(restored.toSparse().bins == histogram.toSparse().bins);
    for (int milli : MilliPercents)
        QCOMPARE(restored.valueAtPercentile(milli / 1000.0), histogram.valueAtPercentile(milli / 1000.0));

    // Sparse: one entry per distinct bucket, never the whole array.
    const QJsonArray bins = histogram.toJson().value(QStringLiteral("bins")).toArray();
    QVERIFY(bins.size() <= values.size());
    QVERIFY(bins.size() < histogram.counterCount());
}

void tst_LatencyHistogram::fromJsonRejects_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QJsonValue>("value");

    QTest::addRow("wrong format") << u"format"_qs << QJsonValue(u"something else"_qs);
    QTest::addRow("newer version") << u"version"_qs << QJsonValue(99);
    QTest::addRow("count disagrees with bins") << u"count"_qs << QJsonValue(3);
    QTest::addRow("negative bin value") << u"bins"_qs << QJsonValue(QJsonArray { QJsonArray { -4, 2 } });
    QTest::addRow("bin is not a pair") << u"bins"_qs << QJsonValue(QJsonArray { QJsonArray { 4 } });
    QTest::addRow("bins missing") << u"bins"_qs << QJsonValue();
    QTest::addRow("max below min") << u"maxNs"_qs << QJsonValue(1);
}

void tst_LatencyHistogram::fromJsonRejects()
{
    QFETCH(QString, key);
    QFETCH(QJsonValue, value);

    LatencyHistogram histogram;
    histogram.record(5 * Ms);
    histogram.record(6 * Ms);
    QJsonObject json = histogram.toJson();
    bool ok = false;
    QVERIFY(!LatencyHistogram::fromJson(json, &ok).isEmpty());
    QVERIFY(ok);

    if (value.isUndefined() || value.isNull())
        json.remove(key);
    else
        json.insert(key, value);
    const LatencyHistogram rejected = LatencyHistogram::fromJson(json, &ok);
    QVERIFY(!ok);
    QVERIFY(rejected.isEmpty());
}

void tst_LatencyHistogram::statsFallBackToHistogramPastCap()
{
    const std::vector<qint64> values = logUniform(41, Us, Sec, 101);
    LatencyStats stats(100);
    for (size_t i = 0; i < 100; ++i)
        stats.record(values[i]);
    QVERIFY(stats.isExact());
    stats.record(values[100]);
    QVERIFY(!stats.isExact());
    QCOMPARE(stats.count(), quint64(101));

    const PercentileSummary s = stats.summary();
    QVERIFY(!s.exact);
    const std::vector<qint64> sorted = sortedCopy(values);
    verifyWithinError(qint64(std::llround(s.p99Ms * 1e6)), referencePercentile(sorted, 99000), 3, "p99");
    QCOMPARE(s.maxMs, double(sorted.back()) / 1e6);
    QCOMPARE(LatencyStats::toJson(s).value(QStringLiteral("exact")).toBool(), false);

    stats.clear();
    QVERIFY(stats.isExact());
    QCOMPARE(stats.count(), quint64(0));
}

void tst_LatencyHistogram::statsMerge_data()
{
    QTest::addColumn<qsizetype>("capacity");
    QTest::addColumn<bool>("exact");
    QTest::addRow("both fit") << qsizetype(200) << true;
    QTest::addRow("together past the cap") << qsizetype(100) << false;
}

void tst_LatencyHistogram::statsMerge()
{
    QFETCH(qsizetype, capacity);
    QFETCH(bool, exact);

    const std::vector<qint64> values = logUniform(51, Us, Sec, 120);
    LatencyStats a(capacity);
    LatencyStats b(capacity);
    for (size_t i = 0; i < values.size(); ++i)
        (i % 2 ? a : b).record(values[i]);
    a.merge(b);
    const PercentileSummary s = a.summary();
    QCOMPARE(s.exact, exact);
    QCOMPARE(s.count, quint64(values.size()));
    const std::vector<qint64> sorted = sortedCopy(values);
    const qint64 reference = referencePercentile(sorted, 95000);
    if (exact)
        QCOMPARE(s.p95Ms, double(reference) / 1e6);
    else
        verifyWithinError(qint64(std::llround(s.p95Ms * 1e6)), reference, 3, "p95");
}

void tst_LatencyHistogram::throughputBuckets_data()
{
    QTest::addColumn<qint64>("bucketNs");
    QTest::addColumn<bool>("shuffled");
    QTest::addRow("1 s buckets, in completion order") << Sec << false;
    QTest::addRow("250 ms buckets, in completion order") << 250 * Ms << false;
    // Far more buckets touched at random than stay live: exercises freezing and thawing.
    QTest::addRow("1 s buckets, out of order") << Sec << true;
}

void tst_LatencyHistogram::throughputBuckets()
{
    QFETCH(qint64, bucketNs);
    QFETCH(bool, shuffled);

    const qint64 runStart = 5'000 * Sec; // an arbitrary point on the monotonic clock
    QRandomGenerator random(61);
    std::vector<Event> events;
    for (int i = 0; i < 20000; ++i) {
        Event e;
        e.intendedNs = runStart + qint64(random.bounded(20 * Sec));
        e.latencyNs = qint64(std::exp(std::log(double(Ms)) + random.generateDouble() * std::log(3000.0)));
        e.completeNs = e.intendedNs + e.latencyNs;
        e.success = random.bounded(10) != 0;
        events.push_back(e);
    }
    if (shuffled)
        std::shuffle(events.begin(), events.end(), random);
    else
        std::sort(events.begin(), events.end(),
                  [](const Event &a, const Event &b) { return a.completeNs < b.completeNs; });

    // The expectation, kept independently of the code under test.
    struct Expected
    {
        quint64 offered = 0, completed = 0, successful = 0;
        std::vector<qint64> latencies;
    };
    std::map<qint64, Expected> expected;
    qint64 lastIndex = 0;
    ThroughputSeries series(runStart, bucketNs);
    for (const Event &e : events) {
        series.addOffered(e.intendedNs);
        series.addCompletion(e.completeNs, e.latencyNs, e.success);
        const qint64 offeredIndex = (e.intendedNs - runStart) / bucketNs;
        const qint64 completeIndex = (e.completeNs - runStart) / bucketNs;
        ++expected[offeredIndex].offered;
        Expected &c = expected[completeIndex];
        ++c.completed;
        c.successful += e.success ? 1 : 0;
        c.latencies.push_back(e.latencyNs);
        lastIndex = qMax(lastIndex, qMax(offeredIndex, completeIndex));
    }

    const QList<ThroughputBucket> windowed = series.buckets();
    const QList<ThroughputBucket> cumulative = series.buckets(ThroughputSeries::Aggregation::Cumulative);
    QCOMPARE(windowed.size(), lastIndex + 1);
    QCOMPARE(cumulative.size(), lastIndex + 1);

    Expected running;
    for (qint64 index = 0; index <= lastIndex; ++index) {
        const Expected &x = expected[index];
        const ThroughputBucket &w = windowed[index];
        QCOMPARE(w.startNs, index * bucketNs);
        QCOMPARE(w.widthNs, bucketNs);
        QCOMPARE(w.offered, x.offered);
        QCOMPARE(w.completed, x.completed);
        QCOMPARE(w.successful, x.successful);
        QCOMPARE(w.errors, x.completed - x.successful);
        QCOMPARE(w.completedPerSec, double(x.completed) * 1e9 / double(bucketNs));
        QCOMPARE(w.offeredPerSec, double(x.offered) * 1e9 / double(bucketNs));

        running.offered += x.offered;
        running.completed += x.completed;
        running.successful += x.successful;
        running.latencies.insert(running.latencies.end(), x.latencies.begin(), x.latencies.end());
        const ThroughputBucket &c = cumulative[index];
        QCOMPARE(c.offered, running.offered);
        QCOMPARE(c.completed, running.completed);
        QCOMPARE(c.successful, running.successful);
        QCOMPARE(c.completedPerSec, double(running.completed) * 1e9 / double((index + 1) * bucketNs));

        const std::vector<qint64> sortedWindow = sortedCopy(x.latencies);
        const std::vector<qint64> sortedRunning = sortedCopy(running.latencies);
        const QList<int> milli { 50000, 95000, 99000 };
        const QList<double> windowMs { w.p50Ms, w.p95Ms, w.p99Ms };
        const QList<double> runningMs { c.p50Ms, c.p95Ms, c.p99Ms };
        for (qsizetype i = 0; i < milli.size(); ++i) {
            verifyWithinError(qint64(std::llround(windowMs[i] * 1e6)),
                              referencePercentile(sortedWindow, milli[i]), 3, "windowed");
            verifyWithinError(qint64(std::llround(runningMs[i] * 1e6)),
                              referencePercentile(sortedRunning, milli[i]), 3, "cumulative");
        }
    }
}

void tst_LatencyHistogram::throughputRunEnd()
{
    const qint64 runStart = 100 * Sec;
    ThroughputSeries series(runStart);
    for (int i = 0; i < 10; ++i) {
        series.addOffered(runStart + i * 50 * Ms);
        series.addCompletion(runStart + i * 50 * Ms + 20 * Ms, 20 * Ms, true);
    }
    series.addCompletion(runStart + 2 * Sec + 100 * Ms, 700 * Ms, false);
    series.setRunEnd(runStart + 2 * Sec + 500 * Ms);

    const QList<ThroughputBucket> buckets = series.buckets();
    QCOMPARE(buckets.size(), 3);
    QCOMPARE(buckets[0].offered, quint64(10));
    QCOMPARE(buckets[0].completed, quint64(10));
    QCOMPARE(buckets[1].completed, quint64(0)); // a quiet second still shows up
    QCOMPARE(buckets[1].p99Ms, 0.0);
    QCOMPARE(buckets[2].widthNs, 500 * Ms); // cut at the run end
    QCOMPARE(buckets[2].errors, quint64(1));
    QCOMPARE(buckets[2].completedPerSec, 2.0);
    QCOMPARE(buckets[2].successfulPerSec, 0.0);
    QCOMPARE(buckets[2].p50Ms, 700.0);
}

void tst_LatencyHistogram::throughputJson()
{
    const qint64 runStart = 0;
    ThroughputSeries series(runStart, 500 * Ms);
    for (int i = 0; i < 40; ++i) {
        series.addOffered(i * 100 * Ms);
        series.addCompletion(i * 100 * Ms + 30 * Ms, 30 * Ms, i % 4 != 0);
    }
    for (auto aggregation :
         { ThroughputSeries::Aggregation::Windowed, ThroughputSeries::Aggregation::Cumulative }) {
        const QJsonObject json = series.toJson(aggregation);
        QCOMPARE(json.value(QStringLiteral("aggregation")).toString(),
                 ThroughputSeries::aggregationName(aggregation));
        QVERIFY(!json.value(QStringLiteral("aggregationNote")).toString().isEmpty());
        QCOMPARE(json.value(QStringLiteral("bucketMs")).toDouble(), 500.0);
        const QJsonArray array = json.value(QStringLiteral("buckets")).toArray();
        const QList<ThroughputBucket> buckets = series.buckets(aggregation);
        QCOMPARE(array.size(), buckets.size());
        for (qsizetype i = 0; i < buckets.size(); ++i) {
            const QJsonObject b = array.at(i).toObject();
            QCOMPARE(b.value(QStringLiteral("completed")).toInteger(), qint64(buckets[i].completed));
            QCOMPARE(b.value(QStringLiteral("errors")).toInteger(), qint64(buckets[i].errors));
            QCOMPARE(b.value(QStringLiteral("p95Ms")).toDouble(), buckets[i].p95Ms);
        }
    }
    QCOMPARE(ThroughputSeries::aggregationName(ThroughputSeries::Aggregation::Windowed),
             QStringLiteral("windowed"));
    // 40 requests, 10 of them failed, over 4 s: the last cumulative bucket says so.
    const ThroughputBucket last = series.buckets(ThroughputSeries::Aggregation::Cumulative).last();
    QCOMPARE(last.completed, quint64(40));
    QCOMPARE(last.errors, quint64(10));
}

QTEST_APPLESS_MAIN(tst_LatencyHistogram)
#include "tst_latencyhistogram.moc"
