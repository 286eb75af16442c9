// The chat server core, end to end over real HTTP: the three dispatch modes, worker loops,
// streaming, persistence, live mode switches and bad input.
#include "base/traceclock.h"
#include "http/httpconnectionset.h"
#include "llm/llmbackend.h"
#include "serverfixture.h"
#include "storage/historystore.h"
#include "storage/sqlitedb.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QScopeGuard>
#include <QTcpSocket>
#include <QTest>
#include <algorithm>
#include <unistd.h>
#include <vector>

namespace {

QByteArray chatBody(const QString &user,
                    const QString &message = QStringLiteral("你好，请简单介绍一下你自己"),
                    const QString &session = QString())
{
    QJsonObject o { { QStringLiteral("user_id"), user }, { QStringLiteral("message"), message } };
    if (!session.isEmpty())
        o.insert(QStringLiteral("session_id"), session);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

// Writes `bytes` on a fresh connection and reads until the server closes it (or `timeoutMs`);
// `closedByServer` says which of the two ended it.
QByteArray rawExchange(quint16 port, const QByteArray &bytes, int timeoutMs = 10000,
                       bool *closedByServer = nullptr)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(5000))
        return "no connection";
    socket.write(bytes);
    QByteArray answer;
    QElapsedTimer clock;
    clock.start();
    while (socket.state() == QAbstractSocket::ConnectedState && clock.elapsed() < timeoutMs) {
        socket.waitForBytesWritten(10);
        if (socket.waitForReadyRead(50))
            answer += socket.readAll();
    }
    if (closedByServer)
        *closedByServer = socket.state() != QAbstractSocket::ConnectedState;
    return answer + socket.readAll();
}

// Status and JSON body of a raw HTTP/1.1 answer.
std::pair<int, QJsonObject> parseAnswer(const QByteArray &answer)
{
    const qsizetype headEnd = answer.indexOf("\r\n\r\n");
    if (!answer.startsWith("HTTP/1.1 ") || headEnd < 0)
        return { 0, {} };
    return { answer.mid(9, 3).toInt(), QJsonDocument::fromJson(answer.mid(headEnd + 4)).object() };
}

// A request line, Host and X-API-Key, then `fillers` more header fields of `fillerBytes` each.
QByteArray headWithFields(int fillers, int fillerBytes = 0)
{
    QByteArray head = "POST /v1/chat HTTP/1.1\r\nHost: x\r\nX-API-Key: test-key\r\n";
    for (int i = 0; i < fillers; ++i)
        head += "X-Filler-" + QByteArray::number(i) + ": " + QByteArray(fillerBytes, 'f') + "\r\n";
    return head;
}

double makespanSeconds(qint64 startNs, const QList<ServerFixture::Reply> &replies)
{
    qint64 last = startNs;
    for (const auto &r : replies)
        last = std::max(last, r.finishedNs);
    return double(last - startNs) / 1e9;
}

// A model that always fails, to prove a failed request stores nothing.
class FailingLlm : public LlmBackend
{
public:
    QString name() const override { return QStringLiteral("failing"); }
    LlmReply complete(const LlmRequest &, const TokenSink &, const CancelToken &) override
    {
        LlmReply r;
        r.error = LlmReply::Error::Upstream;
        r.errorMessage = QStringLiteral("upstream answered HTTP 500");
        return r;
    }
    QCoro::Task<LlmReply> completeAsync(LlmRequest, TokenSink, CancelToken) override
    {
        LlmReply r;
        r.error = LlmReply::Error::Upstream;
        r.errorMessage = QStringLiteral("upstream answered HTTP 500");
        co_return r;
    }
};

} // namespace

class TestChatServer : public QObject
{
    Q_OBJECT
private slots:
    void fiveConcurrentRequests_data();
    void fiveConcurrentRequests();
    void twoBlockingWorkersHalveTheWait();
    void streamingDeliversTokensBeforeTheEnd();
    void historySurvivesRestart();
    void modeSwitchWhileServing();
    void badInput_data();
    void badInput();
    void admissionLimitAnswers503();
    void hugeBodyIsRefusedBeforeItIsStored();
    void historyFileFromElsewhere_data();
    void historyFileFromElsewhere();
    void headerLimits_data();
    void headerLimits();
    void slowHeadersTimeOut();
    void failedLlmCallStoresNothing();
    void clientDisconnectDoesNotCrash();
    void conversationsApi();
    void conversationTextStaysWhole();
    void fullDiskLosesNothing();
    void sessionBelongsToItsUser();
    void loopLagShowsTheStall();
    void gracefulStopAnswersQueuedRequests();
};

void TestChatServer::fiveConcurrentRequests_data()
{
    QTest::addColumn<DispatchMode>("mode");
    QTest::addColumn<bool>("serialized");
    QTest::addRow("blocking (pseudo-async)") << DispatchMode::Blocking << true;
    QTest::addRow("executor (run_in_executor)") << DispatchMode::Executor << false;
    QTest::addRow("async") << DispatchMode::Async << false;
}

