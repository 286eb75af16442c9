// CPU-bound work in the pipeline (issue 12): the GIL model, the process pool and bad input.
// Timing claims here are shapes with generous bounds; figures belong to tests/bench.
#include "base/traceclock.h"
#include "cli/serveroptions.h"
#include "pipeline/cpuwork.h"
#include "pipeline/interpreterlock.h"
#include "pipeline/processpool.h"
#include "report/runexport.h"
#include "scenariorun.h"
#include "serverfixture.h"
#include "timeline/threadlanemodel.h"
#include "timeline/timelinedata.h"
#include "timeline/tracesource.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QSignalSpy>
#include <QTest>
#include <QThread>
#include <cmath>
#include <csignal>

namespace {

QByteArray chatBody(int user, double cpuSeconds = -1)
{
    QJsonObject o { { QStringLiteral("user_id"), QStringLiteral("cpu-%1").arg(user) },
                    { QStringLiteral("message"), QStringLiteral("hash this") } };
    if (cpuSeconds >= 0)
        o.insert(QStringLiteral("options"), QJsonObject { { QStringLiteral("cpu_work_s"), cpuSeconds } });
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

ServerConfig cpuConfig(int poolSize, bool gil, double cpuSeconds)
{
    ServerConfig c = ServerFixture::quickConfig();
    c.mode = DispatchMode::Executor;
    c.poolSize = poolSize;
    c.gil = gil;
    c.cpuWorkSeconds = cpuSeconds;
    c.llm.latency.mean = 0.0;
    c.llm.firstTokenSeconds = 0.0;
    return c;
}

// The time `count` concurrent requests take, all answered 200.
double makespan(const ServerConfig &config, int count, QList<RequestRecord> *records = nullptr,
                std::vector<LockHold> *turns = nullptr)
{
    ServerFixture f;
    if (!f.start(config))
        return -1;
    const qint64 t0 = TraceClock::nowNs();
    const auto replies = f.concurrent(count, QStringLiteral("/v1/chat"), [](int i) { return chatBody(i); });
    const qint64 t1 = TraceClock::nowNs();
    for (const auto &r : replies) {
        if (r.status != 200)
            return -1;
    }
    if (records)
        *records = f.server.recorder()->readFrom(0);
    if (turns)
        *turns = f.server.recorder()->lockTrack().readFrom(0);
    return double(t1 - t0) / 1e9;
}

int countPhase(const QList<RequestRecord> &records, Phase phase)
{
    int n = 0;
    for (const RequestRecord &r : records) {
        for (int i = 0; i < r.spanCount; ++i)
            n += r.spans[size_t(i)].phase == phase;
    }
    return n;
}

} // namespace

class TestCpuWork : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { ProcessPool::setProgram(QStringLiteral(LOOPSCOPE_BINARY)); }

    void hashUsesThreadCpuTime()
    {
        const qint64 before = CpuWork::threadCpuNs();
        quint64 digest = 0;
        const qint64 used = CpuWork::hashFor(30'000'000, nullptr, nullptr, &digest);
        QVERIFY(used >= 30'000'000);
        QVERIFY(CpuWork::threadCpuNs() - before >= 30'000'000);
        QVERIFY(digest != 0);
    }

    void interpreterLockIsFifo()
    {
        InterpreterLock gil;
        QVERIFY(gil.tryAcquire());
        QVERIFY(!gil.tryAcquire());
        std::atomic<bool> got { false };
        QThread *t = QThread::create([&] {
            gil.acquire();
            got = true;
            gil.release();
        });
        t->start();
        QTRY_VERIFY(gil.othersWaiting());
        QVERIFY(!got);
        gil.release();
        QVERIFY(t->wait(5000));
        QVERIFY(got);
        QVERIFY(gil.tryAcquire());
        gil.release();
        delete t;
    }

