// The timelines' precomputed level of detail (core/timeline/timelinelod.h), headless: buckets hold
// what was covered, they double as the run grows without losing any of it, the models fill it
// incrementally as records finish (the same as all at once), records in flight stay outside it,
// late send times add their wait, and a lane's sub-rows never overlap.
#include "base/threadregistry.h"
#include "timeline/requestrowmodel.h"
#include "timeline/threadlanemodel.h"
#include "timeline/timelinedata.h"
#include "timeline/timelinelod.h"
#include "timelinefixtures.h"

#include <QTest>
#include <map>
#include <random>

namespace {

using TimelineFixtures::addSpan;
using TimelineFixtures::request;

// Covered ns per (block, sub, key) over all time.
std::map<std::tuple<qsizetype, int, int>, double> totals(const TimelineLod &lod, int level = 0)
{
    std::map<std::tuple<qsizetype, int, int>, double> out;
    for (qsizetype b = 0; b < lod.blockCount(level); ++b)
        lod.forEachCell(
            b, std::numeric_limits<qint64>::min() / 4, std::numeric_limits<qint64>::max() / 4,
            [&](quint16 sub, quint16 key, qint64, qint64, double c) {
                out[{ b, sub, key }] += c;
            },
            level);
    return out;
}

// A saved run's lanes: 0 a worker loop, 1 a pool thread.
TimelineData lanes()
{
    TimelineData d;
    d.setThreadNames({ QStringLiteral("worker-0"), QStringLiteral("pool-0") },
                     { LaneKind::WorkerLoop, LaneKind::PoolThread });
    return d;
}

// `n` requests over `spanNs`: waiting, a db read on the pool, a blocking llm call on the loop.
void fill(TimelineData &d, int n, qint64 spanNs, quint32 seed)
{
    std::mt19937 rng(seed);
    std::uniform_int_distribution<qint64> jitter(0, 50'000'000);
    for (int i = 0; i < n; ++i) {
        const qint64 t = 1'000'000'000 + spanNs * i / n;
        RequestRecord r = request(t, 0, i % 2 ? DispatchMode::Blocking : DispatchMode::Async);
        const qint64 a = t + jitter(rng), b = a + 20'000'000 + jitter(rng), c = b + 30'000'000 + jitter(rng);
        addSpan(r, Phase::DbRead, a, b, 1);
        addSpan(r, Phase::Llm, b, c, 0);
        r.respondedNs = c + 1'000'000;
        r.status = 200;
        d.append(r, i % 7 == 0);
    }
}

} // namespace

class TestTimelineLod : public QObject
{
    Q_OBJECT
private slots:
    void bucketsHoldWhatWasCovered()
    {
        TimelineLod lod(4, 1024);
        lod.add(0, 0, 3, 0, 2'500'000); // 2.5 ms from the origin: buckets of 1 ms (2^20 ns)
        lod.add(1, 0, 3, 1'000'000, 1'000'000); // an instant still counts
        lod.add(5, 1, 7, 3'000'000, 4'000'000); // row 5: the second block
        QCOMPARE(lod.blockCount(), qsizetype(2));
        double sum = 0;
        int cells = 0;
        lod.forEachCell(0, 0, 10'000'000, [&](quint16 sub, quint16 key, qint64 t0, qint64 t1, double c) {
            QCOMPARE(sub, quint16(0));
            QCOMPARE(key, quint16(3));
            QCOMPARE(t1 - t0, lod.bucketNs());
            QVERIFY(c <= double(t1 - t0) + 1); // one piece never covers more than its bucket
            sum += c;
            ++cells;
        });
        QCOMPARE(sum, 2'500'000.0 + 1);
        QCOMPARE(cells, 3);
        QCOMPARE(lod.coveredNs(1, 1, 7, 0, 10'000'000), 1'000'000.0);
        // Prorated at the ends of the range: half of a fully covered bucket.
        const qint64 b = lod.bucketNs();
        QVERIFY(qAbs(lod.coveredNs(0, 0, 3, b / 2, b) - double(b / 2)) < 2);
        QCOMPARE(lod.coveredNs(0, 0, 9, 0, 10'000'000), 0.0); // another key
        // Two pieces over the same time: a bucket never counts more than its width.
        lod.add(2, 4, 3, 0, b);
        lod.add(2, 4, 3, 0, b);
        QCOMPARE(lod.coveredNs(0, 4, 3, 0, b), double(b));
        // Rows complete one by one; the last block counts only the rows there are.
        QCOMPARE(lod.incompleteRows(0, 6), qsizetype(4));
        lod.complete(0);
        lod.complete(3);
        QCOMPARE(lod.incompleteRows(0, 6), qsizetype(2));
        QCOMPARE(lod.incompleteRows(1, 6), qsizetype(2));
        QVERIFY(!lod.fineEnoughFor(double(lod.bucketNs()) / 2));
        QVERIFY(lod.fineEnoughFor(double(lod.bucketNs())));
    }