void TestChatServer::fiveConcurrentRequests()
{
    QFETCH(DispatchMode, mode);
    QFETCH(bool, serialized);
    ServerFixture f;
    ServerConfig c = ServerFixture::quickConfig();
    c.mode = mode;
    const double llm = 0.3;
    c.llm.latency.mean = llm;
    QVERIFY(f.start(c));

    const qint64 start = TraceClock::nowNs();
    const auto replies = f.concurrent(5, QStringLiteral("/v1/chat"),
                                      [](int i) { return chatBody(QStringLiteral("user_%1").arg(i)); });
    const double total = makespanSeconds(start, replies);
    for (const auto &r : replies) {
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json.value(QStringLiteral("mode")).toString(), dispatchModeName(mode));
        QVERIFY(!r.json.value(QStringLiteral("response")).toString().isEmpty());
        QVERIFY(!r.json.value(QStringLiteral("request_id")).toString().isEmpty());
        QCOMPARE(r.json.value(QStringLiteral("worker")).toInt(), 0);
    }
    // Seed 1's table: blocking takes ~5x one call, the others ~1x. Generous bounds on shape.
    if (serialized) {
        QVERIFY2(total >= 4.0 * llm, qPrintable(QStringLiteral("blocking total %1 s").arg(total)));
    } else {
        QVERIFY2(total < 2.5 * llm, qPrintable(QStringLiteral("concurrent total %1 s").arg(total)));
    }
    // Every request was traced with its phases.
    QTRY_COMPARE(f.server.recorder()->count(), quint64(5));
    auto allFinished = [&] {
        const auto records = f.server.recorder()->readFrom(0);
        return records.size() == 5 && std::all_of(records.begin(), records.end(), [](const RequestRecord &r) {
                   return r.finished();
               });
    };
    QTRY_VERIFY(allFinished());
    for (const RequestRecord &r : f.server.recorder()->readFrom(0)) {
        QCOMPARE(r.status, quint16(200));
        QCOMPARE(r.mode, mode);
        QVERIFY(r.arrivedNs > 0 && r.startedNs >= r.arrivedNs && r.respondedNs >= r.startedNs);
        QVERIFY(r.spanCount >= 3); // db read, llm, db write (+ queued, respond)
    }
}

void TestChatServer::twoBlockingWorkersHalveTheWait()
{
    const double llm = 0.3;
    double totals[2] = { 0, 0 };
    for (int workers : { 1, 2 }) {
        ServerFixture f;
        ServerConfig c = ServerFixture::quickConfig();
        c.mode = DispatchMode::Blocking;
        c.workers = workers;
        c.llm.latency.mean = llm;
        QVERIFY(f.start(c));
        const qint64 start = TraceClock::nowNs();
        const auto replies = f.concurrent(5, QStringLiteral("/v1/chat"),
                                          [](int i) { return chatBody(QStringLiteral("u%1").arg(i)); });
        for (const auto &r : replies)
            QCOMPARE(r.status, 200);
        totals[workers - 1] = makespanSeconds(start, replies);
        if (workers == 2) {
            QSet<int> seen;
            for (const auto &r : replies)
                seen.insert(r.json.value(QStringLiteral("worker")).toInt());
            QCOMPARE(seen.size(), 2); // both loops served
        }
    }
    // 5 requests on one loop: 5 calls back to back; on two: 3. Allow generous slack.
    QVERIFY2(totals[1] < 0.8 * totals[0],
             qPrintable(QStringLiteral("1 worker %1 s, 2 workers %2 s").arg(totals[0]).arg(totals[1])));
}

void TestChatServer::streamingDeliversTokensBeforeTheEnd()
{
    for (DispatchMode mode : { DispatchMode::Blocking, DispatchMode::Executor, DispatchMode::Async }) {
        ServerFixture f;
        ServerConfig c = ServerFixture::quickConfig();
        c.mode = mode;
        c.llm.latency.mean = 0.6;
        c.llm.firstTokenSeconds = 0.05;
        QVERIFY(f.start(c));
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, f.server.port());
        QVERIFY(socket.waitForConnected(5000));
        const QByteArray body = chatBody(QStringLiteral("streamer"));
        const qint64 start = TraceClock::nowNs();
        socket.write("POST /v1/chat/stream HTTP/1.1\r\nHost: x\r\nX-API-Key: test-key\r\nContent-Type: "
                     "application/json\r\n"
                     "Content-Length: "
                     + QByteArray::number(body.size()) + "\r\n\r\n" + body);
        QByteArray received;
        qint64 firstTokenNs = 0;
        while (!received.contains("\r\n0\r\n\r\n")) {
            QVERIFY2(socket.waitForReadyRead(10000), "stream stalled");
            received += socket.readAll();
            if (!firstTokenNs && received.contains("event: token"))
                firstTokenNs = TraceClock::nowNs();
        }
        const qint64 endNs = TraceClock::nowNs();
        QVERIFY(received.startsWith("HTTP/1.1 200"));
        QVERIFY(received.contains("text/event-stream"));
        QVERIFY(received.contains("event: start"));
        QVERIFY(received.contains("event: done"));
        QVERIFY(firstTokenNs > 0);
        // The first token arrives well before the reply ends (0.05 s vs 0.6 s here).
        QVERIFY2(firstTokenNs - start < (endNs - start) / 2,
                 qPrintable(QStringLiteral("%1: first token %2 ms, end %3 ms")
                                .arg(dispatchModeName(mode))
                                .arg((firstTokenNs - start) / 1e6)
                                .arg((endNs - start) / 1e6)));
        RequestRecord r;
        QTRY_VERIFY(f.server.recorder()->read(0, &r) && r.finished());
        QVERIFY(r.firstTokenNs > r.arrivedNs);
        QVERIFY(r.firstTokenNs < r.respondedNs);
    }
}