    // With the GIL model, 10 pool threads finish CPU-bound requests no sooner than 1 thread does;
    // without it, C++ threads use the cores.
    void gilSerialisesCpuWork()
    {
        const int n = 6;
        const double cpu = 0.12;
        QList<RequestRecord> records;
        std::vector<LockHold> turns;
        const double gil1 = makespan(cpuConfig(1, true, cpu), n);
        const double gil10 = makespan(cpuConfig(10, true, cpu), n, &records, &turns);
        QVERIFY(gil1 > 0 && gil10 > 0);
        const QString info = QStringLiteral("GIL: 1 thread %1 s, 10 threads %2 s").arg(gil1).arg(gil10);
        QVERIFY2(gil1 >= n * cpu * 0.9, qPrintable(info)); // one at a time
        QVERIFY2(gil10 >= n * cpu * 0.9, qPrintable(info)); // still one at a time
        // Not much slower than one thread either. (Not asserted: "not faster" beyond the serial
        // bound above. On a loaded machine the scheduler favours threads woken by the lock's
        // hand-over over other processes, so 10 threads may finish sooner than 1 in wall time.)
        QVERIFY2(gil10 < gil1 * 1.5, qPrintable(info));
        QCOMPARE(countPhase(records, Phase::CpuWork), n); // one span per step: the turns are the lock's
        QVERIFY2(
            std::any_of(turns.begin(), turns.end(), [](const LockHold &h) { return h.startNs > h.askedNs; }),
            "threads waited for the interpreter lock");

        const double free1 = makespan(cpuConfig(1, false, cpu), n);
        const MachineLoad before = MachineLoad::now();
        const double free10 = makespan(cpuConfig(10, false, cpu), n, &records, &turns);
        // A speed-up needs a second core free of other processes' work during the run (as the
        // scenarios' min_cores figures do): a busy machine is not a failure of the lesson.
        const int freeCores = RunResult::availableCores()
            - int(std::lround(MachineLoad::othersBusyCores(before, MachineLoad::now())));
        QVERIFY(free1 > 0 && free10 > 0);
        QVERIFY(turns.empty());
        const QString info2 = QStringLiteral("no GIL: 1 thread %1 s, 10 threads %2 s, %3 cores free")
                                  .arg(free1)
                                  .arg(free10)
                                  .arg(freeCores);
        if (freeCores > 1)
            QVERIFY2(free10 < free1 * 0.8, qPrintable(info2));
        else
            QVERIFY2(free10 < free1 * 1.5, qPrintable(info2));
    }

    // Issue 18's done-when: cpu_bound variant B (10 pool threads under the GIL) stores the lock's
    // turns in run.json, no two holds overlap, and every CPU-work piece the views draw under the
    // GIL (the window's and the report's lanes, trace.json's slices) lies inside one of its
    // thread's holds: no two threads are ever drawn computing at once.
    void gilTurnsInRunJson()
    {
        QString error;
        RunResult back;
        QVERIFY2(RunResult::fromJson(
                     QJsonDocument::fromJson(RunExport::runJson(runScenario(QStringLiteral("cpu_bound"), 0.25,
                                                                            QStringLiteral("B"))))
                         .object(),
                     &back, &error),
                 qPrintable(error));
        QCOMPARE(back.variants.size(), 1);
        const VariantResult &v = back.variants[0];
        std::vector<LockHold> holds = v.lockHolds;
        QVERIFY2(holds.size() >= 8, qPrintable(QString::number(holds.size()))); // 4 users, 5 ms turns
        std::sort(holds.begin(), holds.end(),
                  [](const LockHold &a, const LockHold &b) { return a.startNs < b.startNs; });
        QSet<quint16> threads;
        for (size_t i = 0; i < holds.size(); ++i) {
            QVERIFY(holds[i].startNs >= holds[i].askedNs && holds[i].endNs >= holds[i].startNs);
            if (i + 1 < holds.size())
                QVERIFY2(holds[i].endNs <= holds[i + 1].startNs, "two threads held the GIL at once");
            threads.insert(holds[i].thread);
        }
        QVERIFY(threads.size() >= 2); // the lock changed hands between pool threads
        const auto insideAHold = [&](quint16 thread, qint64 s, qint64 e) {
            return std::any_of(holds.begin(), holds.end(), [&](const LockHold &h) {
                return h.thread == thread && h.startNs <= s && e <= h.endNs;
            });
        };
        // The lanes every view reads.
        TimelineData data;
        SavedRunSource(&v).pull(data);
        ThreadLaneModel lanes;
        lanes.sync(data);
        lanes.select(v.startNs, data.latestNs() + 1, data.latestNs());
        int cpuPieces = 0;
        for (qsizetype l = 0; l < lanes.rowCount(); ++l) {
            const quint16 thread = lanes.lanes()[size_t(l)].thread;
            if (!threads.contains(thread))
                continue;
            lanes.forEachPiece(l, [&](const TimelinePiece &pc) {
                if (pc.colour != int(Phase::CpuWork) + 1)
                    return;
                ++cpuPieces;
                QVERIFY2(insideAHold(thread, pc.startNs, pc.endNs),
                         qPrintable(QStringLiteral("CPU work outside a hold on %1").arg(lanes.row(l).label)));
            });
        }
        QVERIFY(cpuPieces >= int(holds.size()) / 2);
        // trace.json: every cpu_work slice on a thread's track (tid = thread + 1), in run time (us).
        const QJsonArray events = QJsonDocument::fromJson(RunExport::traceJson(back))
                                      .object()
                                      .value(QStringLiteral("traceEvents"))
                                      .toArray();
        int slices = 0;
        for (const QJsonValue &x : events) {
            const QJsonObject e = x.toObject();
            if (e.value(QStringLiteral("ph")).toString() != QLatin1String("X")
                || e.value(QStringLiteral("name")).toString() != QLatin1String("cpu_work"))
                continue;
            const quint16 thread = quint16(e.value(QStringLiteral("tid")).toInt() - 1);
            const qint64 s0
                = v.startNs + qint64(std::llround(e.value(QStringLiteral("ts")).toDouble() * 1e3));
            const qint64 e0 = s0 + qint64(std::llround(e.value(QStringLiteral("dur")).toDouble() * 1e3));
            QVERIFY2(insideAHold(thread, s0 + 1000, e0 - 1000) || e0 - s0 < 2000,
                     "a cpu_work slice outside a hold");
            ++slices;
        }
        QVERIFY(slices >= int(holds.size()) / 2);
    }

