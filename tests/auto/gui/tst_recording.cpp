// Recording outside load (issue #23): requests sent over raw sockets by "another program" become
// a run (with who sent each), which saves, reopens and compares with a simulated run; the
// window's Record button does the same; a cancelled write leaves nothing behind.
#include "base/traceclock.h"
#include "http/chatserver.h"
#include "load/loadsettings.h"
#include "loadrun.h"
#include "record/serverrecording.h"
#include "report/reportdocument.h"
#include "report/runexport.h"
#include "runs/recordingcontroller.h"
#include "runs/sessionrun.h"
#include "server/servercontrolpanel.h"
#include "serverfixture.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QPushButton>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

namespace {

// A chat request as a program other than LoopScope sends it: written by hand on a raw socket.
QByteArray rawChat(const QByteArray &key, const QByteArray &agent, const QByteArray &user, int n)
{
    const QByteArray body
        = QJsonDocument(QJsonObject { { QStringLiteral("user_id"), QStringLiteral("raw-%1").arg(n) },
                                      { QStringLiteral("message"), QStringLiteral("hi") } })
              .toJson(QJsonDocument::Compact);
    QByteArray head = "POST /v1/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                      "X-API-Key: "
        + key + "\r\n";
    if (!agent.isEmpty())
        head += "User-Agent: " + agent + "\r\n";
    if (!user.isEmpty())
        head += "X-LoopScope-User: " + user + "\r\n";
    return head + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

// Reads one whole HTTP response (Content-Length framed) from a blocking socket; its status.
int readResponse(QTcpSocket &socket)
{
    QByteArray data;
    qsizetype headEnd = -1, length = -1;
    while (socket.waitForReadyRead(10000)) {
        data += socket.readAll();
        headEnd = data.indexOf("\r\n\r\n");
        if (headEnd < 0)
            continue;
        const qsizetype at = data.toLower().indexOf("content-length:");
        if (at >= 0)
            length = data.mid(at + 15, data.indexOf("\r\n", at) - at - 15).trimmed().toLongLong();
        if (length >= 0 && data.size() >= headEnd + 4 + length)
            return data.mid(9, 3).toInt();
    }
    return 0;
}

} // namespace

class TestRecording : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { qRegisterMetaType<RunResult>("RunResult"); }
    void externalClientRecordedSavedReopenedCompared();
    void recordButtonKeepsARun();
    void cancelledWriteLeavesNothing();
};

