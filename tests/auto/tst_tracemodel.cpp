// The trace model (core/timeline), headless: lanes and their kinds, packing into sub-lanes, the
// time index extended as records append and finish, selecting what is in view, each worker
// loop's blocked share, the two record sources, and lane kinds kept in run.json.
#include "base/threadregistry.h"
#include "scenario/runresult.h"
#include "timeline/axisticks.h"
#include "timeline/pixelrow.h"
#include "timeline/requestrowmodel.h"
#include "timeline/threadlanemodel.h"
#include "timeline/timelinedata.h"
#include "timeline/tracesource.h"
#include "trace/tracerecorder.h"

#include <QJsonObject>
#include <QTest>

namespace {

// Lanes of a saved run (its own names and kinds): 0 a worker loop, 1 a pool thread, 2 a service
// whose name starts like a worker's (the kind decides, not the name), 3 another worker loop.
TimelineData savedLanes()
{
    TimelineData d;
    d.setThreadNames({ QStringLiteral("worker-0"), QStringLiteral("pool-0"), QStringLiteral("worker-svc"),
                       QStringLiteral("worker-1") },
                     { LaneKind::WorkerLoop, LaneKind::PoolThread, LaneKind::Service, LaneKind::WorkerLoop });
    return d;
}

RequestRecord request(qint64 arrived, qint64 responded, DispatchMode mode = DispatchMode::Async)
{
    RequestRecord r;
    r.arrivedNs = arrived;
    r.respondedNs = responded;
    r.status = responded > 0 ? 200 : 0;
    r.mode = mode;
    return r;
}

void addSpan(RequestRecord &r, Phase phase, qint64 s, qint64 e, quint16 thread)
{
    const int k = r.beginSpan(phase, s, thread);
    if (e > 0)
        r.endSpan(k, e);
}

int maxSub(const ThreadLaneModel::Lane &)
{
    return 8;
}

// Sub-lanes of the pieces in view of lane `l`, in start order.
QList<int> subsOf(const ThreadLaneModel &m, int l)
{
    QList<std::pair<qint64, int>> got;
    m.view()[size_t(l)].forEachPiece([&](const ThreadLaneModel::Piece &pc, quint8 sub) {
        got.append({ pc.s, int(sub) });
    });
    std::sort(got.begin(), got.end());
    QList<int> subs;
    for (const auto &[s, sub] : got)
        subs << sub;
    return subs;
}

int laneNamed(const ThreadLaneModel &m, const QString &name)
{
    for (size_t l = 0; l < m.lanes().size(); ++l) {
        if (m.lanes()[l].name == name)
            return int(l);
    }
    return -1;
}

} // namespace

class TestTraceModel : public QObject
{
    Q_OBJECT
private slots:
    void lanesAreOrderedByKindNotName();
    void packsOverlappingSpansIntoSubLanes();
    void selectsWhatOverlapsTheWindow();
    void indexGrowsAsRecordsAppendAndFinish();
    void rereadMovesFinishedRecords();
    void blockedShareCountsOnlyLoopsAndOverlapsOnce();
    void serviceLanesFromTheRegistryNeedNoThread();
    void savedRunSourceBringsLaneKinds();
    void runJsonKeepsLaneKinds();
    void requestRowsReadTheSameData();
    void rulerStepsAreOneTwoFive_data();
    void rulerStepsAreOneTwoFive();
    void pixelRowAveragesWhatSharesAPixel();
    void bothModelsAnswerTheSameInterface();
};

void TestTraceModel::lanesAreOrderedByKindNotName()
{
    TimelineData d = savedLanes();
    RequestRecord r = request(0, 100);
    for (quint16 t : { 2, 1, 3, 0 })
        addSpan(r, Phase::DbRead, 10, 20, t);
    d.append(r);
    ThreadLaneModel m;
    m.sync(d);
    QStringList names;
    QList<LaneKind> kinds;
    for (const auto &lane : m.lanes()) {
        names << lane.name;
        kinds << lane.kind;
    }
    QCOMPARE(names, (QStringList { "worker-0", "worker-1", "pool-0", "worker-svc" }));
    QCOMPARE(kinds,
             (QList<LaneKind> { LaneKind::WorkerLoop, LaneKind::WorkerLoop, LaneKind::PoolThread,
                                LaneKind::Service }));
}

