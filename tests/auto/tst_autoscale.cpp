// The auto-scaling supervisor (--workers-min/--workers-max, seed 2's UltimateSupervisor) and the
// resource tracks (process CPU, per-thread CPU, resident memory, thread count).
#include "base/threadregistry.h"
#include "base/traceclock.h"
#include "cli/serveroptions.h"
#include "load/loadgenerator.h"
#include "loadrun.h"
#include "serverfixture.h"
#include "trace/processresources.h"

#include <QCommandLineParser>
#include <QDir>
#include <QHash>
#include <QSet>
#include <QSignalSpy>
#include <QTest>
#include <atomic>
#include <pthread.h>
#include <thread>
#include <time.h>

namespace {

int count(const QList<ScaleEvent> &events, ScaleEvent::Kind kind)
{
    return int(
        std::count_if(events.begin(), events.end(), [kind](const ScaleEvent &e) { return e.kind == kind; }));
}

QString describe(const QList<ScaleEvent> &events)
{
    QStringList out;
    for (const ScaleEvent &e : events)
        out << QStringLiteral("%1 (%2) -> %3").arg(ScaleEvent::kindName(e.kind), e.reason).arg(e.workers);
    return out.join(QStringLiteral("; "));
}

} // namespace

class TestAutoscale : public QObject
{
    Q_OBJECT
private slots:
    void supervisorGrowsAndShrinksOnABurst();
    void resourceSamplingIsPlausible();
    void serverSamplesResources();
    void badWorkerSettings_data();
    void badWorkerSettings();
    void badCommandLine_data();
    void badCommandLine();
};

void TestAutoscale::supervisorGrowsAndShrinksOnABurst()
{
    ServerFixture f;
    ServerConfig c = ServerFixture::quickConfig();
    c.mode = DispatchMode::Blocking; // sync workers: waiting requests queue in the kernel
    c.workers = 2;
    c.workersMin = 2;
    c.workersMax = 4;
    c.scaleUpWaiting = 5;
    c.scaleDownIdleSeconds = 0.4;
    c.llm.latency.mean = 0.15;
    QVERIFY(f.start(c));
    QCOMPARE(f.server.liveWorkers(), 2);

    LoadSettings s;
    s.users = 40;
    s.baseUrl = f.server.url();
    s.apiKey = f.server.apiKey();
    for (int round = 0; round < 2; ++round) {
        const QList<ClientRecord> records = runLoad(s);
        QCOMPARE(records.size(), 40);
        for (const ClientRecord &r : records)
            QVERIFY2(r.ok(),
                     qPrintable(QStringLiteral("round %1: %2 status %3")
                                    .arg(round)
                                    .arg(clientErrorName(r.error))
                                    .arg(r.status)));
        // 40 requests of 0.15 s on 2 loops wait far more than 5: the supervisor grew to 4 ...
        const QList<ScaleEvent> events = f.server.scaleEvents();
        QVERIFY2(count(events, ScaleEvent::Kind::ScaleUp) >= round + 2, qPrintable(describe(events)));
        QVERIFY2(
            std::any_of(events.begin(), events.end(), [](const ScaleEvent &e) { return e.workers == 4; }),
            qPrintable(describe(events)));
        QVERIFY(events.first().reason.contains(QLatin1String("waiting > 5")));
        // ... and, once idle, retires the extra loops down to 2 (never below).
        QTRY_COMPARE_WITH_TIMEOUT(f.server.liveWorkers(), 2, 15000);
        QTRY_VERIFY_WITH_TIMEOUT(
            count(f.server.scaleEvents(), ScaleEvent::Kind::ScaleDown) >= 2 * (round + 1), 15000);
    }
    const QList<ScaleEvent> events = f.server.scaleEvents();
    for (const ScaleEvent &e : events) {
        QVERIFY2(e.workers >= 2 && e.workers <= 4, qPrintable(describe(events)));
        if (e.kind == ScaleEvent::Kind::ScaleDown)
            QVERIFY2(e.reason.contains(QLatin1String("idle")), qPrintable(e.reason));
    }
    // The retired loops' requests all finished: nothing failed on the server side either.
    QCOMPARE(f.server.counters()->failed.load(), quint64(0));
    QCOMPARE(f.server.counters()->completed.load(), quint64(80));
    // The workers counter track shows the change.
    int peak = 0;
    for (const CounterSample &k : f.server.counterSeries()->readFrom(0))
        peak = std::max(peak, k.workers);
    QCOMPARE(peak, 4);
    // The second round re-added loops 2 and 3 after their retirement: new threads, so lanes of
    // their own, and every worker lane that served a request has a name no other lane has.
    QHash<QString, QSet<quint16>> lanesByName;
    for (const RequestRecord &r : f.server.recorder()->readFrom(0)) {
        if (ThreadRegistry::kind(r.loopThread) == LaneKind::WorkerLoop)
            lanesByName[ThreadRegistry::name(r.loopThread)].insert(r.loopThread);
    }
    QVERIFY2(lanesByName.size() >= 5, qPrintable(QStringList(lanesByName.keys()).join(QStringLiteral(", "))));
    for (auto it = lanesByName.cbegin(); it != lanesByName.cend(); ++it)
        QVERIFY2(it.value().size() == 1, qPrintable(it.key() + QStringLiteral(" names several lanes")));
    QVERIFY(lanesByName.contains(QStringLiteral("worker-2 #2"))
            || lanesByName.contains(QStringLiteral("worker-3 #2")));
    // The server still answers after the retirements (a fresh request on a remaining loop).
    QCOMPARE(f.request("GET", QStringLiteral("/health")).status, 200);
}

