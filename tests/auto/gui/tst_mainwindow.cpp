// The window against a real in-process server, offscreen: controls reach the server, a burst from
// the users panel produces requests and plot data, a chat message streams into the view, plots
// export valid files. Waits on conditions only (QTRY_*, QSignalSpy::wait).
#include "base/threadregistry.h"
#include "chat/chatpanel.h"
#include "gui/mainwindow.h"
#include "gui/theme.h"
#include "guitest.h"
#include "http/chatserver.h"
#include "lesson/lessonbar.h"
#include "lesson/lessonplayer.h"
#include "lesson/lessonscript.h"
#include "plots/counterplot.h"
#include "plots/counterplotspanel.h"
#include "plots/distributionplot.h"
#include "plots/latencyovertime.h"
#include "plots/latencyseries.h"
#include "report/runexport.h"
#include "runs/runcomparisonview.h"
#include "runs/runspanel.h"
#include "server/servercontrolpanel.h"
#include "timeline/threadlanemodel.h"
#include "timelineview/timelineview.h"
#include "timelineview/timeviewstate.h"
#include "users/userspanel.h"

#include <QAbstractButton>
#include <QApplication>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QWheelEvent>
#include <functional>
#include <qcustomplot.h>

class TestMainWindow : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void modeButtonsReachTheServer_data();
    void modeButtonsReachTheServer();
    void burstProducesRequestsAndPlotData();
    void scenarioFromThePanelConfiguresAndRuns();
    void chatStreamsAReply();
    void exportWritesValidFiles_data();
    void exportWritesValidFiles();
    void finishedRunsAreKeptAndReopen();
    void comparingTwoRunsGivesTheRightDeltas();
    void latencyPercentilesPerSecond();
    void oneLatencySeriesForRunsAndLive();
    void lessonCaptionsSplitTheExplanation();
    void lessonPlayheadAdvances();
    void threadViewCacheFollowsNewRecords();
    void widenedMarginKeepsTheAxesAligned();
    void manyServiceLanesDrawAndScroll();
    void chatDuringARunShowsAsOtherTraffic();
    void stopDoesNotBlockTheGuiThread();
    void scenarioThatRestartsTheServerWaitsForIt();
    void workerCountChangeRestartsOffTheGuiThread();
    void firstStartTourWalksThroughSeedOne();

private:
    QTemporaryDir m_dir;
    ChatServer *m_server = nullptr;
    MainWindow *m_window = nullptr;
};

void TestMainWindow::initTestCase()
{
    QCoreApplication::setOrganizationName(QStringLiteral("LoopScopeTest"));
    QVERIFY(m_dir.isValid());
    Theme::apply(true);
    m_server = new ChatServer;
    m_window = new MainWindow(m_server);
    m_window->resize(1400, 900);
    m_window->show();
    ServerControlPanel *panel = m_window->serverPanel();
    ServerConfig c = panel->config();
    c.port = 0;
    c.timeScale = 0.05; // 2 s LLM call -> 100 ms
    c.mode = DispatchMode::Async;
    c.dbPath = m_dir.filePath(QStringLiteral("history.sqlite"));
    panel->setConfig(c);
    panel->setDatabasePath(c.dbPath);
    QSignalSpy started(panel, &ServerControlPanel::serverStarted);
    QVERIFY(panel->startServer()); // off the GUI thread
    QVERIFY(started.wait(10000));
    QVERIFY(m_server->isRunning());
}

void TestMainWindow::cleanupTestCase()
{
    m_window->close();
    delete m_window;
    delete m_server;
}

void TestMainWindow::modeButtonsReachTheServer_data()
{
    QTest::addColumn<DispatchMode>("mode");
    QTest::addRow("blocking") << DispatchMode::Blocking;
    QTest::addRow("executor") << DispatchMode::Executor;
    QTest::addRow("async") << DispatchMode::Async;
}