void TestTraceModel::packsOverlappingSpansIntoSubLanes()
{
    TimelineData d = savedLanes();
    // Pool lane: [0,100] [10,50] [20,30] overlap (three sub-lanes); [60,90] reuses sub-lane 1
    // (free since 50); [95,99] sub-lane 1 again.
    const QList<std::pair<qint64, qint64>> spans
        = { { 0, 100 }, { 10, 50 }, { 20, 30 }, { 60, 90 }, { 95, 99 } };
    for (const auto &[s, e] : spans) {
        RequestRecord r = request(s, e);
        addSpan(r, Phase::Llm, s, e, 1);
        d.append(r);
    }
    ThreadLaneModel m;
    m.sync(d);
    const int pool = laneNamed(m, "pool-0");
    m.select(0, 1000, 1000, maxSub);
    QCOMPARE(subsOf(m, pool), (QList<int> { 0, 1, 2, 1, 1 }));
    QCOMPARE(m.view()[size_t(pool)].used, 3);
    // At most two sub-lanes: the overflow shares the last.
    m.select(0, 1000, 1000, [](const ThreadLaneModel::Lane &) { return 2; });
    QCOMPARE(subsOf(m, pool), (QList<int> { 0, 1, 1, 1, 1 }));
    QCOMPARE(m.view()[size_t(pool)].used, 2);
}

void TestTraceModel::selectsWhatOverlapsTheWindow()
{
    TimelineData d = savedLanes();
    // On the pool lane: a long span [0, 1000] and short ones every 100 ns, 10 long.
    RequestRecord longOne = request(0, 1000);
    addSpan(longOne, Phase::Llm, 0, 1000, 1);
    d.append(longOne);
    for (qint64 t = 100; t < 1000; t += 100) {
        RequestRecord r = request(t, t + 10);
        addSpan(r, Phase::DbRead, t, t + 10, 1);
        d.append(r);
    }
    ThreadLaneModel m;
    m.sync(d);
    const int pool = laneNamed(m, "pool-0");
    // [450, 620]: the long span (it started long before: found through the running max of ends)
    // and those at 500 and 600; not 400 (ended at 410) nor 700.
    m.select(450, 620, 2000, maxSub);
    QList<qint64> starts;
    m.view()[size_t(pool)].forEachPiece([&](const ThreadLaneModel::Piece &pc, quint8) { starts << pc.s; });
    QCOMPARE(starts, (QList<qint64> { 0, 500, 600 }));
    QCOMPARE(m.piecesInView(), size_t(3));
    // Entirely after the data: nothing.
    m.select(5000, 6000, 7000, maxSub);
    QCOMPARE(m.piecesInView(), size_t(0));
}

void TestTraceModel::indexGrowsAsRecordsAppendAndFinish()
{
    const quint16 loop = ThreadRegistry::registerLane(QStringLiteral("tst-loop"), LaneKind::WorkerLoop);
    TraceRecorder recorder(1024);
    TimelineData d;
    RecorderSource live(&recorder);
    ThreadLaneModel m;

    RequestRecord done = request(100, 200);
    addSpan(done, Phase::DbRead, 110, 190, loop);
    recorder.begin(done);
    RequestRecord running = request(300, 0);
    addSpan(running, Phase::Llm, 310, 0, loop); // still waiting for the model
    const quint64 seq = recorder.begin(running);
    QVERIFY(live.pull(d));
    m.sync(d);
    QCOMPARE(m.indexedPieces(), size_t(1)); // only the finished record is indexed
    m.select(0, 1000, 500, maxSub);
    const auto &v = m.view()[size_t(laneNamed(m, "tst-loop"))];
    QCOMPARE(v.indexed.size(), size_t(1));
    QCOMPARE(v.running.size(), size_t(1));
    QCOMPARE(v.running[0].e, qint64(500)); // a running span ends at "now"

    // It finishes: the next pull moves it into the index; nothing is rebuilt.
    running.spans[0].endNs = 400;
    running.respondedNs = 410;
    running.status = 200;
    recorder.publish(seq, running);
    QVERIFY(live.pull(d));
    m.sync(d);
    QCOMPARE(m.indexedPieces(), size_t(2));
    // Appending 1000 more (in start order, and one that started earlier than the last): each sync
    // adds what is new.
    for (int i = 0; i < 1000; ++i) {
        RequestRecord r = request(1000 + i * 10, 1000 + i * 10 + 5);
        addSpan(r, Phase::Respond, 1000 + i * 10, 1000 + i * 10 + 5, loop);
        recorder.begin(r);
    }
    RequestRecord early = request(150, 2000);
    addSpan(early, Phase::DbWrite, 150, 20000, loop); // out of order, and reaching far
    recorder.begin(early);
    QVERIFY(live.pull(d));
    m.sync(d);
    QCOMPARE(m.indexedPieces(), size_t(1003));
    QCOMPARE(m.rebuilds(), 1);
    // The late-inserted long span keeps the running max right: a window at 15000 finds it.
    m.select(15000, 16000, 16000, maxSub);
    QCOMPARE(m.piecesInView(), size_t(1));
    QVERIFY(!live.pull(d)); // nothing new
    // Cleared (a new session): the index starts again.
    recorder.clear();
    d.clear();
    m.sync(d);
    QCOMPARE(m.indexedPieces(), size_t(0));
    QCOMPARE(m.rebuilds(), 2);
}