void TestChatServer::historySurvivesRestart()
{
    ServerFixture f;
    ServerConfig c = ServerFixture::quickConfig();
    c.llm.latency.mean = 0.01;
    QVERIFY(f.start(c));
    const QString session = QStringLiteral("s-restart");
    QCOMPARE(f.request("POST", QStringLiteral("/v1/chat"),
                       chatBody(QStringLiteral("alice"), QStringLiteral("first"), session))
                 .status,
             200);
    QCOMPARE(f.request("POST", QStringLiteral("/v1/chat"),
                       chatBody(QStringLiteral("alice"), QStringLiteral("second"), session))
                 .status,
             200);
    f.stop();
    QVERIFY(!f.server.isRunning());
    QVERIFY(f.start(c));
    const auto reply = f.request("GET", QStringLiteral("/v1/conversations/%1/messages").arg(session));
    QCOMPARE(reply.status, 200);
    const QJsonArray messages = reply.json.value(QStringLiteral("messages")).toArray();
    QCOMPARE(messages.size(), 4);
    QCOMPARE(messages[0].toObject().value(QStringLiteral("content")).toString(), QStringLiteral("first"));
    QCOMPARE(messages[1].toObject().value(QStringLiteral("role")).toString(), QStringLiteral("assistant"));
    QCOMPARE(messages[2].toObject().value(QStringLiteral("content")).toString(), QStringLiteral("second"));
}

void TestChatServer::modeSwitchWhileServing()
{
    ServerFixture f;
    ServerConfig c = ServerFixture::quickConfig();
    c.mode = DispatchMode::Executor;
    c.llm.latency.mean = 0.5;
    QVERIFY(f.start(c));
    // One slow request in flight under the executor...
    QNetworkAccessManager nam;
    QNetworkReply *slow = f.startPost(nam, QStringLiteral("/v1/chat"), chatBody(QStringLiteral("early")));
    QTRY_COMPARE(f.server.counters()->inFlight.load(), 1);
    // ...then switch to async while it runs.
    f.server.setMode(DispatchMode::Async);
    QCOMPARE(f.server.config().mode, DispatchMode::Async);
    const auto later = f.request("POST", QStringLiteral("/v1/chat"), chatBody(QStringLiteral("late")));
    QCOMPARE(later.status, 200);
    QCOMPARE(later.json.value(QStringLiteral("mode")).toString(), QStringLiteral("async"));
    QTRY_VERIFY_WITH_TIMEOUT(slow->isFinished(), 10000);
    const QJsonObject early = QJsonDocument::fromJson(slow->readAll()).object();
    QCOMPARE(early.value(QStringLiteral("mode")).toString(),
             QStringLiteral("executor")); // finished the way it began
    QVERIFY(early.value(QStringLiteral("thread")).toString().startsWith(QLatin1String("pool-")));
    slow->deleteLater();
}

