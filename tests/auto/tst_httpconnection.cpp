// The chat server's HTTP/1.1 connection layer (core/http/httpconnection*), driven over real
// sockets: requests cut into single bytes, pipelining, chunked bodies, Expect: 100-continue and
// the idle keep-alive timeout.
#include "http/httpconnection.h"
#include "http/httpconnectionset.h"
#include "http/httprequest.h"
#include "http/responsechannel.h"
#include "loop/epolleventdispatcher.h"
#include "serverfixture.h"
#include "storage/historystore.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QScopeGuard>
#include <QTcpSocket>
#include <QTest>
#include <QThread>
#include <atomic>
#include <sys/socket.h>
#include <unistd.h>

namespace {

QByteArray chatBody(const QString &user)
{
    return R"({"user_id":")" + user.toUtf8() + R"(","message":"你好"})";
}

QByteArray chatRequest(const QByteArray &body, const QByteArray &extra = {})
{
    return "POST /v1/chat HTTP/1.1\r\nHost: x\r\nX-API-Key: test-key\r\nContent-Type: application/json\r\n"
        + extra + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

// Reads whole answers (Content-Length framed) from `socket` until `count` arrived or time runs out.
QList<QByteArray> readAnswers(QTcpSocket &socket, int count, int timeoutMs = 10000)
{
    QList<QByteArray> answers;
    QByteArray buffer;
    QElapsedTimer clock;
    clock.start();
    while (answers.size() < count && clock.elapsed() < timeoutMs) {
        const qsizetype headEnd = buffer.indexOf("\r\n\r\n");
        if (headEnd >= 0) {
            const QByteArray head = buffer.left(headEnd).toLower();
            const qsizetype at = head.indexOf("content-length: ");
            const qsizetype length
                = at < 0 ? 0 : head.mid(at + 16, head.indexOf("\r\n", at) - at - 16).toLongLong();
            if (buffer.size() >= headEnd + 4 + length) {
                answers.append(buffer.left(headEnd + 4 + length));
                buffer.remove(0, headEnd + 4 + length);
                continue;
            }
        }
        if (socket.waitForReadyRead(100))
            buffer += socket.readAll();
        else if (socket.state() != QAbstractSocket::ConnectedState)
            break;
    }
    return answers;
}

int statusOf(const QByteArray &answer)
{
    return answer.startsWith("HTTP/1.1 ") ? answer.mid(9, 3).toInt() : 0;
}

QJsonObject jsonOf(const QByteArray &answer)
{
    return QJsonDocument::fromJson(answer.mid(answer.indexOf("\r\n\r\n") + 4)).object();
}

bool connectTo(QTcpSocket &socket, quint16 port)
{
    socket.connectToHost(QHostAddress::LocalHost, port);
    socket.setSocketOption(QAbstractSocket::LowDelayOption, 1); // every byte its own segment
    return socket.waitForConnected(5000);
}

} // namespace

class TestHttpConnection : public QObject
{
    Q_OBJECT
private slots:
    void requestSplitIntoSingleBytes_data();
    void requestSplitIntoSingleBytes();
    void pipelinedRequestsAnswerInOrder();
    void expectContinue();
    void idleKeepAliveTimeout();
    void malformedRequestGets400();
    void streamToAClientThatStopsReading();
};

void TestHttpConnection::requestSplitIntoSingleBytes_data()
{
    QTest::addColumn<QByteArray>("request");
    const QByteArray body = chatBody(QStringLiteral("bytewise"));
    QTest::addRow("Content-Length") << chatRequest(body);
    QByteArray chunked = "POST /v1/chat HTTP/1.1\r\nHost: x\r\nX-API-Key: test-key\r\n"
                         "Transfer-Encoding: chunked\r\n\r\n";
    const qsizetype half = body.size() / 2;
    chunked += QByteArray::number(half, 16) + "\r\n" + body.left(half) + "\r\n";
    chunked += QByteArray::number(body.size() - half, 16) + "\r\n" + body.mid(half) + "\r\n0\r\n\r\n";
    QTest::addRow("chunked body") << chunked;
}

void TestHttpConnection::requestSplitIntoSingleBytes()
{
    QFETCH(QByteArray, request);
    ServerFixture f;
    QVERIFY(f.start(ServerFixture::quickConfig()));
    QTcpSocket socket;
    QVERIFY(connectTo(socket, f.server.port()));
    // One byte per send, each pushed out before the next: the server reads them one by one.
    for (char c : request) {
        socket.write(&c, 1);
        QVERIFY(socket.waitForBytesWritten(5000));
    }
    const QList<QByteArray> answers = readAnswers(socket, 1);
    QCOMPARE(answers.size(), 1);
    QCOMPARE(statusOf(answers[0]), 200);
    QVERIFY(!jsonOf(answers[0]).value(QStringLiteral("response")).toString().isEmpty());
    QCOMPARE(f.server.history()->messageCount(), 2);
    // The same connection serves the next request (keep-alive).
    socket.write(request);
    QCOMPARE(statusOf(readAnswers(socket, 1).value(0)), 200);
}

void TestHttpConnection::pipelinedRequestsAnswerInOrder()
{
    // In async mode the chat request is answered after its LLM call; the /health behind it
    // (sent in the same segment) must still come second.
    ServerFixture f;
    ServerConfig c = ServerFixture::quickConfig();
    c.mode = DispatchMode::Async;
    c.llm.latency.mean = 0.3;
    QVERIFY(f.start(c));
    QTcpSocket socket;
    QVERIFY(connectTo(socket, f.server.port()));
    socket.write(chatRequest(chatBody(QStringLiteral("first"))) + "GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
                 + "GET /v1/nowhere HTTP/1.1\r\nHost: x\r\n\r\n");
    const QList<QByteArray> answers = readAnswers(socket, 3);
    QCOMPARE(answers.size(), 3);
    QCOMPARE(statusOf(answers[0]), 200);
    QVERIFY(jsonOf(answers[0]).contains(QStringLiteral("response")));
    QCOMPARE(statusOf(answers[1]), 200);
    QCOMPARE(jsonOf(answers[1]).value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
    QCOMPARE(statusOf(answers[2]), 404);
    QCOMPARE(jsonOf(answers[2]).value(QStringLiteral("error")).toString(), QStringLiteral("not_found"));
}

void TestHttpConnection::expectContinue()
{
    ServerFixture f;
    QVERIFY(f.start(ServerFixture::quickConfig()));
    QTcpSocket socket;
    QVERIFY(connectTo(socket, f.server.port()));
    const QByteArray body = chatBody(QStringLiteral("patient"));
    const QByteArray request = chatRequest(body, "Expect: 100-continue\r\n");
    socket.write(request.left(request.size() - body.size())); // the head only
    QByteArray interim;
    while (!interim.contains("\r\n\r\n") && socket.waitForReadyRead(5000))
        interim += socket.readAll();
    QCOMPARE(interim, QByteArray("HTTP/1.1 100 Continue\r\n\r\n"));
    socket.write(body);
    const QList<QByteArray> answers = readAnswers(socket, 1);
    QCOMPARE(statusOf(answers.value(0)), 200);
    // A body that is too large is refused instead of invited.
    QTcpSocket big;
    QVERIFY(connectTo(big, f.server.port()));
    big.write("POST /v1/chat HTTP/1.1\r\nHost: x\r\nX-API-Key: test-key\r\nExpect: 100-continue\r\n"
              "Content-Length: 100000000\r\n\r\n");
    const QList<QByteArray> refused = readAnswers(big, 1);
    QCOMPARE(statusOf(refused.value(0)), 413);
    QCOMPARE(jsonOf(refused.value(0)).value(QStringLiteral("error")).toString(),
             QStringLiteral("payload_too_large"));
}

void TestHttpConnection::idleKeepAliveTimeout()
{
    QCOMPARE(HttpConnectionSet::idleTimeoutMs(), 5000); // the documented default (uvicorn's)
    HttpConnectionSet::setIdleTimeoutMs(400);
    auto restore = qScopeGuard([] { HttpConnectionSet::setIdleTimeoutMs(0); });
    ServerFixture f;
    QVERIFY(f.start(ServerFixture::quickConfig()));
    QTcpSocket socket;
    QVERIFY(connectTo(socket, f.server.port()));
    socket.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    QCOMPARE(statusOf(readAnswers(socket, 1).value(0)), 200);
    QElapsedTimer idle;
    idle.start();
    QTRY_COMPARE_WITH_TIMEOUT(f.server.counters()->connections.load(), 1, 5000);
    // Requests keep it open: each one restarts the idle clock.
    for (int i = 0; i < 3; ++i) {
        QVERIFY(!socket.waitForDisconnected(250));
        socket.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
        QCOMPARE(statusOf(readAnswers(socket, 1).value(0)), 200);
    }
    idle.restart();
    QVERIFY(socket.waitForDisconnected(5000)); // the server closes it
    QVERIFY2(idle.elapsed() >= 350, qPrintable(QString::number(idle.elapsed())));
    QTRY_COMPARE_WITH_TIMEOUT(f.server.counters()->connections.load(), 0, 5000);
}

void TestHttpConnection::malformedRequestGets400()
{
    ServerFixture f;
    QVERIFY(f.start(ServerFixture::quickConfig()));
    QTcpSocket socket;
    QVERIFY(connectTo(socket, f.server.port()));
    socket.write("GET /health HTTP/1.1\r\nHost: x\r\nBad Header Without Colon\r\n\r\n");
    const QList<QByteArray> answers = readAnswers(socket, 1);
    QCOMPARE(statusOf(answers.value(0)), 400);
    QCOMPARE(jsonOf(answers.value(0)).value(QStringLiteral("error")).toString(),
             QStringLiteral("bad_request"));
    QVERIFY(socket.waitForDisconnected(5000));
    QCOMPARE(f.request("GET", QStringLiteral("/health")).status, 200);
}

void TestHttpConnection::streamToAClientThatStopsReading()
{
    // An endpoint streams 64 KiB chunks to a client that sent its request and then reads
    // nothing: the answer piles up in the connection until MaxPendingOutput, then the connection
    // closes and the endpoint is told (onGone), instead of buffering without end.
    QThread thread;
    thread.setEventDispatcher(new EpollEventDispatcher);
    thread.start();
    QObject onThread;
    onThread.moveToThread(&thread);
    std::atomic<bool> gone { false };
    std::atomic<qint64> written { 0 };
    HttpConnectionSet *set = nullptr;
    int sockets[2] = { -1, -1 };
    QVERIFY(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sockets) == 0);
    const qint64 chunkBytes = 64 * 1024;
    const int chunks = 400; // 25 MiB: far more than may wait
    QMetaObject::invokeMethod(
        &onThread,
        [&] {
            set = new HttpConnectionSet(
                [&](const HttpRequest &, std::shared_ptr<ResponseChannel> channel) {
                    channel->onGone([&] { gone = true; });
                    channel->beginStream("text/event-stream");
                    const QByteArray chunk(chunkBytes, 'x');
                    for (int i = 0; i < chunks && !channel->gone(); ++i) {
                        channel->writeChunk(chunk);
                        written += chunkBytes;
                    }
                },
                nullptr);
            set->adopt(sockets[0]);
        },
        Qt::BlockingQueuedConnection);
    const QByteArray request = "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n";
    QCOMPARE(::write(sockets[1], request.constData(), size_t(request.size())), ssize_t(request.size()));
    QTRY_VERIFY_WITH_TIMEOUT(gone.load(), 10000);
    QVERIFY2(written.load() < chunks * chunkBytes, qPrintable(QString::number(written.load())));
    QVERIFY(written.load() > HttpConnection::MaxPendingOutput);
    auto openOnThread = [&] {
        int n = -1;
        QMetaObject::invokeMethod(
            &onThread, [&] { n = set->count(); }, Qt::BlockingQueuedConnection);
        return n;
    };
    QTRY_COMPARE(openOnThread(), 0); // closed and forgotten
    QMetaObject::invokeMethod(
        &onThread, [&] { delete set; }, Qt::BlockingQueuedConnection);
    ::close(sockets[1]);
    thread.quit();
    thread.wait();
}

QTEST_GUILESS_MAIN(TestHttpConnection)
#include "tst_httpconnection.moc"