void TestRecording::externalClientRecordedSavedReopenedCompared()
{
    ServerFixture f;
    ServerConfig config = ServerFixture::quickConfig();
    config.llm.latency.mean = 0.3;
    QVERIFY(f.start(config));
    const quint16 port = f.server.port();

    // One request is already in flight when the recording starts: kept, flagged, not counted.
    QTcpSocket early;
    early.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(early.waitForConnected(5000));
    early.write(rawChat(f.apiKey, "early/1", "early", 0));
    QTRY_COMPARE(f.server.counters()->inFlight.load(), 1);

    ServerRecording recording(&f.server);
    recording.start();
    QVERIFY(recording.isRecording());
    // Six requests from two "users" of another program, sent at once on their own connections.
    std::vector<std::unique_ptr<QTcpSocket>> sockets;
    for (int i = 0; i < 6; ++i) {
        auto s = std::make_unique<QTcpSocket>();
        s->connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(s->waitForConnected(5000));
        s->write(rawChat(f.apiKey, "raw-socket-test/1.0", i % 2 ? "bob" : "alice", i + 1));
        QVERIFY(s->waitForBytesWritten(5000));
        sockets.push_back(std::move(s));
    }
    QMap<quint16, QString> userByPort;
    for (int i = 0; i < 6; ++i) {
        QCOMPARE(readResponse(*sockets[size_t(i)]), 200);
        userByPort[sockets[size_t(i)]->localPort()] = i % 2 ? QStringLiteral("bob") : QStringLiteral("alice");
    }
    QCOMPARE(readResponse(early), 200);
    // The server publishes a request's end just after its last byte left: wait for that.
    QTRY_COMPARE(f.server.counters()->inFlight.load(), 0);
    const RunResult run = recording.stop();
    QVERIFY(!recording.isRecording());

    QCOMPARE(run.variants.size(), 1);
    const VariantResult &v = run.variants.first();
    QVERIFY(v.client.isEmpty());
    QCOMPARE(v.server.size(), 6);
    QCOMPARE(v.other.size(), 1);
    QVERIFY(v.other.first().boundary());
    QCOMPARE(v.other.first().loopscopeUserText(), QStringLiteral("early"));
    for (const RequestRecord &r : v.server) {
        QVERIFY(!r.boundary());
        QCOMPARE(r.clientAddressText(), QStringLiteral("127.0.0.1"));
        QVERIFY2(userByPort.contains(r.clientPort), qPrintable(r.clientEndpointText()));
        QCOMPARE(r.loopscopeUserText(), userByPort.value(r.clientPort));
        QCOMPARE(r.userAgentText(), QStringLiteral("raw-socket-test/1.0"));
    }
    // The figures are the server's: six requests, each at least the model's 0.3 s; nothing
    // client-side is made up.
    QCOMPARE(v.metrics.value(QStringLiteral("requests")), 6.0);
    QVERIFY(v.metrics.value(QStringLiteral("latency_p50_s")) >= 0.3);
    QVERIFY(v.metrics.value(QStringLiteral("latency_max_s")) < 5.0);
    QVERIFY(!v.metrics.contains(QStringLiteral("late_sends")));
    QVERIFY(!v.metrics.contains(QStringLiteral("offered_rps")));
    QVERIFY(!v.counters.isEmpty());
    QVERIFY(ServerRecording::isRecording(run));

    // Saved: the five files, nothing temporary left; requests.csv says who sent what.
    QTemporaryDir dir;
    QStringList written;
    QString error;
    QVERIFY2(ServerRecording::writeAll(run, dir.path(), &written, &error), qPrintable(error));
    QCOMPARE(written.size(), 5);
    QCOMPARE(
        QDir(dir.path()).entryList(QDir::Files | QDir::Dirs | QDir::Hidden | QDir::NoDotAndDotDot).size(), 5);
    QFile csv(QDir(dir.path()).filePath(QStringLiteral("requests.csv")));
    QVERIFY(csv.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = csv.readAll().trimmed().split('\n');
    QCOMPARE(lines.size(), 1 + 6 + 1);
    QVERIFY(lines.first().contains("client_address,client_port,user_agent,loopscope_user"));
    const auto rowsWith = [&lines](const char *text) {
        return std::count_if(lines.begin(), lines.end(),
                             [text](const QByteArray &l) { return l.contains(text); });
    };
    QCOMPARE(rowsWith(",alice,"), 3);
    QCOMPARE(rowsWith("recorded,"), 7);

    // Reopened: the same requests, the same clients, the same figures.
    RunResult reopened;
    QVERIFY2(RunExport::readRunJson(QDir(dir.path()).filePath(QStringLiteral("run.json")), &reopened, &error),
             qPrintable(error));
    QVERIFY(ServerRecording::isRecording(reopened));
    const VariantResult &r = reopened.variants.first();
    QCOMPARE(r.server.size(), 6);
    QCOMPARE(r.other.size(), 1);
    QVERIFY(r.other.first().boundary());
    for (int i = 0; i < 6; ++i) {
        QCOMPARE(r.server[i].clientEndpointText(), v.server[i].clientEndpointText());
        QCOMPARE(r.server[i].loopscopeUserText(), v.server[i].loopscopeUserText());
        QCOMPARE(r.server[i].userAgentText(), v.server[i].userAgentText());
    }
    QCOMPARE(r.latency.p50Ms, v.latency.p50Ms);
    QCOMPARE(r.metrics.value(QStringLiteral("requests")), 6.0);

    // Compared with a simulated run of the same server: 3 users, one request each.
    LoadSettings load;
    load.users = 3;
    load.requestsPerUser = 1;
    load.baseUrl = f.server.url();
    load.apiKey = QString::fromUtf8(f.apiKey);
    VariantResult simulated;
    simulated.name = QStringLiteral("simulated");
    simulated.load = load;
    simulated.startNs = TraceClock::nowNs();
    simulated.client = runLoad(load);
    simulated.endNs = TraceClock::nowNs();
    QCOMPARE(simulated.client.size(), 3);
    const QList<RequestRecord> all = f.server.recorder()->readFrom(0);
    simulated.joinServer(std::span(all.constData(), size_t(all.size())),
                         f.server.counterSeries()->readFrom(0));
    simulated.computeSummary();
    const QList<SessionRun> recordedRuns = SessionRuns::fromRunResult(reopened, QStringLiteral("saved"));
    QCOMPARE(recordedRuns.size(), 1);
    const SessionRun simulatedRun { QStringLiteral("simulated"), SessionRuns::wrap(Scenario(), simulated),
                                    0 };
    const QList<RunDelta> deltas
        = SessionRuns::compare(recordedRuns.first().variant(), simulatedRun.variant());
    for (const RunDelta &d : deltas) {
        if (d.name == QLatin1String("p50")) {
            // Both sides wait for the same 0.3 s model; the simulated one measures from its send.
            QVERIFY2(d.a >= 300 && d.b >= 300, qPrintable(QStringLiteral("%1 %2").arg(d.a).arg(d.b)));
            QVERIFY2(d.ratio() > 0.5 && d.ratio() < 2.0, qPrintable(QString::number(d.ratio())));
        }
    }
    QCOMPARE(SessionRuns::latenciesMs(recordedRuns.first().variant()).size(), 6);
    // The comparison's report marks the recording's client-side figures as not measured.
    const RunResult both = SessionRuns::combine(recordedRuns.first(), simulatedRun);
    const QStringList text = ReportDocument::build(both, {}).visibleText();
    QVERIFY(text.contains(QStringLiteral("not measured (recorded server-side)")));
    QVERIFY(!text.filter(QStringLiteral("latency is measured server-side")).isEmpty());
}

void TestRecording::recordButtonKeepsARun()
{
    ServerFixture f;
    ServerConfig config = ServerFixture::quickConfig();
    config.llm.latency.mean = 0.05;
    QVERIFY(f.start(config));
    ServerControlPanel panel(&f.server);
    RecordingController controller(&f.server, &panel);
    QSignalSpy recorded(&controller, &RecordingController::recorded);
    auto *button = panel.findChild<QPushButton *>(QStringLiteral("record"));
    QVERIFY(button);
    QVERIFY(button->isEnabled());
    button->click();
    QVERIFY(controller.isRecording());
    QVERIFY(button->isChecked());
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, f.server.port());
    QVERIFY(s.waitForConnected(5000));
    for (int i = 0; i < 3; ++i) {
        s.write(rawChat(f.apiKey, "curl/7.88.1", {}, i));
        QCOMPARE(readResponse(s), 200);
    }
    QTRY_COMPARE(f.server.counters()->inFlight.load(), 0); // the last one's end is published
    button->click();
    QVERIFY(!controller.isRecording());
    QVERIFY(!button->isChecked());
    QCOMPARE(recorded.size(), 1);
    const RunResult run = recorded.first().first().value<RunResult>();
    QCOMPARE(run.variants.first().server.size(), 3);
    QCOMPARE(run.variants.first().server.first().userAgentText(), QStringLiteral("curl/7.88.1"));
    // One connection, three requests: the same client port each time.
    QCOMPARE(run.variants.first().server.last().clientPort, s.localPort());
}