void TestChatServer::badInput_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("error");
    const QByteArray key = "test-key";
    QTest::addRow("malformed JSON") << QByteArray("POST") << "/v1/chat" << QByteArray("{\"user_id\": ") << key
                                    << 400 << "invalid_request";
    QTest::addRow("not an object") << QByteArray("POST") << "/v1/chat" << QByteArray("[1,2]") << key << 400
                                   << "invalid_request";
    QTest::addRow("missing message") << QByteArray("POST") << "/v1/chat" << QByteArray(R"({"user_id":"u"})")
                                     << key << 400 << "invalid_request";
    QTest::addRow("missing user_id") << QByteArray("POST") << "/v1/chat" << QByteArray(R"({"message":"hi"})")
                                     << key << 400 << "invalid_request";
    QTest::addRow("wrong-typed user_id")
        << QByteArray("POST") << "/v1/chat" << QByteArray(R"({"user_id":7,"message":"hi"})") << key << 400
        << "invalid_request";
    QTest::addRow("wrong-typed message")
        << QByteArray("POST") << "/v1/chat" << QByteArray(R"({"user_id":"u","message":["hi"]})") << key << 400
        << "invalid_request";
    QTest::addRow("empty message") << QByteArray("POST") << "/v1/chat"
                                   << QByteArray(R"({"user_id":"u","message":"   "})") << key << 400
                                   << "invalid_request";
    QTest::addRow("message over 32 KiB")
        << QByteArray("POST") << "/v1/chat"
        << QByteArray(R"({"user_id":"u","message":")") + QByteArray(33 * 1024, 'x') + "\"}" << key << 400
        << "invalid_request";
    QTest::addRow("lone high surrogate")
        << QByteArray("POST") << "/v1/chat" << QByteArray(R"({"user_id":"u","message":"\ud800"})") << key
        << 400 << "invalid_request";
    QTest::addRow("lone low surrogate after text")
        << QByteArray("POST") << "/v1/chat" << QByteArray(R"({"user_id":"u","message":"hi \udc00 there"})")
        << key << 400 << "invalid_request";
    QTest::addRow("reversed surrogate pair")
        << QByteArray("POST") << "/v1/chat" << QByteArray(R"({"user_id":"u","message":"\ude00\ud83d"})")
        << key << 400 << "invalid_request";
    QTest::addRow("lone surrogate in user_id")
        << QByteArray("POST") << "/v1/chat" << QByteArray(R"({"user_id":"\ud800","message":"hi"})") << key
        << 400 << "invalid_request";
    QTest::addRow("lone surrogate in session_id")
        << QByteArray("POST") << "/v1/chat"
        << QByteArray(R"({"user_id":"u","session_id":"s\ud800","message":"hi"})") << key << 400
        << "invalid_request";
    QTest::addRow("lone surrogate, stream")
        << QByteArray("POST") << "/v1/chat/stream" << QByteArray(R"({"user_id":"u","message":"\ud800"})")
        << key << 400 << "invalid_request";
    QTest::addRow("invalid UTF-8 bytes")
        << QByteArray("POST") << "/v1/chat" << QByteArray("{\"user_id\":\"u\",\"message\":\"\xff\xfe\"}")
        << key << 400 << "invalid_request";
    QTest::addRow("missing key") << QByteArray("POST") << "/v1/chat" << chatBody(QStringLiteral("u"))
                                 << QByteArray() << 401 << "unauthorized";
    QTest::addRow("wrong key") << QByteArray("POST") << "/v1/chat" << chatBody(QStringLiteral("u"))
                               << QByteArray("test-kez") << 401 << "unauthorized";
    QTest::addRow("key prefix only") << QByteArray("POST") << "/v1/chat" << chatBody(QStringLiteral("u"))
                                     << QByteArray("test") << 401 << "unauthorized";
    QTest::addRow("unknown path") << QByteArray("POST") << "/v1/chatter" << chatBody(QStringLiteral("u"))
                                  << key << 404 << "not_found";
    QTest::addRow("wrong method") << QByteArray("GET") << "/v1/chat" << QByteArray() << key << 405
                                  << "method_not_allowed";
    QTest::addRow("body over 64 KiB") << QByteArray("POST") << "/v1/chat" << QByteArray(70 * 1024, ' ') << key
                                      << 413 << "payload_too_large";
}

void TestChatServer::badInput()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, key);
    QFETCH(int, status);
    QFETCH(QString, error);
    ServerFixture f;
    QVERIFY(f.start(ServerFixture::quickConfig()));
    QCOMPARE(f.request("POST", QStringLiteral("/v1/chat"),
                       chatBody(QStringLiteral("keeper"), QStringLiteral("kept"), QStringLiteral("s1")))
                 .status,
             200);
    const qint64 before = f.server.history()->messageCount();
    QCOMPARE(before, 2);

    const auto reply = f.request(method, path, body, key);
    QCOMPARE(reply.status, status);
    QCOMPARE(reply.json.value(QStringLiteral("error")).toString(), error);
    QVERIFY(!reply.json.value(QStringLiteral("detail")).toString().isEmpty());
    if (status == 405)
        QCOMPARE(reply.header("allow"), QByteArray("POST"));
    // Nothing lost, nothing half-written, and the server still answers.
    QCOMPARE(f.server.history()->messageCount(), before);
    QCOMPARE(f.request("GET", QStringLiteral("/health")).status, 200);
    QCOMPARE(f.request("POST", QStringLiteral("/v1/chat"),
                       chatBody(QStringLiteral("keeper"), QStringLiteral("again"), QStringLiteral("s1")))
                 .status,
             200);
    // A surrogate pair written as two escapes is one character (U+1F600): accepted and kept.
    QCOMPARE(f.request("POST", QStringLiteral("/v1/chat"),
                       QByteArray(R"({"user_id":"keeper","session_id":"s1","message":"\ud83d\ude00"})"))
                 .status,
             200);
    QCOMPARE(f.server.history()->messageCount(), before + 4);
}

void TestChatServer::admissionLimitAnswers503()
{
    ServerFixture f;
    ServerConfig c = ServerFixture::quickConfig();
    c.maxInFlight = 2;
    c.llm.latency.mean = 0.8;
    QVERIFY(f.start(c));
    const auto replies = f.concurrent(5, QStringLiteral("/v1/chat"),
                                      [](int i) { return chatBody(QStringLiteral("adm%1").arg(i)); });
    int ok = 0, rejected = 0;
    for (const auto &r : replies) {
        if (r.status == 200)
            ++ok;
        if (r.status == 503) {
            ++rejected;
            QCOMPARE(r.header("retry-after"), QByteArray("1"));
            QCOMPARE(r.json.value(QStringLiteral("error")).toString(), QStringLiteral("over_capacity"));
        }
    }
    QCOMPARE(ok, 2);
    QCOMPARE(rejected, 3);
    QCOMPARE(f.server.counters()->rejected.load(), quint64(3));
}

