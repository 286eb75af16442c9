// Timeline geometry without a screen: time <-> pixel mapping, zoom, rows, lane packing, and the
// decomposition of a request into the coloured pieces the views draw.
#include "timeline/timelinedata.h"
#include "timelineview/timelinegeometry.h"

#include <QTest>

class TestTimelineGeometry : public QObject
{
    Q_OBJECT
private slots:
    void mapsTimeToPixelsAndBack_data();
    void mapsTimeToPixelsAndBack();
    void zoomKeepsTheAnchor();
    void panMovesByPixels();
    void rowAxisFitsAndClamps();
    void packsOverlappingIntervals_data();
    void packsOverlappingIntervals();
    void segmentsCoverTheBar();
};

void TestTimelineGeometry::mapsTimeToPixelsAndBack_data()
{
    QTest::addColumn<qint64>("start");
    QTest::addColumn<qint64>("span");
    QTest::addColumn<double>("width");
    QTest::addColumn<qint64>("t");
    QTest::addColumn<double>("x");
    QTest::addRow("origin") << qint64(0) << qint64(1'000'000'000) << 1000.0 << qint64(0) << 0.0;
    QTest::addRow("middle") << qint64(0) << qint64(1'000'000'000) << 1000.0 << qint64(500'000'000) << 500.0;
    QTest::addRow("offset start") << qint64(2'000'000'000) << qint64(4'000'000'000) << 800.0
                                  << qint64(3'000'000'000) << 200.0;
    QTest::addRow("left of view") << qint64(1'000'000'000) << qint64(1'000'000'000) << 100.0 << qint64(0)
                                  << -100.0;
}

void TestTimelineGeometry::mapsTimeToPixelsAndBack()
{
    QFETCH(qint64, start);
    QFETCH(qint64, span);
    QFETCH(double, width);
    QFETCH(qint64, t);
    QFETCH(double, x);
    const TimeAxis ax { start, span, width };
    QCOMPARE(ax.toX(t), x);
    QVERIFY(std::abs(ax.toNs(x) - t) <= 1);
    QCOMPARE(ax.endNs(), start + span);
}

void TestTimelineGeometry::zoomKeepsTheAnchor()
{
    TimeAxis ax { 0, 10'000'000'000, 1000 };
    const qint64 under = ax.toNs(250);
    ax.zoom(0.5, 250);
    QCOMPARE(ax.spanNs, qint64(5'000'000'000));
    QVERIFY(std::abs(ax.toNs(250) - under) <= 10);
    ax.zoom(1e-12, 0); // clamps
    QCOMPARE(ax.spanNs, TimeAxis::MinSpanNs);
}

void TestTimelineGeometry::panMovesByPixels()
{
    TimeAxis ax { 0, 1'000'000'000, 1000 };
    ax.pan(100); // drag right: earlier times come into view
    QCOMPARE(ax.startNs, qint64(-100'000'000));
    ax.follow(5'000'000'000);
    QCOMPARE(ax.endNs(), qint64(5'000'000'000));
}

void TestTimelineGeometry::rowAxisFitsAndClamps()
{
    RowAxis rows;
    rows.heightPx = 900;
    rows.fit(0, 100'000);
    QCOMPARE(rows.rowPx, 900.0 / 100'000);
    QCOMPARE(rows.toY(100'000), 900.0);
    rows.fit(10, 5);
    QCOMPARE(rows.rowPx, 22.0); // few rows: capped height
    QCOMPARE(rows.toRow(0), 10.0);
    rows.scroll(-1e6, 15);
    QCOMPARE(rows.topRow, 0.0);
}

void TestTimelineGeometry::packsOverlappingIntervals_data()
{
    QTest::addColumn<QList<qint64>>("intervals"); // start, end pairs, sorted by start
    QTest::addColumn<int>("maxLanes");
    QTest::addColumn<QList<int>>("lanes");
    QTest::addColumn<int>("used");
    QTest::addRow("sequential share one lane")
        << QList<qint64> { 0, 10, 10, 20, 20, 30 } << 8 << QList<int> { 0, 0, 0 } << 1;
    QTest::addRow("overlapping stack")
        << QList<qint64> { 0, 10, 1, 11, 2, 12 } << 8 << QList<int> { 0, 1, 2 } << 3;
    QTest::addRow("freed lane reused")
        << QList<qint64> { 0, 10, 1, 5, 6, 8 } << 8 << QList<int> { 0, 1, 1 } << 2;
    QTest::addRow("overflow shares last lane")
        << QList<qint64> { 0, 10, 1, 10, 2, 10 } << 2 << QList<int> { 0, 1, 1 } << 2;
}

void TestTimelineGeometry::packsOverlappingIntervals()
{
    QFETCH(QList<qint64>, intervals);
    QFETCH(int, maxLanes);
    QFETCH(QList<int>, lanes);
    QFETCH(int, used);
    LanePacker packer(maxLanes);
    QList<int> got;
    for (qsizetype i = 0; i < intervals.size(); i += 2)
        got << packer.place(intervals[i], intervals[i + 1]);
    QCOMPARE(got, lanes);
    QCOMPARE(packer.lanesUsed(), used);
}

void TestTimelineGeometry::segmentsCoverTheBar()
{
    RequestRecord r;
    r.arrivedNs = 100;
    r.respondedNs = 1000;
    r.status = 200;
    r.spans[0] = { 200, 300, 1, Phase::DbRead, 0, 1 };
    r.spans[1] = { 300, 800, 1, Phase::Llm, 0, 1 };
    r.spans[2] = { 850, 900, 1, Phase::DbWrite, 0, 1 };
    r.spanCount = 3;
    QList<std::tuple<int, qint64, qint64>> got;
    TimelineData::forEachSegment(
        r, 0,
        [&](int c, qint64 s, qint64 e) {
            got.append({ c, s, e });
        },
        50);
    const QList<std::tuple<int, qint64, qint64>> expected
        = { { 0, 50, 100 }, // backlog before the server read it
            { 0, 100, 200 }, { int(Phase::DbRead) + 1, 200, 300 },  { int(Phase::Llm) + 1, 300, 800 },
            { 0, 800, 850 }, { int(Phase::DbWrite) + 1, 850, 900 }, { 0, 900, 1000 } };
    QCOMPARE(got, expected);

    TimelineData data;
    data.append(r);
    RequestRecord later = r;
    later.arrivedNs = 2000;
    later.respondedNs = 3000;
    later.spanCount = 0;
    data.append(later);
    QCOMPARE(data.lowerBoundArrival(1500), 1);
    QCOMPARE(data.firstOverlapping(950), 0);
    QCOMPARE(data.firstOverlapping(1500), 1);
}

QTEST_GUILESS_MAIN(TestTimelineGeometry)
#include "tst_timelinegeometry.moc"