void TestRecording::cancelledWriteLeavesNothing()
{
    // A large synthetic recording takes a while to write; cancel() from another thread at
    // several moments must leave either all five files or none, and never a temporary folder.
    QList<RequestRecord> records;
    for (int i = 0; i < 40000; ++i) {
        RequestRecord r;
        r.id = quint64(i + 1);
        r.arrivedNs = 1'000'000'000 + qint64(i) * 100'000;
        r.startedNs = r.arrivedNs + 1000;
        r.respondedNs = r.arrivedNs + 50'000'000;
        r.status = 200;
        r.beginSpan(Phase::Llm, r.startedNs, 0);
        r.endSpan(0, r.respondedNs - 1000);
        r.setClientAddressText(QStringLiteral("10.0.0.%1").arg(i % 200));
        r.clientPort = quint16(40000 + i % 1000);
        r.setLoopscopeUser(QByteArray("user-") + QByteArray::number(i % 100));
        records.append(r);
    }
    const RunResult run = ServerRecording::build(std::span(records.constData(), size_t(records.size())), {},
                                                 {}, 900'000'000, 6'000'000'000, {});
    QCOMPARE(run.variants.first().server.size(), 40000);
    QCOMPARE(run.variants.first().server[7].clientAddressText(), QStringLiteral("10.0.0.7"));
    int complete = 0, none = 0;
    for (int delayMs : { 0, 50, 200, 800 }) {
        QTemporaryDir dir;
        ServerRecording::WriteControl control;
        bool ok = true;
        QThread *writer = QThread::create(
            [&] { ok = ServerRecording::writeAll(run, dir.path(), nullptr, nullptr, &control); });
        writer->start();
        QThread::msleep(ulong(delayMs));
        control.cancel();
        QVERIFY(writer->wait(60000));
        delete writer;
        const QStringList left
            = QDir(dir.path()).entryList(QDir::Files | QDir::Dirs | QDir::Hidden | QDir::NoDotAndDotDot);
        if (ok) {
            QCOMPARE(left.size(), 5);
            ++complete;
        } else {
            QVERIFY2(left.isEmpty(), qPrintable(left.join(QLatin1Char(' '))));
            ++none;
        }
    }
    qInfo("cancelled writes: %d left nothing, %d had finished (all five files)", none, complete);
    QVERIFY(none >= 1); // cancelling at once always wins
}

QTEST_MAIN(TestRecording)
#include "tst_recording.moc"