void TestChatServer::hugeBodyIsRefusedBeforeItIsStored()
{
    ServerFixture f;
    QVERIFY(f.start(ServerFixture::quickConfig()));
    // A 50 MB upload: the server answers 413 and closes long before the client is done.
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, f.server.port());
    QVERIFY(socket.waitForConnected(5000));
    const qint64 total = 50'000'000;
    socket.write(
        "POST /v1/chat HTTP/1.1\r\nHost: x\r\nX-API-Key: test-key\r\nContent-Type: application/json\r\n"
        "Content-Length: "
        + QByteArray::number(total) + "\r\n\r\n");
    const QByteArray chunk(64 * 1024, 'x');
    qint64 sent = 0;
    QByteArray answer;
    while (sent < total && socket.state() == QAbstractSocket::ConnectedState
           && !answer.contains("\r\n\r\n")) {
        sent += socket.write(chunk);
        socket.waitForBytesWritten(100);
        if (socket.waitForReadyRead(1))
            answer += socket.readAll();
    }
    while (!answer.contains("\r\n\r\n") && socket.waitForReadyRead(2000))
        answer += socket.readAll();
    QVERIFY2(answer.startsWith("HTTP/1.1 413"), answer.left(200).constData());
    QVERIFY2(sent < total / 4, qPrintable(QStringLiteral("sent %1 bytes before the answer").arg(sent)));
    // Keep-alive requests of normal size are not affected by the guard.
    for (int i = 0; i < 3; ++i)
        QCOMPARE(f.request("POST", QStringLiteral("/v1/chat"),
                           chatBody(QStringLiteral("after"), QString(30000, QLatin1Char('y'))))
                     .status,
                 200);
}

void TestChatServer::historyFileFromElsewhere_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("messagePart");
    QTest::addRow("another program's SQLite") << "foreign"
                                              << "not a LoopScope history database";
    QTest::addRow("not SQLite at all") << "text"
                                       << "not a LoopScope history database";
    QTest::addRow("a folder") << "folder"
                              << "not a file";
    QTest::addRow("read-only") << "readonly"
                               << "read-only";
}

void TestChatServer::historyFileFromElsewhere()
{
    QFETCH(QString, kind);
    QFETCH(QString, messagePart);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("history.sqlite"));
    QByteArray before;
    if (kind == QLatin1String("foreign")) {
        SqliteDb db; // another program's database
        QString why;
        QVERIFY2(db.open(path, &why), qPrintable(why));
        QVERIFY(db.exec("CREATE TABLE invoices(id INTEGER PRIMARY KEY, total REAL)"));
    } else if (kind == QLatin1String("text")) {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(4096, 'x'));
    } else if (kind == QLatin1String("folder")) {
        QVERIFY(QDir().mkpath(path));
    } else {
        if (::geteuid() == 0)
            QSKIP("root may write a read-only file: run as a normal user to test this row");
        QVERIFY(HistoryStore(path).open());
        QVERIFY(QFile::setPermissions(path, QFile::ReadOwner | QFile::ReadGroup | QFile::ReadOther));
    }
    if (QFileInfo(path).isFile()) {
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        before = f.readAll();
    }
    ChatServer server;
    ServerConfig c = ServerFixture::quickConfig();
    c.apiKey = QStringLiteral("k");
    c.dbPath = path;
    QString error;
    QVERIFY(!server.start(c, &error));
    QVERIFY2(error.contains(messagePart), qPrintable(error));
    QVERIFY2(error.contains(path), qPrintable(error));
    QVERIFY(!server.isRunning());
    if (!before.isEmpty()) { // left as it was: no LoopScope tables added to someone else's file
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(f.readAll() == before);
    }
    // The same server starts on a database of its own.
    c.dbPath = dir.filePath(QStringLiteral("mine.sqlite"));
    QVERIFY2(server.start(c, &error), qPrintable(error));
    server.stop();
}

void TestChatServer::headerLimits_data()
{
    QTest::addColumn<int>("fields");
    QTest::addColumn<int>("fieldBytes");
    QTest::addColumn<int>("status");
    // Fields = all the request's header fields: Host, X-API-Key, Content-Type, Connection and
    // Content-Length, plus fillers.
    QTest::addRow("20,000 header lines") << 20000 << 0 << 431;
    QTest::addRow("101 fields") << 101 << 0 << 431;
    QTest::addRow("100 fields") << 100 << 0 << 200;
    QTest::addRow("one 17 KiB field") << 6 << 17 * 1024 << 431;
    QTest::addRow("head of 15 KiB") << 25 << 15 * 1024 / 20 << 200;
    QTest::addRow("head of 17 KiB") << 25 << 17 * 1024 / 20 << 431;
}