// Observed requests moved by applied clock offsets are published again although finished: a
// pull does not look at finished records, reread() takes them all again, in place, and the lane
// index is rebuilt with the new times.
void TestTraceModel::rereadMovesFinishedRecords()
{
    const quint16 lane = ThreadRegistry::registerLane(QStringLiteral("tst-moved"), LaneKind::Service);
    TraceRecorder recorder(1024);
    TimelineData d;
    RecorderSource live(&recorder);
    ThreadLaneModel m;
    QList<RequestRecord> sent;
    for (int i = 0; i < 3; ++i) {
        RequestRecord r = request(1000 + i * 100, 1050 + i * 100);
        addSpan(r, Phase::Handler, 1000 + i * 100, 1050 + i * 100, lane);
        recorder.begin(r);
        sent.append(r);
    }
    QVERIFY(live.pull(d));
    m.sync(d);
    QCOMPARE(d.latestNs(), qint64(1250));
    const quint64 generation = d.generation();
    for (int i = 0; i < 3; ++i) { // 500 ns earlier
        RequestRecord r = sent[i];
        r.arrivedNs -= 500;
        r.respondedNs -= 500;
        r.spans[0].startNs -= 500;
        r.spans[0].endNs -= 500;
        recorder.publish(quint64(i), r);
    }
    QVERIFY(!live.pull(d)); // finished records are not read again by a pull
    QCOMPARE(d.at(0).arrivedNs, qint64(1000));
    const quint64 version = d.version();
    d.reread(recorder);
    QVERIFY(d.version() != version);
    QCOMPARE(d.generation(), generation + 1);
    QCOMPARE(d.size(), qsizetype(3));
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(d.at(i).arrivedNs, sent[i].arrivedNs - 500);
        QCOMPARE(d.at(i).spans[0].endNs, sent[i].spans[0].endNs - 500);
    }
    QCOMPARE(d.latestNs(), qint64(750));
    QCOMPARE(d.firstOverlapping(600), qsizetype(1)); // the first ends at 550 now
    m.sync(d);
    QCOMPARE(m.rebuilds(), 2);
    m.select(0, 560, 2000, maxSub);
    QCOMPARE(m.piecesInView(), size_t(1)); // only the first, moved to 500..550
    // New records still arrive after it, at the next position.
    recorder.begin(request(2000, 2100));
    QVERIFY(live.pull(d));
    QCOMPARE(d.size(), qsizetype(4));
    QCOMPARE(d.at(3).arrivedNs, qint64(2000));
}

void TestTraceModel::blockedShareCountsOnlyLoopsAndOverlapsOnce()
{
    TimelineData d = savedLanes();
    // worker-0: blocking calls [0,200] and [100,300] (overlap counted once) and an async one
    // [500,900] (the loop is free while it waits). Window [0,1000]: blocked 30%.
    RequestRecord a = request(0, 300, DispatchMode::Blocking);
    addSpan(a, Phase::DbRead, 0, 200, 0);
    addSpan(a, Phase::Llm, 100, 300, 0);
    d.append(a);
    RequestRecord b = request(500, 900, DispatchMode::Async);
    addSpan(b, Phase::Llm, 500, 900, 0);
    d.append(b);
    // The same blocking call on a pool thread blocks no loop; on a service lane neither.
    RequestRecord c = request(0, 800, DispatchMode::Blocking);
    addSpan(c, Phase::Llm, 0, 800, 1);
    addSpan(c, Phase::Llm, 0, 800, 2);
    d.append(c);
    ThreadLaneModel m;
    m.sync(d);
    m.select(0, 1000, 1000, maxSub);
    QCOMPARE(m.view()[size_t(laneNamed(m, "worker-0"))].blockedShare, 0.3);
    QCOMPARE(m.view()[size_t(laneNamed(m, "pool-0"))].blockedShare, 0.0);
    QCOMPARE(m.view()[size_t(laneNamed(m, "worker-svc"))].blockedShare, 0.0);
    // Only the part in the window counts: [150, 350] holds [150, 300] blocked.
    m.select(150, 350, 1000, maxSub);
    QCOMPARE(m.view()[size_t(laneNamed(m, "worker-0"))].blockedShare, 0.75);
}