    // Async mode: the CPU step runs on the loop thread whatever the pipeline's awaits.
    void asyncRunsCpuWorkOnTheLoop()
    {
        ServerConfig c = cpuConfig(4, false, 0.05);
        c.mode = DispatchMode::Async;
        ServerFixture f;
        QVERIFY(f.start(c));
        const auto r = f.request("POST", QStringLiteral("/v1/chat"), chatBody(1));
        QCOMPARE(r.status, 200);
        const QList<RequestRecord> records = f.server.recorder()->readFrom(0);
        QCOMPARE(records.size(), 1);
        bool found = false;
        for (int i = 0; i < records[0].spanCount; ++i) {
            const TraceSpan &s = records[0].spans[size_t(i)];
            if (s.phase == Phase::CpuWork) {
                found = true;
                QCOMPARE(s.thread, records[0].loopThread);
                QVERIFY(s.endNs - s.startNs >= 50'000'000);
            }
        }
        QVERIFY(found);
    }

    // A pool process killed mid-request: that request gets a 502, the pool replaces the process
    // and later requests succeed.
    void killedPoolProcessFailsOnlyItsRequest()
    {
        ServerConfig c = cpuConfig(1, false, 0.0);
        c.executor = ExecutorKind::Processes;
        ServerFixture f;
        QVERIFY(f.start(c));
        // Warm up: the first request starts the process (its start-up is traced).
        auto first = f.request("POST", QStringLiteral("/v1/chat"), chatBody(1, 0.01));
        QCOMPARE(first.status, 200);
        QVERIFY(countPhase(f.server.recorder()->readFrom(0), Phase::Other) >= 1);
        auto stats = f.request("GET", QStringLiteral("/v1/stats"));
        const QJsonArray pids
            = stats.json.value(QStringLiteral("process_pool")).toObject().value("pids").toArray();
        QCOMPARE(pids.size(), 1);
        const qint64 victim = qint64(pids[0].toDouble());
        QVERIFY(victim > 0);

        QNetworkAccessManager nam;
        QNetworkReply *doomed = f.startPost(nam, QStringLiteral("/v1/chat"), chatBody(2, 5.0));
        QSignalSpy doomedDone(doomed, &QNetworkReply::finished);
        // Once its pipeline runs on a pool thread, the next request queues for the one process.
        QTRY_VERIFY_WITH_TIMEOUT(f.server.counters()->poolActive.load() >= 1, 10000);
        QNetworkReply *other = f.startPost(nam, QStringLiteral("/v1/chat"), chatBody(3, 0.01));
        QSignalSpy otherDone(other, &QNetworkReply::finished);
        QTRY_VERIFY_WITH_TIMEOUT(f.server.counters()->poolActive.load() >= 2, 10000);
        QVERIFY(::kill(pid_t(victim), SIGKILL) == 0);
        QVERIFY(doomedDone.wait(20000) || doomedDone.count() == 1);
        QCOMPARE(doomed->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 502);
        const QJsonObject error = QJsonDocument::fromJson(doomed->readAll()).object();
        QCOMPARE(error.value(QStringLiteral("error")).toString(), QStringLiteral("executor_failed"));
        QVERIFY(error.value(QStringLiteral("detail")).toString().contains(QString::number(victim)));
        QVERIFY(otherDone.count() == 1 || otherDone.wait(20000));
        QCOMPARE(other->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);

        auto after = f.request("POST", QStringLiteral("/v1/chat"), chatBody(4, 0.01));
        QCOMPARE(after.status, 200);
        stats = f.request("GET", QStringLiteral("/v1/stats"));
        const QJsonObject pool = stats.json.value(QStringLiteral("process_pool")).toObject();
        QCOMPARE(pool.value(QStringLiteral("started")).toInt(), 2);
        const QJsonArray now = pool.value(QStringLiteral("pids")).toArray();
        QCOMPARE(now.size(), 1);
        QVERIFY(qint64(now[0].toDouble()) != victim);
        QCOMPARE(f.server.counters()->failed.load(), quint64(1));
    }