void TestChatServer::headerLimits()
{
    QFETCH(int, fields);
    QFETCH(int, fieldBytes);
    QFETCH(int, status);
    ServerFixture f;
    QVERIFY(f.start(ServerFixture::quickConfig()));
    const QByteArray body = chatBody(QStringLiteral("headers"));
    const QByteArray request = headWithFields(fields - 5, fieldBytes)
        + "Content-Type: application/json\r\n"
          "Connection: close\r\nContent-Length: "
        + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    const auto [got, json] = parseAnswer(rawExchange(f.server.port(), request));
    QCOMPARE(got, status);
    if (status == 431) {
        QCOMPARE(json.value(QStringLiteral("error")).toString(),
                 QStringLiteral("request_header_fields_too_large"));
        QVERIFY(!json.value(QStringLiteral("detail")).toString().isEmpty());
        QCOMPARE(f.server.history()->messageCount(), 0); // refused before any handler ran
    } else {
        QCOMPARE(f.server.history()->messageCount(), 2);
    }
    QCOMPARE(f.request("GET", QStringLiteral("/health")).status, 200);
}

void TestChatServer::slowHeadersTimeOut()
{
    HttpConnectionSet::setHeaderTimeoutMs(400);
    auto restore = qScopeGuard([] { HttpConnectionSet::setHeaderTimeoutMs(0); });
    for (DispatchMode mode : { DispatchMode::Blocking, DispatchMode::Async }) {
        ServerFixture f;
        ServerConfig c = ServerFixture::quickConfig();
        c.mode = mode;
        c.llm.latency.mean = 0.6;
        QVERIFY(f.start(c));
        // Half a head, then silence: 408 with the JSON body, and the server closes the connection
        // (not the client giving up), once the head timeout has passed (a coarse timer may fire
        // up to 5 % early) and not at once.
        QElapsedTimer clock;
        clock.start();
        bool closed = false;
        const auto [status, json] = parseAnswer(
            rawExchange(f.server.port(), "POST /v1/chat HTTP/1.1\r\nHost: x\r\n", 10000, &closed));
        QCOMPARE(status, 408);
        QCOMPARE(json.value(QStringLiteral("error")).toString(), QStringLiteral("request_timeout"));
        QVERIFY(closed);
        QVERIFY2(clock.elapsed() >= 380, qPrintable(QString::number(clock.elapsed())));
        // A client that connects and never sends anything is closed, with nothing to answer.
        clock.restart();
        closed = false;
        QCOMPARE(rawExchange(f.server.port(), QByteArray(), 10000, &closed), QByteArray());
        QVERIFY(closed);
        QVERIFY2(clock.elapsed() >= 380, qPrintable(QString::number(clock.elapsed())));

        // Not timed: a kept-alive connection idle between requests, and the pipeline's own time
        // (an LLM call longer than the head timeout).
        f.server.setMode(DispatchMode::Executor);
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, f.server.port());
        QVERIFY(socket.waitForConnected(5000));
        const QByteArray body = chatBody(QStringLiteral("patient"));
        const QByteArray request
            = headWithFields(0) + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
        for (int i = 0; i < 2; ++i) {
            socket.write(request);
            QByteArray answer;
            while (!answer.contains("\"response\"") && socket.waitForReadyRead(5000))
                answer += socket.readAll();
            QVERIFY2(answer.startsWith("HTTP/1.1 200"), answer.constData());
            QVERIFY(!socket.waitForDisconnected(600)); // idle longer than the head timeout
        }
    }
}

void TestChatServer::failedLlmCallStoresNothing()
{
    for (DispatchMode mode : { DispatchMode::Blocking, DispatchMode::Executor, DispatchMode::Async }) {
        ServerFixture f;
        ServerConfig c = ServerFixture::quickConfig();
        c.mode = mode;
        QVERIFY(f.start(c));
        QCOMPARE(
            f.request("POST", QStringLiteral("/v1/chat"), chatBody(QStringLiteral("u"), QStringLiteral("ok")))
                .status,
            200);
        f.server.setLlmBackend(std::make_shared<FailingLlm>());
        const auto reply = f.request("POST", QStringLiteral("/v1/chat"),
                                     chatBody(QStringLiteral("u"), QStringLiteral("fails")));
        QCOMPARE(reply.status, 502);
        QCOMPARE(reply.json.value(QStringLiteral("error")).toString(), QStringLiteral("llm_upstream_error"));
        QCOMPARE(f.server.history()->messageCount(), 2); // only the first exchange
    }
}

void TestChatServer::clientDisconnectDoesNotCrash()
{
    for (DispatchMode mode : { DispatchMode::Blocking, DispatchMode::Executor, DispatchMode::Async }) {
        ServerFixture f;
        ServerConfig c = ServerFixture::quickConfig();
        c.mode = mode;
        c.llm.latency.mean = 0.3;
        QVERIFY(f.start(c));
        for (const char *path : { "/v1/chat", "/v1/chat/stream" }) {
            QTcpSocket socket;
            socket.connectToHost(QHostAddress::LocalHost, f.server.port());
            QVERIFY(socket.waitForConnected(5000));
            const QByteArray body = chatBody(QStringLiteral("leaver"));
            socket.write(QByteArray("POST ") + path
                         + " HTTP/1.1\r\nHost: x\r\nX-API-Key: test-key\r\n"
                           "Content-Length: "
                         + QByteArray::number(body.size()) + "\r\n\r\n" + body);
            QVERIFY(socket.waitForBytesWritten(5000));
            QTRY_COMPARE(f.server.counters()->inFlight.load(), 1);
            socket.abort(); // gone before the answer
            QTRY_COMPARE_WITH_TIMEOUT(f.server.counters()->inFlight.load(), 0, 10000);
        }
        QCOMPARE(f.request("GET", QStringLiteral("/health")).status, 200);
    }
}