void TestTraceModel::serviceLanesFromTheRegistryNeedNoThread()
{
    // An observed service registers many lanes; no thread of this process runs them.
    TraceRecorder recorder(4096);
    std::vector<quint16> lanes;
    for (int i = 0; i < 300; ++i)
        lanes.push_back(ThreadRegistry::registerLane(QStringLiteral("svc-%1").arg(i), LaneKind::Service));
    for (int i = 0; i < 300; ++i) {
        RequestRecord r = request(i * 10, i * 10 + 50);
        addSpan(r, Phase::Other, i * 10, i * 10 + 50, lanes[size_t(i)]);
        recorder.begin(r);
    }
    TimelineData d;
    RecorderSource(&recorder).pull(d);
    ThreadLaneModel m;
    m.sync(d);
    QCOMPARE(m.lanes().size(), size_t(300));
    for (const auto &lane : m.lanes())
        QCOMPARE(lane.kind, LaneKind::Service);
    QCOMPARE(m.lanes().front().name, QStringLiteral("svc-0"));
    m.select(0, 10000, 10000, maxSub);
    QCOMPARE(m.piecesInView(), size_t(300));
}

void TestTraceModel::savedRunSourceBringsLaneKinds()
{
    VariantResult v;
    v.threadNames = { QStringLiteral("loop-a"), QStringLiteral("p") };
    v.threadKinds = { LaneKind::WorkerLoop, LaneKind::Process };
    RequestRecord r = request(10, 20);
    addSpan(r, Phase::CpuWork, 10, 20, 1);
    v.server.append(r);
    RequestRecord o = request(5, 30);
    v.other.append(o);
    TimelineData d;
    SavedRunSource source(&v);
    QVERIFY(source.pull(d));
    QVERIFY(!source.pull(d)); // a saved run does not change
    QCOMPARE(d.size(), qsizetype(2));
    QVERIFY(d.isOther(0)); // arrival order: the other traffic came first
    QCOMPARE(d.laneKind(0), LaneKind::WorkerLoop);
    QCOMPARE(d.laneKind(1), LaneKind::Process);
    QCOMPARE(d.threadName(1), QStringLiteral("p"));
}

void TestTraceModel::runJsonKeepsLaneKinds()
{
    VariantResult v;
    v.threadNames = { QStringLiteral("main"), QStringLiteral("worker-0"), QStringLiteral("svc") };
    v.threadKinds = { LaneKind::Other, LaneKind::WorkerLoop, LaneKind::Service };
    QJsonObject j = v.toJson();
    QCOMPARE(VariantResult::fromJson(j).threadKinds, v.threadKinds);
    // A run.json from before lanes had kinds: derived from the names it used then.
    j.remove(QStringLiteral("thread_kinds"));
    QCOMPARE(VariantResult::fromJson(j).threadKinds,
             (QList<LaneKind> { LaneKind::Other, LaneKind::WorkerLoop, LaneKind::Other }));
}

void TestTraceModel::requestRowsReadTheSameData()
{
    TimelineData d;
    RequestRecord r = request(100, 1000);
    addSpan(r, Phase::DbRead, 200, 300, 0);
    d.append(r);
    RequestRecord running = request(2000, 0);
    d.append(running, true);
    RequestRowModel rows(&d);
    QCOMPARE(rows.rowCount(), qsizetype(2));
    QVERIFY(rows.isOther(1));
    QCOMPARE(rows.barEndNs(1, 5000), qint64(5000));
    QCOMPARE(rows.firstRowReaching(1500), qsizetype(1));
    QList<int> cats;
    rows.forEachPiece(0, 0, [&](int cat, qint64, qint64) { cats << cat; });
    QCOMPARE(cats, (QList<int> { 0, int(Phase::DbRead) + 1, 0 }));
}

// The ruler's tick step (a label about every 110 px) and the reports' axes use one 1-2-5 rule.
void TestTraceModel::rulerStepsAreOneTwoFive_data()
{
    QTest::addColumn<double>("raw");
    QTest::addColumn<double>("step");
    QTest::addColumn<int>("decimals");
    QTest::addRow("0.137 s") << 0.137 << 0.2 << 1;
    QTest::addRow("exactly 0.5") << 0.5 << 0.5 << 1;
    QTest::addRow("3 ms") << 0.003 << 0.005 << 3;
    QTest::addRow("6 s") << 6.0 << 10.0 << 0;
    QTest::addRow("1.01") << 1.01 << 2.0 << 0;
}