void TestMainWindow::modeButtonsReachTheServer()
{
    QFETCH(DispatchMode, mode);
    auto *button = m_window->serverPanel()->findChild<QAbstractButton *>(
        QStringLiteral("mode-%1").arg(dispatchModeName(mode)));
    QVERIFY(button);
    QSignalSpy changed(m_server, &ChatServer::configChanged);
    QTest::mouseClick(button, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(m_server->config().mode, mode, 5000);
    QVERIFY(m_server->isRunning());
}

void TestMainWindow::burstProducesRequestsAndPlotData()
{
    m_window->serverPanel()->setMode(DispatchMode::Executor);
    QTRY_COMPARE(m_server->config().mode, DispatchMode::Executor);
    UsersPanel *users = m_window->usersPanel();
    users->setUsers(8);
    QSignalSpy finished(users, &UsersPanel::runFinished);
    auto *start = users->findChild<QAbstractButton *>(QStringLiteral("startUsers"));
    QVERIFY(start);
    QTest::mouseClick(start, Qt::LeftButton);
    QVERIFY(finished.wait(30000));
    QTRY_VERIFY_WITH_TIMEOUT(m_window->timelineData().size() >= 8, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->timelineData().at(m_window->timelineData().size() - 1).finished(),
                             5000);
    const QList<CounterPlot *> plots = m_window->plots()->plots();
    QVERIFY(!plots.isEmpty());
    QTRY_VERIFY_WITH_TIMEOUT(plots.first()->pointCount(0) > 10, 5000);
    // The load generator's send times were joined to the server's records.
    m_window->joinClientSends();
    bool joined = false;
    for (qsizetype i = 0; i < m_window->timelineData().size(); ++i)
        joined = joined || m_window->timelineData().sentNs(i) > 0;
    QVERIFY(joined);
    // The statistics of a time range cover the burst.
    const TimelineData &d = m_window->timelineData();
    const QString stats = m_window->rangeStatistics(d.at(0).arrivedNs, d.latestNs() + 1);
    QVERIFY2(stats.contains(QStringLiteral("p95")), qPrintable(stats));
    QVERIFY2(stats.contains(QStringLiteral("%1 requests arrived").arg(d.size())), qPrintable(stats));
}

void TestMainWindow::scenarioFromThePanelConfiguresAndRuns()
{
    UsersPanel *users = m_window->usersPanel();
    QVERIFY(users->selectScenario(QStringLiteral("pseudo_async/B")));
    QVERIFY(users->scenarioExplanation().contains(QStringLiteral("run_in_executor")));
    const qsizetype before = m_window->timelineData().size();
    QSignalSpy finished(users, &UsersPanel::runFinished);
    QSignalSpy messages(users, &UsersPanel::message);
    QVERIFY2(users->startRun(), messages.isEmpty() ? "" : qPrintable(messages.first().first().toString()));
    // Variant B's server settings reached the running server before its users started.
    QCOMPARE(m_server->config().mode, DispatchMode::Executor);
    QCOMPARE(m_server->config().poolSize, 10);
    QVERIFY(finished.wait(30000));
    QTRY_VERIFY_WITH_TIMEOUT(m_window->timelineData().size() >= before + 5, 5000);
    users->selectScenario(QString()); // back to the custom burst for later tests
}

void TestMainWindow::chatStreamsAReply()
{
    ChatPanel *chat = m_window->chatPanel();
    QSignalSpy done(chat, &ChatPanel::replyFinished);
    chat->send(QStringLiteral("Hello from the test"));
    QVERIFY(chat->isBusy());
    QVERIFY(done.wait(20000));
    QCOMPARE(done.first().first().toBool(), true);
    const QString md = chat->transcriptMarkdown();
    QVERIFY2(md.contains(QStringLiteral("Hello from the test")), qPrintable(md));
    QVERIFY2(md.contains(QStringLiteral("TTFT")), qPrintable(md));
    QVERIFY2(md.contains(QStringLiteral("LoopScope")), qPrintable(md)); // the simulated reply
    QSignalSpy loaded(chat, &ChatPanel::conversationsLoaded);
    chat->refreshConversations();
    QVERIFY(loaded.wait(5000));
    QVERIFY(chat->conversationCount() >= 1);
}

void TestMainWindow::exportWritesValidFiles_data()
{
    QTest::addColumn<QString>("suffix");
    QTest::addColumn<QByteArray>("magic");
    QTest::addRow("png") << QStringLiteral("png") << QByteArray("\x89PNG");
    QTest::addRow("pdf") << QStringLiteral("pdf") << QByteArray("%PDF");
    QTest::addRow("svg") << QStringLiteral("svg") << QByteArray("<?xml");
}

void TestMainWindow::exportWritesValidFiles()
{
    QFETCH(QString, suffix);
    QFETCH(QByteArray, magic);
    const QStringList files = m_window->exportPlots(m_dir.path(), suffix);
    QCOMPARE(files.size(), m_window->plots()->plots().size());
    for (const QString &path : files) {
        QFile f(path);
        QVERIFY2(f.open(QIODevice::ReadOnly), qPrintable(path));
        const QByteArray head = f.read(64);
        QVERIFY2(head.startsWith(magic),
                 qPrintable(path + QStringLiteral(": ") + QString::fromLatin1(head.toHex())));
        if (suffix == QLatin1String("png"))
            QVERIFY(!QImage(path).isNull());
        if (suffix == QLatin1String("svg"))
            QVERIFY(f.readAll().contains("</svg>"));
    }
}

void TestMainWindow::finishedRunsAreKeptAndReopen()
{
    // The burst and the scenario run of the earlier tests are in the Runs list.
    RunsPanel *runs = m_window->runsPanel();
    QVERIFY2(runs->count() >= 2, qPrintable(QString::number(runs->count())));
    const SessionRun burst = runs->at(0); // a copy: the list grows below
    QVERIFY(burst.variant().client.size() >= 8);
    QCOMPARE(burst.variant().server.size(), burst.variant().client.size());
    QVERIFY(runs->at(1).title.contains(QStringLiteral("pseudo_async/B")));

    const QString path = m_dir.filePath(QStringLiteral("run.json"));
    QVERIFY(m_window->saveRun(0, path));
    QStringList written;
    QVERIFY(m_window->exportReport(0, m_dir.filePath(QString()), &written));
    QVERIFY(written.size() >= 5);

    const qsizetype before = runs->count();
    QString error;
    QVERIFY2(m_window->openRun(path, &error), qPrintable(error));
    QCOMPARE(runs->count(), before + 1);
    QVERIFY(m_window->isShowingRun());
    // The views show the saved run: its requests, its counters, its latencies per second.
    QCOMPARE(m_window->timelineData().size(), burst.variant().server.size());
    QCOMPARE(m_window->requestView()->nowNs() >= m_window->timelineData().latestNs(), true);
    const QList<CounterPlot *> plots = m_window->plots()->plots();
    QVERIFY(plots.first()->pointCount(0) > 0);
    QVERIFY(plots.last()->pointCount(0) > 0); // latency per second
    QCOMPARE(m_window->timeState()->originNs(), runs->at(before).variant().startNs);
    QVERIFY(!m_window->timelineData().threadNames().isEmpty());

    m_window->showLive();
    QVERIFY(!m_window->isShowingRun());
    QTRY_VERIFY_WITH_TIMEOUT(plots.first()->pointCount(0) > 0, 5000);
}

namespace {
VariantResult syntheticRun(const QList<int> &latenciesMs, int errors)
{
    VariantResult v;
    v.name = QStringLiteral("x");
    v.startNs = 1'000'000'000;
    quint64 tag = 1;
    for (int ms : latenciesMs) {
        ClientRecord c;
        c.tag = tag++;
        c.intendedNs = v.startNs;
        c.sentNs = v.startNs;
        c.completeNs = v.startNs + qint64(ms) * 1'000'000;
        c.status = errors-- > 0 ? 503 : 200;
        c.error = c.status == 503 ? ClientError::Http5xx : ClientError::None;
        v.client << c;
        RequestRecord r;
        r.clientTag = c.tag;
        r.arrivedNs = c.sentNs;
        r.respondedNs = c.completeNs;
        r.status = c.status;
        v.server << r;
    }
    v.endNs = v.client.last().completeNs;
    v.computeSummary();
    return v;
}
} // namespace

void TestMainWindow::comparingTwoRunsGivesTheRightDeltas()
{
    QList<int> a, b;
    for (int i = 1; i <= 100; ++i) {
        a << i * 10; // 10 .. 1000 ms
        b << i * 10 / 2; // 5 .. 500 ms
    }
    const SessionRun runA { QStringLiteral("A"), SessionRuns::wrap(Scenario {}, syntheticRun(a, 0)), 0 };
    const SessionRun runB { QStringLiteral("B"), SessionRuns::wrap(Scenario {}, syntheticRun(b, 3)), 0 };
    const QList<RunDelta> d = SessionRuns::compare(runA.variant(), runB.variant());
    auto find = [&d](const QString &name) {
        for (const RunDelta &x : d)
            if (x.name.startsWith(name))
                return x;
        return RunDelta {};
    };
    QCOMPARE(find(QStringLiteral("p50")).a, 500.0);
    QCOMPARE(find(QStringLiteral("p50")).b, 250.0);
    QCOMPARE(find(QStringLiteral("p50")).delta(), -250.0);
    QCOMPARE(find(QStringLiteral("p95")).ratio(), 0.5);
    QCOMPARE(find(QStringLiteral("p99")).a, 990.0);
    QCOMPARE(find(QStringLiteral("max")).b, 500.0);
    QCOMPARE(find(QStringLiteral("makespan")).a, 1.0);
    QCOMPARE(find(QStringLiteral("makespan")).b, 0.5);
    QCOMPARE(find(QStringLiteral("throughput")).a, 100.0);
    QCOMPARE(find(QStringLiteral("throughput")).b, 200.0);
    QVERIFY(find(QStringLiteral("throughput")).better());
    QCOMPARE(find(QStringLiteral("errors")).delta(), 3.0);
    QVERIFY(!find(QStringLiteral("errors")).better());

    // Side by side: the table, both distributions, timelines aligned at t = 0.
    const qsizetype row = m_window->runsPanel()->count();
    m_window->addRun(runA);
    m_window->addRun(runB);
    RunComparisonView *view = m_window->compareRuns(int(row), int(row + 1));
    QVERIFY(view);
    QCOMPARE(view->deltas().size(), d.size());
    auto *table = view->findChild<QTableWidget *>(QStringLiteral("comparisonTable"));
    QCOMPARE(table->rowCount(), int(d.size()));
    QCOMPARE(table->item(0, 3)->text(), QStringLiteral("-250.0"));
    QCOMPARE(view->distributions()->curveCount(), 2);
    QCOMPARE(view->dataA().size(), 100);
    // Aligned at t = 0, and zooming one moves the other.
    TimeViewState *sa = view->stateA(), *sb = view->stateB();
    QCOMPARE(sa->startNs() - sa->originNs(), sb->startNs() - sb->originNs());
    sa->setUserRange(sa->originNs() + 200'000'000, 300'000'000);
    QCOMPARE(sb->startNs() - sb->originNs(), 200'000'000);
    QCOMPARE(sb->spanNs(), 300'000'000);
    view->close();
}

void TestMainWindow::latencyPercentilesPerSecond()
{
    LatencyOverTime l(0);
    for (int i = 1; i <= 100; ++i)
        l.add(500'000'000, qint64(i) * 1'000'000); // second 0: 1..100 ms
    l.add(1'500'000'000, 7'000'000); // second 1: one request
    QVERIFY(l.takeClosed(999'999'999).isEmpty()); // second 0 not over yet
    const QList<LatencyOverTime::Point> first = l.takeClosed(1'000'000'000);
    QCOMPARE(first.size(), 1);
    QCOMPARE(first[0].tNs, 500'000'000);
    QCOMPARE(first[0].p50Ms, 50.0);
    QCOMPARE(first[0].p95Ms, 95.0);
    QCOMPARE(first[0].p99Ms, 99.0);
    QCOMPARE(first[0].count, 100);
    const QList<LatencyOverTime::Point> second = l.takeClosed(std::numeric_limits<qint64>::max());
    QCOMPARE(second.size(), 1);
    QCOMPARE(second[0].p99Ms, 7.0);
    // The live window fills the plot next to throughput.
    QTRY_VERIFY_WITH_TIMEOUT(m_window->plots()->plots().last()->pointCount(0) > 0, 5000);
}

void TestMainWindow::oneLatencySeriesForRunsAndLive()
{
    // A run (saved or replayed): by the client's completion, from its intended send time.
    VariantResult v;
    v.startNs = 0;
    for (int i = 1; i <= 4; ++i) {
        ClientRecord c;
        c.intendedNs = 100'000'000;
        c.completeNs = 100'000'000 + qint64(i) * 100'000'000; // 100..400 ms, all in second 0
        v.client.append(c);
    }
    v.client.append(ClientRecord {}); // never finished: not counted
    const QList<LatencySeries::Point> run = LatencySeries::ofRun(v);
    QCOMPARE(run.size(), 1);
    QCOMPARE(run[0].count, 4);
    QCOMPARE(run[0].p50Ms, 200.0);
    // Live: the server's finished records, from the client's send time once joined; a second is
    // summarised only once settled.
    TimelineData data;
    RequestRecord r;
    r.clientTag = 7;
    r.arrivedNs = 300'000'000;
    r.respondedNs = 800'000'000;
    r.status = 200;
    data.append(r);
    LatencySeries live(0);
    live.addFinished(data.takeFinished());
    QVERIFY(live.takeSettled(data, 500'000'000).isEmpty()); // not settled yet
    data.joinClientSends({ { 7, 100'000'000 } }); // sent 200 ms before the server read it
    const QList<LatencySeries::Point> points = live.takeSettled(data, std::numeric_limits<qint64>::max());
    QCOMPARE(points.size(), 1);
    QCOMPARE(points[0].p50Ms, 700.0);
}

void TestMainWindow::lessonCaptionsSplitTheExplanation()
{
    const QStringList en = LessonScript::splitSteps(QStringLiteral(
        "An async def endpoint blocks the event loop: the 5 requests are served one after another "
        "(2.15, 4.30, ... 10.75 s). Wrapping the same call in run_in_executor lets them overlap."));
    QCOMPARE(en.size(), 2);
    QVERIFY(en[0].endsWith(QStringLiteral("10.75 s).")));
    const QStringList zh = LessonScript::splitSteps(
        QStringLiteral("在 async def 中直接调用会阻塞事件循环。用 run_in_executor 包装后，请求可以并行。"));
    QCOMPARE(zh.size(), 2);
    const QList<LessonCaption> c = { { 0, QStringLiteral("a") }, { 100, QStringLiteral("b") } };
    QCOMPARE(LessonScript::captionAt(c, 0), 0);
    QCOMPARE(LessonScript::captionAt(c, 99), 0);
    QCOMPARE(LessonScript::captionAt(c, 150), 1);
}

void TestMainWindow::lessonPlayheadAdvances()
{
    // The scenario run (pseudo_async/B) of an earlier test, replayed at 0.25x.
    RunsPanel *runs = m_window->runsPanel();
    int row = -1;
    for (int i = 0; i < runs->count(); ++i) {
        if (runs->at(i).title.contains(QStringLiteral("pseudo_async/B")))
            row = i;
    }
    QVERIFY(row >= 0);
    const VariantResult v = runs->at(row).variant();
    LessonPlayer *player = m_window->lessonPlayer();
    QSignalSpy frames(player, &LessonPlayer::frame);
    m_window->startLesson(row, 0.25); // the run is ~0.1 s long at this time scale
    QVERIFY(player->isPlaying());
    QVERIFY(m_window->lessonBar()->isVisible());
    QVERIFY(m_window->isShowingRun());
    // The first step names the scenario and the variant; the scenario's own sentences follow.
    QVERIFY2(m_window->lessonBar()->captionText().contains(QStringLiteral("variant B")),
             qPrintable(m_window->lessonBar()->captionText()));
    QTRY_VERIFY_WITH_TIMEOUT(player->playheadNs() > player->durationNs() / 3, 10000);
    QVERIFY(frames.size() >= 3);
    QVERIFY(m_window->timelineData().size() > 0);
    QCOMPARE(m_window->requestView()->nowNs(), v.startNs + player->playheadNs());
    QVERIFY(m_window->plots()->plots().first()->pointCount(0) > 0);
    // It plays to the end, every request known and finished, and stops there.
    QTRY_VERIFY_WITH_TIMEOUT(!player->isPlaying(), 20000);
    QCOMPARE(player->playheadNs(), player->durationNs());
    QCOMPARE(m_window->timelineData().size(), v.server.size() + v.other.size());
    QVERIFY(m_window->timelineData().at(m_window->timelineData().size() - 1).finished());
    QVERIFY(m_window->lessonBar()->captionText().startsWith(QStringLiteral("Measured")));
    // Seeking back to the start forgets what happened later.
    player->seek(0);
    QVERIFY(m_window->timelineData().size() < v.server.size());
    QCOMPARE(m_window->lessonBar()->captionIndex(), 0);
    player->setSpeed(100);
    QCOMPARE(player->speed(), 10.0);
    m_window->stopLesson();
    QVERIFY(!m_window->isShowingRun());
    QVERIFY(!m_window->lessonBar()->isVisible());
}

void TestMainWindow::chatDuringARunShowsAsOtherTraffic()
{
    // Blocking mode: the chat panel's message occupies the worker while the users' requests
    // wait. The run's own views must show that message (muted, labelled), not an idle server.
    m_window->serverPanel()->setMode(DispatchMode::Blocking);
    QTRY_COMPARE(m_server->config().mode, DispatchMode::Blocking);
    ChatPanel *chat = m_window->chatPanel();
    UsersPanel *users = m_window->usersPanel();
    users->setUsers(3);
    QSignalSpy replied(chat, &ChatPanel::replyFinished);
    QSignalSpy finished(users, &UsersPanel::runFinished);
    chat->send(QStringLiteral("I occupy the blocking worker"));
    auto *start = users->findChild<QAbstractButton *>(QStringLiteral("startUsers"));
    QVERIFY(start);
    QTest::mouseClick(start, Qt::LeftButton);
    QVERIFY(finished.wait(30000));
    QVERIFY(!replied.isEmpty() || replied.wait(20000));

    RunsPanel *runs = m_window->runsPanel();
    const int row = int(runs->count()) - 1;
    const VariantResult v = runs->at(row).variant();
    QVERIFY2(!v.other.isEmpty(), "the chat message is not in the run's other traffic");
    QSet<quint64> tags;
    for (const ClientRecord &c : v.client)
        tags.insert(c.tag);
    for (const RequestRecord &r : v.other)
        QVERIFY(!tags.contains(r.clientTag)); // none of the run's own requests
    QCOMPARE(v.server.size(), v.client.size());
    QCOMPARE(v.metrics.value(QStringLiteral("requests")), double(v.client.size())); // not counted

    m_window->showRun(row);
    const TimelineData &d = m_window->timelineData();
    QCOMPARE(d.size(), v.server.size() + v.other.size());
    QCOMPARE(d.otherCount(), v.other.size());
    for (qsizetype i = 1; i < d.size(); ++i)
        QVERIFY(d.at(i - 1).arrivedNs <= d.at(i).arrivedNs); // one arrival order
    if (qEnvironmentVariableIsSet("LOOPSCOPE_TEST_SCREENSHOTS"))
        m_window->grab().save(qEnvironmentVariable("LOOPSCOPE_TEST_SCREENSHOTS")
                              + QStringLiteral("/other-traffic.png"));

    // Kept in run.json, and in the lesson replay.
    const QString path = m_dir.filePath(QStringLiteral("other.json"));
    QString error;
    QVERIFY2(m_window->saveRun(row, path, &error), qPrintable(error));
    RunResult back;
    QVERIFY2(RunExport::readRunJson(path, &back, &error), qPrintable(error));
    QCOMPARE(back.variants.first().other.size(), v.other.size());
    m_window->startLesson(row, 10);
    QTRY_VERIFY_WITH_TIMEOUT(!m_window->lessonPlayer()->isPlaying(), 20000);
    QCOMPARE(m_window->timelineData().otherCount(), v.other.size());
    m_window->stopLesson();
    m_window->showLive();
    m_window->serverPanel()->setMode(DispatchMode::Async);
    QTRY_COMPARE(m_server->config().mode, DispatchMode::Async);
}

void TestMainWindow::threadViewCacheFollowsNewRecords()
{
    TimelineData data;
    TimeViewState state;
    state.setOrigin(0);
    state.setUserRange(0, 10'000'000'000);
    TimelineView view(std::make_unique<ThreadLaneModel>(), &data, &state);
    view.resize(800, 300);
    view.setNow(10'000'000'000);
    const quint16 thread = ThreadRegistry::currentIndex();
    auto record = [thread](qint64 at) {
        RequestRecord r;
        r.arrivedNs = at;
        const int s = r.beginSpan(Phase::Llm, at, thread);
        r.endSpan(s, at + 2'000'000'000);
        r.respondedNs = at + 2'000'000'000;
        r.status = 200;
        return r;
    };
    data.append(record(1'000'000'000));
    QImage a(view.size(), QImage::Format_RGB32), b(view.size(), QImage::Format_RGB32);
    view.render(&a);
    view.render(&b); // from the cache
    QCOMPARE(a, b);
    data.append(record(6'000'000'000)); // a new record invalidates the packing
    view.render(&b);
    QVERIFY(a != b);
    state.setUserRange(0, 20'000'000'000); // so does a zoom
    QImage c(view.size(), QImage::Format_RGB32);
    view.render(&c);
    QVERIFY(c != b);

    // The time index, extended frame by frame as records append, draws what an index built at
    // once from all of them draws (6,000 records here, overlapping on one thread).
    for (int i = 0; i < 6000; ++i)
        data.append(record(8'000'000'000 + qint64(i) * 150'000'000));
    state.setUserRange(0, 900'000'000'000);
    view.setNow(data.latestNs());
    view.render(&c); // records changed: the index is extended
    state.setUserRange(1'000'000, 900'000'000'000);
    view.render(&c); // zoomed: selected again from the index
    TimelineView fresh(std::make_unique<ThreadLaneModel>(), &data, &state);
    fresh.resize(view.size());
    fresh.setNow(view.nowNs());
    QImage d(view.size(), QImage::Format_RGB32);
    fresh.render(&d); // first paint: an index of everything at once
    QCOMPARE(c, d);
}

void TestMainWindow::widenedMarginKeepsTheAxesAligned()
{
    // Dragged wider in one timeline (TimelineView emits leftMarginChanged): the other timeline
    // and every counter plot follow, so time stays at the same x down the window.
    TimelineView *requests = m_window->requestView();
    const int wider = requests->leftMargin() + 70;
    requests->setLeftMargin(wider);
    emit requests->leftMarginChanged(wider);
    QCOMPARE(m_window->threadView()->leftMargin(), wider);
    for (CounterPlot *p : m_window->findChild<CounterPlotsPanel *>()->plots())
        QCOMPARE(p->plot()->axisRect()->margins().left(), wider);
    requests->setLeftMargin(TimelineView::DefaultLeftMargin);
    emit requests->leftMarginChanged(TimelineView::DefaultLeftMargin);
    QCOMPARE(m_window->threadView()->leftMargin(), TimelineView::DefaultLeftMargin);
}

void TestMainWindow::manyServiceLanesDrawAndScroll()
{
    // An observed service's instances: lanes with no thread behind them, more than fit.
    TimelineData data;
    std::vector<quint16> lanes;
    for (int i = 0; i < 120; ++i)
        lanes.push_back(ThreadRegistry::registerLane(QStringLiteral("svc-%1").arg(i), LaneKind::Service));
    for (int i = 0; i < 120; ++i) {
        RequestRecord r;
        r.arrivedNs = 1'000'000'000 + qint64(i) * 10'000'000;
        const int s = r.beginSpan(Phase::Other, r.arrivedNs, lanes[size_t(i)]);
        r.endSpan(s, r.arrivedNs + 2'000'000'000);
        r.respondedNs = r.arrivedNs + 2'000'000'000;
        r.status = 200;
        data.append(r);
    }
    TimeViewState state;
    state.setOrigin(0);
    state.setUserRange(0, 10'000'000'000);
    TimelineView view(std::make_unique<ThreadLaneModel>(), &data, &state);
    view.resize(800, 300);
    view.setNow(10'000'000'000);
    QImage a(view.size(), QImage::Format_RGB32), b(view.size(), QImage::Format_RGB32);
    view.render(&a);
    // The first lane (svc-0) is at the top: its span is under the point at 2 s.
    const QPointF topLane(TimelineView::DefaultLeftMargin + 678 * 0.2, TimelineView::RulerHeight + 6);
    QCOMPARE(view.requestAt(topLane), qsizetype(0));
    // Shift+wheel scrolls the lanes by three.
    QWheelEvent wheel(QPointF(400, 150), QPointF(400, 150), QPoint(), QPoint(0, -120), Qt::NoButton,
                      Qt::ShiftModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(&view, &wheel);
    view.render(&b);
    QVERIFY(a != b);
    QCOMPARE(view.requestAt(topLane), qsizetype(3));
}

void TestMainWindow::stopDoesNotBlockTheGuiThread()
{
    ServerControlPanel *panel = m_window->serverPanel();
    QVERIFY(m_server->isRunning());
    // Requests in flight make the drain last: ~1 s each here (a 20 s call at time scale 0.05),
    // so they are seen in flight however busy the machine is.
    ServerConfig slow = panel->config();
    const double llmBefore = slow.llm.latency.mean;
    slow.llm.latency.mean = 20;
    panel->setConfig(slow);
    panel->apply();
    QTRY_COMPARE(m_server->config().llm.latency.mean, 20.0);
    UsersPanel *users = m_window->usersPanel();
    users->setUsers(6);
    QSignalSpy runFinished(users, &UsersPanel::runFinished);
    QVERIFY(users->startRun());
    QTRY_VERIFY_WITH_TIMEOUT(m_server->counters()->inFlight.load() > 0, 10000);

    QSignalSpy stopped(panel, &ServerControlPanel::serverStopped);
    GuiTicker ticker([panel] { return panel->isBusy(); });
    panel->stopServer();
    // Shape, not speed: the call returned with the drain still under way (requests in flight
    // finish first), and the GUI thread kept running its timers until the stop was over.
    QVERIFY(panel->isBusy());
    QCOMPARE(stopped.count(), 0);
    QVERIFY(stopped.wait(10000));
    QVERIFY(!panel->isBusy());
    QVERIFY(!m_server->isRunning());
    QVERIFY2(ticker.ticksWhileBusy >= 2, qPrintable(QString::number(ticker.ticksWhileBusy)));
    if (users->isRunning())
        QVERIFY(runFinished.wait(30000));
    slow.llm.latency.mean = llmBefore;
    panel->setConfig(slow);
    QSignalSpy started(panel, &ServerControlPanel::serverStarted);
    QVERIFY(panel->startServer());
    QVERIFY(started.wait(10000));
}

void TestMainWindow::scenarioThatRestartsTheServerWaitsForIt()
{
    // pipeline_100_users runs 4 workers: choosing it restarts the 1-worker server (off the GUI
    // thread), and the users start only once it listens again.
    QCOMPARE(m_server->config().workers, 1);
    UsersPanel *users = m_window->usersPanel();
    QVERIFY(users->selectScenario(QStringLiteral("pipeline_100_users/B")));
    users->setUsers(10);
    const qsizetype runsBefore = m_window->runsPanel()->count();
    QSignalSpy finished(users, &UsersPanel::runFinished);
    QVERIFY(users->startRun());
    QVERIFY(users->isStartPending());
    QVERIFY(m_window->serverPanel()->isBusy());
    QVERIFY(finished.wait(30000));
    QCOMPARE(m_server->config().workers, 4);
    QTRY_COMPARE_WITH_TIMEOUT(m_window->runsPanel()->count(), runsBefore + 1, 5000);
    const VariantResult &v = m_window->runsPanel()->at(runsBefore).variant();
    QCOMPARE(v.client.size(), 10);
    QCOMPARE(v.metrics.value(QStringLiteral("errors")), 0.0); // nobody was refused
    users->selectScenario(QString());
    // Back to one worker for the next test.
    ServerConfig c = m_window->serverPanel()->config();
    c.workers = 1;
    m_window->serverPanel()->setConfig(c);
    QSignalSpy started(m_window->serverPanel(), &ServerControlPanel::serverStarted);
    m_window->serverPanel()->apply();
    QVERIFY(started.wait(10000));
}

void TestMainWindow::workerCountChangeRestartsOffTheGuiThread()
{
    ServerControlPanel *panel = m_window->serverPanel();
    QVERIFY(m_server->isRunning());
    const quint16 port = m_server->port();
    ServerConfig c = panel->config();
    c.workers = 2;
    panel->setConfig(c);
    QSignalSpy started(panel, &ServerControlPanel::serverStarted);
    panel->apply();
    // The restart goes on off the GUI thread: the call returns before the server is back.
    QVERIFY(panel->isBusy());
    QCOMPARE(started.count(), 0);
    QVERIFY(started.wait(10000));
    QVERIFY(!panel->isBusy());
    QVERIFY(m_server->isRunning());
    QCOMPARE(m_server->config().workers, 2);
    QCOMPARE(m_server->port(), port);
    // The live feed keeps reading across the restart.
    const qsizetype before = m_window->timelineData().size();
    ChatPanel *chat = m_window->chatPanel();
    QSignalSpy done(chat, &ChatPanel::replyFinished);
    chat->send(QStringLiteral("after the restart"));
    QVERIFY(done.wait(20000));
    QTRY_VERIFY_WITH_TIMEOUT(m_window->timelineData().size() > before, 5000);
}

void TestMainWindow::firstStartTourWalksThroughSeedOne()
{
    // The first start: seed 1's variant A with a hint; after A, B is selected and the hint says
    // to press again; after B it points at Compare; running anything else ends the tour.
    UsersPanel *users = m_window->usersPanel();
    users->startGuidedTour();
    Scenario scenario;
    QString variant;
    QVERIFY(users->currentScenario(&scenario, &variant));
    QCOMPARE(scenario.name, QStringLiteral("pseudo_async"));
    QCOMPARE(variant, QStringLiteral("A"));
    auto *hint = users->findChild<QLabel *>(QStringLiteral("tourHint"));
    QVERIFY(hint);
    QVERIFY(!hint->isHidden());
    QVERIFY2(hint->text().contains(QStringLiteral("Start users")), qPrintable(hint->text()));

    QSignalSpy finished(users, &UsersPanel::runFinished);
    QVERIFY(users->startRun());
    QVERIFY(finished.wait(30000));
    QVERIFY(users->currentScenario(&scenario, &variant));
    QCOMPARE(scenario.name, QStringLiteral("pseudo_async"));
    QCOMPARE(variant, QStringLiteral("B"));
    QVERIFY2(hint->text().contains(QStringLiteral("again")), qPrintable(hint->text()));

    QVERIFY(users->startRun());
    QVERIFY(finished.wait(30000));
    QVERIFY(users->currentScenario(&scenario, &variant));
    QCOMPARE(variant, QStringLiteral("B")); // the tour is over: nothing moves on
    QVERIFY2(hint->text().contains(QStringLiteral("Compare")), qPrintable(hint->text()));
    QVERIFY(!hint->isHidden());

    QVERIFY(users->selectScenario(QStringLiteral("gather/B")));
    QVERIFY(users->startRun());
    QVERIFY(hint->isHidden());
    QVERIFY(finished.wait(30000));
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