void TestChatServer::conversationTextStaysWhole()
{
    ServerFixture f;
    QVERIFY(f.start(ServerFixture::quickConfig()));
    // A lone surrogate is no text: 400, as in /v1/chat.
    const auto lone
        = f.request("POST", QStringLiteral("/v1/conversations"), R"({"user_id":"u","title":"\ud800"})");
    QCOMPARE(lone.status, 400);
    QVERIFY(lone.json.value(QStringLiteral("detail")).toString().contains(QLatin1String("title")));
    QCOMPARE(f.request("POST", QStringLiteral("/v1/conversations"), R"({"user_id":5})").status, 400);
    // Cut to 200 UTF-16 units, but never between the halves of an emoji.
    const QString title = QString(199, QLatin1Char('x')) + QStringLiteral("😀 and more");
    const auto created
        = f.request("POST", QStringLiteral("/v1/conversations"),
                    QJsonDocument(QJsonObject { { QStringLiteral("user_id"), QStringLiteral("u") },
                                                { QStringLiteral("title"), title } })
                        .toJson(QJsonDocument::Compact));
    QCOMPARE(created.status, 201);
    const QString stored = created.json.value(QStringLiteral("title")).toString();
    QCOMPARE(stored, QString(199, QLatin1Char('x')));
    QVERIFY(stored.isValidUtf16());
}

void TestChatServer::conversationsApi()
{
    ServerFixture f;
    ServerConfig c = ServerFixture::quickConfig();
    c.llm.latency.mean = 0.01;
    QVERIFY(f.start(c));
    const auto created = f.request("POST", QStringLiteral("/v1/conversations"),
                                   QByteArray(R"({"user_id":"carol","title":"Plans"})"));
    QCOMPARE(created.status, 201);
    const QString id = created.json.value(QStringLiteral("id")).toString();
    QVERIFY(!id.isEmpty());
    QCOMPARE(f.request("POST", QStringLiteral("/v1/chat"),
                       chatBody(QStringLiteral("carol"), QStringLiteral("hello"), id))
                 .status,
             200);
    auto list = f.request("GET", QStringLiteral("/v1/conversations?user_id=carol"));
    QCOMPARE(list.status, 200);
    QCOMPARE(list.json.value(QStringLiteral("conversations")).toArray().size(), 1);
    QCOMPARE(list.json.value(QStringLiteral("conversations"))
                 .toArray()[0]
                 .toObject()
                 .value(QStringLiteral("messages"))
                 .toInt(),
             2);
    QCOMPARE(f.request("PATCH", QStringLiteral("/v1/conversations/%1").arg(id),
                       QByteArray(R"({"title":"Renamed"})"))
                 .json.value(QStringLiteral("title"))
                 .toString(),
             QStringLiteral("Renamed"));
    QCOMPARE(f.request("DELETE", QStringLiteral("/v1/conversations/%1").arg(id)).status, 200);
    QCOMPARE(f.request("GET", QStringLiteral("/v1/conversations/%1/messages").arg(id)).status, 404);
    QCOMPARE(f.server.history()->messageCount(), 0); // messages went with it (ON DELETE CASCADE)
    QCOMPARE(f.request("GET", QStringLiteral("/v1/conversations"), {}, QByteArray()).status, 401);
}

void TestChatServer::fullDiskLosesNothing()
{
    for (DispatchMode mode : { DispatchMode::Blocking, DispatchMode::Executor, DispatchMode::Async }) {
        ServerFixture f;
        ServerConfig c = ServerFixture::quickConfig();
        c.mode = mode;
        c.llm.latency.mean = 0.01;
        QVERIFY(f.start(c));
        const QString session = QStringLiteral("disk");
        QCOMPARE(f.request("POST", QStringLiteral("/v1/chat"),
                           chatBody(QStringLiteral("u"), QStringLiteral("before"), session))
                     .status,
                 200);
        // The database may not grow any more: the next exchange (30 KB) cannot be stored.
        f.server.history()->setPageLimitForTesting(1);
        const auto full
            = f.request("POST", QStringLiteral("/v1/chat"),
                        chatBody(QStringLiteral("u"), QString(30 * 1024, QLatin1Char('x')), session));
        QCOMPARE(full.status, 500);
        QCOMPARE(full.json.value(QStringLiteral("error")).toString(), QStringLiteral("storage_error"));
        QVERIFY2(full.json.value(QStringLiteral("detail")).toString().contains(QLatin1String("full")),
                 qPrintable(full.json.value(QStringLiteral("detail")).toString()));
        // What was there is intact and readable; nothing of the failed exchange was kept.
        const auto messages = f.request("GET", QStringLiteral("/v1/conversations/%1/messages").arg(session));
        QCOMPARE(messages.status, 200);
        const QJsonArray list = messages.json.value(QStringLiteral("messages")).toArray();
        QCOMPARE(list.size(), 2);
        QCOMPARE(list[0].toObject().value(QStringLiteral("content")).toString(), QStringLiteral("before"));
        QCOMPARE(f.request("GET", QStringLiteral("/health")).status, 200);
    }
}