void TestTraceModel::rulerStepsAreOneTwoFive()
{
    QFETCH(double, raw);
    QFETCH(double, step);
    QFETCH(int, decimals);
    QVERIFY(qFuzzyCompare(AxisTicks::stepAtLeast(raw), step));
    QCOMPARE(AxisTicks::decimalsFor(step), decimals);
    const QList<double> t = AxisTicks::fromZero(raw * 6, 5);
    QCOMPARE(t.front(), 0.0);
    QVERIFY(t.back() >= raw * 6 * (1 - 1e-9));
    QVERIFY(t.size() <= 5 + 2);
}

// The level of detail of every timeline: a pixel shared by two colours is their average, a pixel
// covered by one keeps it, runs of equal pixels come out as one rectangle, and the row is empty
// again afterwards.
void TestTraceModel::pixelRowAveragesWhatSharesAPixel()
{
    PixelRow row(10);
    row.add(0, 4, 0x0000ff);
    row.add(3.5, 6, 0xff0000); // shares pixel 3 with the blue one
    row.add(8.2, 8.3, 0x00ff00); // thinner than a pixel: still one pixel
    QList<std::tuple<int, int, quint32>> runs;
    row.resolveRuns([&](int x0, int x1, quint32 rgb) { runs.append({ x0, x1, rgb }); });
    QCOMPARE(runs.size(), 4);
    QCOMPARE(runs[0], std::make_tuple(0, 3, quint32(0x0000ff)));
    QCOMPARE(runs[1], std::make_tuple(3, 4, quint32(0x7f007f)));
    QCOMPARE(runs[2], std::make_tuple(4, 6, quint32(0xff0000)));
    QCOMPARE(runs[3], std::make_tuple(8, 9, quint32(0x00ff00)));
    QVERIFY(!row.any());
    int pixels = 0;
    row.resolve([&](int, quint32) { ++pixels; });
    QCOMPARE(pixels, 0);
    row.add(-5, 100, 0x123456); // clipped to the row
    row.resolve([&](int, quint32 rgb) { pixels += rgb == 0x123456; });
    QCOMPARE(pixels, 10);
}

// The window, the reports and trace.json read either model through TimelineModel: rows, a range
// query and pieces with their colour key and whether they held the thread.
void TestTraceModel::bothModelsAnswerTheSameInterface()
{
    TimelineData d = savedLanes();
    RequestRecord r = request(100, 1000, DispatchMode::Blocking);
    addSpan(r, Phase::DbRead, 200, 400, 0);
    addSpan(r, Phase::CpuWork, 400, 700, 0);
    d.append(r);
    RequestRecord late = request(5000, 6000, DispatchMode::Blocking);
    addSpan(late, Phase::Llm, 5100, 5900, 0);
    d.append(late);
    ThreadLaneModel lanes;
    lanes.sync(d);
    RequestRowModel rows(&d);
    QList<TimelineModel *> models { &lanes, &rows };
    for (TimelineModel *m : models) {
        m->select(0, 1000, 6000); // the first request only
        QList<std::tuple<qint64, qint64, int, bool>> got;
        for (qsizetype i = 0; i < m->rowCount(); ++i)
            m->forEachPiece(i, [&](const TimelinePiece &pc) {
                if (pc.colour > 0)
                    got.append({ pc.startNs, pc.endNs, pc.colour, pc.holdsThread });
            });
        std::sort(got.begin(), got.end());
        QCOMPARE(
            got,
            (QList<std::tuple<qint64, qint64, int, bool>> { { 200, 400, int(Phase::DbRead) + 1, true },
                                                            { 400, 700, int(Phase::CpuWork) + 1, true } }));
        const TimelineDetails det = m->details(0, 6000);
        QCOMPARE(det.steps.size(), 2);
        QCOMPARE(det.steps[1].phase, Phase::CpuWork);
        QCOMPARE(det.steps[1].thread, QStringLiteral("worker-0"));
    }
    QCOMPARE(lanes.row(0).label, QStringLiteral("worker-0"));
    QCOMPARE(lanes.row(0).kind, LaneKind::WorkerLoop);
    QCOMPARE(rows.row(1).label, QStringLiteral("#0"));
}

QTEST_GUILESS_MAIN(TestTraceModel)
#include "tst_tracemodel.moc"