    void bucketsDoubleAsTheRunGrowsAndKeepEverything()
    {
        TimelineLod lod(1, 64);
        const qint64 first = lod.bucketNs();
        lod.add(0, 0, 1, 0, 10'000'000);
        lod.add(0, 2, 1, 500'000'000, 600'000'000); // 0.5 s on: 64 buckets of 1 ms do not reach
        QVERIFY(lod.bucketNs() >= first * 8);
        QVERIFY(600'000'000 / lod.bucketNs() + 1 <= 64);
        const auto t = totals(lod);
        QCOMPARE(t.at({ 0, 0, 1 }), 10'000'000.0);
        QCOMPARE(t.at({ 0, 2, 1 }), 100'000'000.0);
        // Earlier than everything so far: still kept, within the bound.
        lod.add(0, 0, 1, -400'000'000, -399'000'000);
        QVERIFY(1'000'000'000 / lod.bucketNs() + 2 <= 64);
        QCOMPARE(totals(lod).at({ 0, 0, 1 }), 11'000'000.0);
    }

    void requestRowsFillItAsRecordsFinish()
    {
        TimelineData d = lanes();
        fill(d, 1000, 60'000'000'000, 1);
        RequestRowModel once;
        once.sync(d);
        // Incrementally: the same records appended in slices, synced between, give the same buckets.
        TimelineData grown = lanes();
        RequestRowModel live;
        for (qsizetype i = 0; i < d.size(); ++i) {
            grown.append(d.at(i), d.isOther(i));
            if (i % 97 == 0)
                live.sync(grown);
        }
        live.sync(grown);
        QVERIFY(!totals(*once.lod()).empty());
        QCOMPARE(totals(*live.lod()), totals(*once.lod()));
        // What each row shows, summed per colour key, is in its block: nothing more, nothing less.
        std::map<std::tuple<qsizetype, int, int>, double> expected;
        for (qsizetype i = 0; i < d.size(); ++i)
            once.forEachPiece(i, d.latestNs(), [&](int cat, qint64 s, qint64 e) {
                expected[{ i / 64, 0, cat | (d.isOther(i) ? TimelineLod::OtherKey : 0) }] += double(e - s);
            });
        const auto got = totals(*once.lod());
        QCOMPARE(got.size(), expected.size());
        for (const auto &[k, v] : expected)
            QVERIFY2(qAbs(got.at(k) - v) <= v * 1e-6, "coverage per block and key");
        QCOMPARE(once.lod()->incompleteRows(0, once.rowCount()), qsizetype(0));
        // The coarser level (blocks of 1,024 rows) holds the same, summed over its 16 blocks.
        QCOMPARE(once.lod()->levels(), 2);
        QCOMPARE(once.lod()->rowsPerBlock(1), 1024);
        std::map<std::tuple<qsizetype, int, int>, double> merged;
        for (const auto &[k, v] : got)
            merged[{ std::get<0>(k) / 16, std::get<1>(k), std::get<2>(k) }] += v;
        const auto coarse = totals(*once.lod(), 1);
        QCOMPARE(coarse.size(), merged.size());
        for (const auto &[k, v] : merged)
            QVERIFY2(qAbs(coarse.at(k) - v) <= v * 1e-5, "level 1 sums level 0");
        QCOMPARE(once.lod()->incompleteRows(0, once.rowCount(), 1), qsizetype(0));
    }

    void recordsInFlightStayOutsideUntilTheyFinish()
    {
        TimelineData d = lanes();
        RequestRecord r = request(1'000'000'000, 0);
        addSpan(r, Phase::Llm, 1'100'000'000, 0, 0); // still running
        r.clientTag = 42;
        d.append(r);
        RequestRowModel m;
        m.sync(d);
        QCOMPARE(m.lod()->incompleteRows(0, 1), qsizetype(1));
        int outside = 0;
        m.forEachPieceOutsideLod(0, 0, 5'000'000'000, 2'000'000'000, [&](const TimelinePiece &pc) {
            QVERIFY(pc.endNs <= 2'000'000'000);
            ++outside;
        });
        QCOMPARE(outside, 2); // waiting for the loop, then the llm call up to now
        QVERIFY(totals(*m.lod()).empty());

        // It finishes (as TimelineData::update would record it): into the level of detail.
        TimelineData done = lanes();
        addSpan(r, Phase::Respond, 1'900'000'000, 1'950'000'000, 0);
        r.spans[0].endNs = 1'900'000'000;
        r.respondedNs = 1'950'000'000;
        r.status = 200;
        done.append(r);
        m.sync(done);
        outside = 0;
        m.forEachPieceOutsideLod(0, 0, 5'000'000'000, 2'000'000'000,
                                 [&](const TimelinePiece &) { ++outside; });
        QCOMPARE(outside, 0);
        QCOMPARE(m.lod()->incompleteRows(0, 1), qsizetype(0));
        const auto before = totals(*m.lod());
        QCOMPARE(before.at({ 0, 0, 0 }), 100'000'000.0); // waited 0.1 s for the loop
        // Its send time joins later: the wait before it arrived is added, once.
        QVERIFY(done.joinClientSends({ { 42, 700'000'000 } }));
        m.sync(done);
        m.sync(done);
        QCOMPARE(totals(*m.lod()).at({ 0, 0, 0 }), 400'000'000.0);
    }

    void laneSubRowsNeverOverlap()
    {
        TimelineData d = lanes();
        fill(d, 3000, 30'000'000'000, 2);
        // Long spans on the pool lane that overlap many others: they need sub-rows of their own.
        for (int i = 0; i < 40; ++i) {
            RequestRecord r = request(2'000'000'000 + qint64(i) * 500'000'000, 0);
            addSpan(r, Phase::DbWrite, r.arrivedNs, r.arrivedNs + 3'000'000'000, 1);
            r.respondedNs = r.arrivedNs + 3'000'000'000;
            r.status = 200;
            d.append(r);
        }
        ThreadLaneModel m;
        m.sync(d);
        const TimelineLod &lod = *m.lod();
        int subsUsed = 0;
        double strip = 0, blockingNs = 0;
        for (qsizetype block = 0; block < lod.blockCount(); ++block)
            lod.forEachCell(block, 0, 100'000'000'000,
                            [&](quint16 sub, quint16, qint64 t0, qint64 t1, double c) {
                                if (sub == TimelineLod::StripSub) {
                                    strip += block == 0 ? c : 0.0; // the loop's lane (block = its thread)
                                    return;
                                }
                                subsUsed = std::max(subsUsed, sub + 1);
                                // A sub-row below the overflow holds pieces that do not overlap: per key and
                                // bucket, never more than the bucket.
                                if (sub < 7)
                                    QVERIFY2(c <= double(t1 - t0) + 1, "a sub-row's pieces overlap");
                            });
        QVERIFY(subsUsed >= 2);
        for (qsizetype i = 0; i < d.size(); ++i) {
            const RequestRecord &r = d.at(i);
            if (r.mode == DispatchMode::Blocking && r.spanCount > 1)
                blockingNs += double(r.spans[1].endNs - r.spans[1].startNs);
        }
        QVERIFY(qAbs(strip - blockingNs) <= blockingNs * 1e-6);
        // In flight: placed where nothing finished is, nor each other.
        StablePacker packer(3);
        QCOMPARE(packer.place(0, 0, 10), 0);
        QCOMPARE(packer.place(0, 5, 15), 1);
        QCOMPARE(packer.place(0, 10, 20), 0); // touching is not overlapping
        QCOMPARE(packer.place(0, 6, 9), 2); // the overflow (the last of three) shares
        QCOMPARE(packer.place(0, 7, 8), 2);
        QCOMPARE(packer.probe(0, 16, 30, {}), 1);
        QCOMPARE(packer.probe(0, 16, 30, { { 1, 20, 25 } }), 2);
        QCOMPARE(packer.probe(0, 30, 40, {}), 0);
    }
};

QTEST_GUILESS_MAIN(TestTimelineLod)
#include "tst_timelinelod.moc"