void TestChatServer::sessionBelongsToItsUser()
{
    for (DispatchMode mode : { DispatchMode::Blocking, DispatchMode::Executor, DispatchMode::Async }) {
        ServerFixture f;
        ServerConfig c = ServerFixture::quickConfig();
        c.mode = mode;
        c.llm.latency.mean = 0.005;
        QVERIFY(f.start(c));
        const QString session = QStringLiteral("owned-%1").arg(int(mode));
        QCOMPARE(f.request("POST", QStringLiteral("/v1/chat"),
                           chatBody(QStringLiteral("owner"), QStringLiteral("mine"), session))
                     .status,
                 200);
        // Another user naming that session: told it does not exist, and nothing is written.
        const auto intruder = f.request("POST", QStringLiteral("/v1/chat"),
                                        chatBody(QStringLiteral("intruder"), QStringLiteral("x"), session));
        QCOMPARE(intruder.status, 404);
        QCOMPARE(intruder.json.value(QStringLiteral("error")).toString(),
                 QStringLiteral("session_not_found"));
        QVERIFY(!intruder.json.value(QStringLiteral("detail")).toString().contains(QLatin1String("owner")));
        const auto messages = f.request("GET", QStringLiteral("/v1/conversations/%1/messages").arg(session));
        QCOMPARE(messages.json.value(QStringLiteral("messages")).toArray().size(), 2);
        // The owner goes on as before.
        QCOMPARE(f.request("POST", QStringLiteral("/v1/chat"),
                           chatBody(QStringLiteral("owner"), QStringLiteral("again"), session))
                     .status,
                 200);
        QCOMPARE(f.server.history()->messageCount(), 4);
    }
}

void TestChatServer::loopLagShowsTheStall()
{
    // The 10 ms heartbeat of a blocked loop fires late by about the length of the blocking call;
    // an async loop keeps beating through it. Shape, not speed: a busy machine may delay any one
    // beat of the async loop, so its typical (median) beat is compared, not its worst.
    const double llm = 0.4;
    float worst[2] = { 0, 0 };
    std::vector<float> asyncLags;
    int i = 0;
    for (DispatchMode mode : { DispatchMode::Blocking, DispatchMode::Async }) {
        ServerFixture f;
        ServerConfig c = ServerFixture::quickConfig();
        c.mode = mode;
        c.llm.latency.mean = llm;
        QVERIFY(f.start(c));
        const qint64 from = TraceClock::nowNs();
        QCOMPARE(f.request("POST", QStringLiteral("/v1/chat"), chatBody(QStringLiteral("lag"))).status, 200);
        const qint64 to = TraceClock::nowNs();
        QTRY_VERIFY(!f.server.counterSeries()->between(to + 20'000'000, to + 10'000'000'000).isEmpty());
        const auto samples = f.server.counterSeries()->between(from, to + 20'000'000);
        QVERIFY(samples.size() >= 10); // ~100 Hz
        for (const CounterSample &s : samples) {
            worst[i] = std::max(worst[i], s.loopLagMs[0]);
            if (mode == DispatchMode::Async)
                asyncLags.push_back(s.loopLagMs[0]);
        }
        ++i;
    }
    QVERIFY2(worst[0] >= 0.6 * llm * 1000,
             qPrintable(QStringLiteral("blocking: worst lag %1 ms").arg(worst[0])));
    std::nth_element(asyncLags.begin(), asyncLags.begin() + asyncLags.size() / 2, asyncLags.end());
    const float median = asyncLags[asyncLags.size() / 2];
    QVERIFY2(median < 0.25 * llm * 1000,
             qPrintable(QStringLiteral("async: median lag %1 ms (worst %2 ms)").arg(median).arg(worst[1])));
}

void TestChatServer::gracefulStopAnswersQueuedRequests()
{
    ServerFixture f;
    ServerConfig c = ServerFixture::quickConfig();
    c.mode = DispatchMode::Blocking;
    c.llm.latency.mean = 0.3;
    QVERIFY(f.start(c));
    QNetworkAccessManager nam;
    QList<QNetworkReply *> replies;
    for (int i = 0; i < 3; ++i)
        replies.append(f.startPost(nam, QStringLiteral("/v1/chat"), chatBody(QStringLiteral("q%1").arg(i))));
    // One runs on the blocked loop; the other two wait in the kernel's accept queue.
    QTRY_COMPARE(f.server.counters()->inFlight.load(), 1);
    f.server.stop(10000);
    QVERIFY(!f.server.isRunning());
    for (QNetworkReply *r : replies) {
        QTRY_VERIFY_WITH_TIMEOUT(r->isFinished(), 10000);
        QCOMPARE(r->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        r->deleteLater();
    }
}

QTEST_GUILESS_MAIN(TestChatServer)
#include "tst_chatserver.moc"