void TestAutoscale::resourceSamplingIsPlausible()
{
    ProcessResources r;
    r.sample(TraceClock::nowNs());
    std::atomic<bool> stop { false };
    std::atomic<bool> named { false };
    std::thread spinner([&] {
        ThreadRegistry::nameCurrentThread(QStringLiteral("test-spinner"));
        named = true;
        volatile quint64 x = 0;
        while (!stop.load(std::memory_order_relaxed))
            x = x + 1;
    });
    QTRY_VERIFY(named.load());
    // The machine may be busy (2 cores, other work): compare with the spinner's own CPU clock
    // over the same window instead of assuming it gets a whole core.
    clockid_t spinnerClock {};
    QCOMPARE(pthread_getcpuclockid(spinner.native_handle(), &spinnerClock), 0);
    const auto cpuNs = [spinnerClock] {
        timespec ts {};
        clock_gettime(spinnerClock, &ts);
        return qint64(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
    };
    const qint64 from = TraceClock::nowNs();
    const qint64 cpuFrom = cpuNs();
    r.sample(from);
    QTRY_VERIFY_WITH_TIMEOUT(cpuNs() - cpuFrom >= 150'000'000, 20000); // it spun 150 ms of CPU
    const qint64 to = TraceClock::nowNs();
    const qint64 cpuTo = cpuNs();
    const ProcessResources::Sample s = r.sample(to);
    stop = true;
    spinner.join();
    const double expected = double(cpuTo - cpuFrom) * 100.0 / double(to - from);

    QVERIFY2(s.rssBytes > 1024 * 1024, qPrintable(QString::number(s.rssBytes)));
    QCOMPARE(s.rssBytes > 0, ProcessResources::residentBytes() > 0);
    const int tasks
        = int(QDir(QStringLiteral("/proc/self/task")).entryList(QDir::Dirs | QDir::NoDotAndDotDot).size());
    QVERIFY2(std::abs(s.threads - (tasks + 1)) <= 2,
             qPrintable(QStringLiteral("%1 vs %2").arg(s.threads).arg(tasks)));
    // The process used at least what the spinner did; the spinner's lane shows its own share.
    QVERIFY2(s.cpuPct >= expected - 5 && s.cpuPct <= 100.0 * ProcessResources::cores() + 20,
             qPrintable(QStringLiteral("process %1 %, spinner %2 %").arg(s.cpuPct).arg(expected)));
    const quint16 lane = quint16(ThreadRegistry::names().lastIndexOf(QStringLiteral("test-spinner")));
    float spinnerPct = -1;
    QVERIFY(s.lanes);
    for (const LaneCpu &l : *s.lanes) {
        if (l.lane == lane)
            spinnerPct = l.pct;
    }
    QVERIFY2(std::abs(spinnerPct - expected) <= std::max(5.0, 0.2 * expected),
             qPrintable(QStringLiteral("lane %1 %, spinner %2 %").arg(spinnerPct).arg(expected)));
    // CPU rose while it spun: 150 ms of CPU time in the window (however long a busy machine made
    // the window), and the lane says so.
    QVERIFY2(spinnerPct > 0 && expected > 0, qPrintable(QString::number(expected)));
}

void TestAutoscale::serverSamplesResources()
{
    ServerFixture f;
    QVERIFY(f.start(ServerFixture::quickConfig()));
    // The sampler reads /proc every 100 ms and carries the figures on every 10 ms sample.
    QTRY_VERIFY_WITH_TIMEOUT(!f.server.counterSeries()->readFrom(0).isEmpty()
                                 && f.server.counterSeries()->readFrom(0).last().rssBytes > 0,
                             5000);
    const CounterSample k = f.server.counterSeries()->readFrom(0).last();
    QVERIFY(k.threads >= 3); // main, the worker loop, the sampler at least
    QVERIFY(k.cpuPct >= 0);
    QCOMPARE(k.workers, 1);
}

void TestAutoscale::badWorkerSettings_data()
{
    QTest::addColumn<int>("workers");
    QTest::addColumn<int>("min");
    QTest::addColumn<int>("max");
    QTest::addColumn<int>("waiting");
    QTest::addColumn<double>("idle");
    QTest::addColumn<QString>("message");
    QTest::newRow("min > max") << 1 << 4 << 2 << 10 << 2.0 << "must not exceed";
    QTest::newRow("max too big") << 1 << 2 << 17 << 10 << 2.0 << "workers-max must be 1 to 16";
    QTest::newRow("negative min") << 1 << -1 << 4 << 10 << 2.0 << "workers-min must be";
    QTest::newRow("negative max") << 1 << 1 << -3 << 10 << 2.0 << "workers-max must be";
    QTest::newRow("zero waiting") << 1 << 2 << 4 << 0 << 2.0 << "scale-up-waiting";
    QTest::newRow("zero idle") << 1 << 2 << 4 << 10 << 0.0 << "scale-down-idle";
    QTest::newRow("zero workers") << 0 << 0 << 0 << 10 << 2.0 << "workers must be 1 to 16";
}

void TestAutoscale::badWorkerSettings()
{
    QFETCH(int, workers);
    QFETCH(int, min);
    QFETCH(int, max);
    QFETCH(int, waiting);
    QFETCH(double, idle);
    QFETCH(QString, message);
    ServerConfig c = ServerFixture::quickConfig();
    c.workers = workers;
    c.workersMin = min;
    c.workersMax = max;
    c.scaleUpWaiting = waiting;
    c.scaleDownIdleSeconds = idle;
    QVERIFY2(c.workersError().contains(message), qPrintable(c.workersError()));
    ServerFixture f;
    c.apiKey = QStringLiteral("k");
    QString error;
    QVERIFY(!f.server.start(c, &error));
    QVERIFY2(error.contains(message), qPrintable(error));
    QVERIFY(!f.server.isRunning());
}

void TestAutoscale::badCommandLine_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    QTest::newRow("min > max") << QStringList { "--workers-min", "5", "--workers-max", "4" }
                               << "must not exceed";
    QTest::newRow("zero max") << QStringList { "--workers-max", "0" }
                              << "--workers-max must be a whole number of at least 1";
    QTest::newRow("negative min") << QStringList { "--workers-min", "-2", "--workers-max", "4" }
                                  << "--workers-min must be";
    QTest::newRow("min without max") << QStringList { "--workers-min", "2" } << "needs --workers-max";
    QTest::newRow("text") << QStringList { "--workers-max", "many" } << "--workers-max must be";
    QTest::newRow("zero waiting") << QStringList { "--workers-max", "4", "--scale-up-waiting", "0" }
                                  << "--scale-up-waiting must be";
    QTest::newRow("negative idle") << QStringList { "--workers-max", "4", "--scale-down-idle", "-1" }
                                   << "--scale-down-idle must be";
}

void TestAutoscale::badCommandLine()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    QCommandLineParser p;
    ServerOptions::add(p);
    QVERIFY(p.parse(QStringList { QStringLiteral("loopscope") } + args));
    ServerConfig c;
    QString error;
    QVERIFY(!ServerOptions::read(p, &c, &error));
    QVERIFY2(error.contains(message), qPrintable(error));

    // And a good one reads back.
    QCommandLineParser good;
    ServerOptions::add(good);
    QVERIFY(good.parse({ QStringLiteral("loopscope"), QStringLiteral("--workers-min"), QStringLiteral("2"),
                         QStringLiteral("--workers-max"), QStringLiteral("4"),
                         QStringLiteral("--scale-down-idle"), QStringLiteral("1.5") }));
    QVERIFY2(ServerOptions::read(good, &c, &error), qPrintable(error));
    QCOMPARE(c.initialWorkers(), 2);
    QCOMPARE(c.workersMax, 4);
    QCOMPARE(c.scaleUpWaiting, 10);
    QCOMPARE(c.scaleDownIdleSeconds, 1.5);
}

QTEST_GUILESS_MAIN(TestAutoscale)
#include "tst_autoscale.moc"