    void badCpuWorkIsRefused_data()
    {
        QTest::addColumn<QByteArray>("options");
        QTest::addRow("negative") << QByteArray(R"({"cpu_work_s":-1})");
        QTest::addRow("absurd") << QByteArray(R"({"cpu_work_s":11})");
        QTest::addRow("huge") << QByteArray(R"({"cpu_work_s":1e308})");
        QTest::addRow("a string") << QByteArray(R"({"cpu_work_s":"1"})");
        QTest::addRow("a bool") << QByteArray(R"({"cpu_work_s":true})");
    }
    void badCpuWorkIsRefused()
    {
        QFETCH(QByteArray, options);
        ServerFixture f;
        QVERIFY(f.start(cpuConfig(2, false, 0)));
        const QByteArray body = R"({"user_id":"u","message":"m","options":)" + options + "}";
        const auto r = f.request("POST", QStringLiteral("/v1/chat"), body);
        QCOMPARE(r.status, 400);
        QCOMPARE(r.json.value(QStringLiteral("error")).toString(), QStringLiteral("invalid_request"));
        QVERIFY(r.json.value(QStringLiteral("detail")).toString().contains(QStringLiteral("cpu_work_s")));
    }

    void badCommandLineIsRefused_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("messagePart");
        QTest::addRow("negative") << QStringList { "--cpu-work", "-1" } << "--cpu-work";
        QTest::addRow("nan") << QStringList { "--cpu-work", "nan" } << "--cpu-work";
        QTest::addRow("absurd") << QStringList { "--cpu-work", "11" } << "--cpu-work";
        QTest::addRow("executor") << QStringList { "--executor", "fibers" } << "--executor";
        QTest::addRow("no processes")
            << QStringList { "--executor", "process", "--pool-size", "0" } << "--pool-size";
    }
    void badCommandLineIsRefused()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, messagePart);
        QCommandLineParser p;
        ServerOptions::add(p);
        QVERIFY(p.parse(QStringList { "loopscope" } + args));
        ServerConfig c;
        QString error;
        QVERIFY(!ServerOptions::read(p, &c, &error));
        QVERIFY2(error.contains(messagePart), qPrintable(error));
    }

    void goodCommandLineIsRead()
    {
        QCommandLineParser p;
        ServerOptions::add(p);
        QVERIFY(p.parse(
            { "loopscope", "--cpu-work", "0.25", "--executor", "process", "--pool-size", "3", "--gil" }));
        ServerConfig c;
        QString error;
        QVERIFY2(ServerOptions::read(p, &c, &error), qPrintable(error));
        QCOMPARE(c.cpuWorkSeconds, 0.25);
        QCOMPARE(c.executor, ExecutorKind::Processes);
        QCOMPARE(c.processPoolSize(), 3);
        QVERIFY(c.gil);
    }
};

QTEST_MAIN(TestCpuWork)
#include "tst_cpuwork.moc"
