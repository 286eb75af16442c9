// The OTLP/HTTP receiver on the HTTP/1.1 connection layer (core/http): what the move onto that
// layer changed or could have broken. The answers themselves (codes, gzip, JSON and protobuf,
// partial success, 503) are tst_otlp's and tst_otlpmetrics'.
#include "otlp/otlpreceiver.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTest>
#include <atomic>

namespace {

const QByteArray Body
    = R"({"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"svc"}}]},)"
      R"("scopeSpans":[{"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331",)"
      R"("name":"GET /","kind":2,"startTimeUnixNano":"1700000000000000000","endTimeUnixNano":"1700000000001000000"}]}]}]})";

QByteArray exportRequest(const QByteArray &extra = {})
{
    return "POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + extra
        + "Content-Length: " + QByteArray::number(Body.size()) + "\r\n\r\n" + Body;
}

// Reads from `socket` until `count` whole answers (head + Content-Length body) have come.
QList<QByteArray> readAnswers(QTcpSocket &socket, int count)
{
    QByteArray data;
    QList<QByteArray> answers;
    while (answers.size() < count) {
        const qsizetype headEnd = data.indexOf("\r\n\r\n");
        if (headEnd >= 0) {
            const QByteArray head = data.left(headEnd).toLower();
            const qsizetype at = head.indexOf("content-length:");
            const qsizetype length
                = at < 0 ? 0 : head.mid(at + 15, head.indexOf("\r\n", at) - at - 15).trimmed().toLongLong();
            if (data.size() >= headEnd + 4 + length) {
                answers << data.left(headEnd + 4 + length);
                data.remove(0, headEnd + 4 + length);
                continue;
            }
        }
        if (!socket.waitForReadyRead(10000))
            break;
        data += socket.readAll();
    }
    return answers;
}

int statusOf(const QByteArray &answer)
{
    return answer.mid(9, 3).toInt();
}

QByteArray bodyOf(const QByteArray &answer)
{
    return answer.mid(answer.indexOf("\r\n\r\n") + 4);
}

} // namespace

class TestOtlpReceiver : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void refusedByItsHeadBeforeTheBody();
    void layerRefusalsAreOtlpStatuses();
    void requestInSingleBytes();
    void pipelinedAnsweredInOrder();
    void idleConnectionCloses();
    void stopClosesOpenConnections();
    void busyPortFails();

private:
    bool start(const OtlpReceiverOptions &options = {});
    std::unique_ptr<OtlpReceiver> m_receiver;
    std::atomic<int> m_batches { 0 };
    std::atomic<int> m_spans { 0 };
};

void TestOtlpReceiver::init()
{
    m_batches = 0;
    m_spans = 0;
    m_receiver = std::make_unique<OtlpReceiver>([this](Otlp::Batch &&batch) {
        ++m_batches;
        m_spans += int(batch.spans.size());
        return true;
    });
}

void TestOtlpReceiver::cleanup()
{
    m_receiver.reset();
}

bool TestOtlpReceiver::start(const OtlpReceiverOptions &given)
{
    OtlpReceiverOptions options = given;
    options.port = 0;
    QString error;
    if (!m_receiver->start(options, &error)) {
        qWarning("%s", qPrintable(error));
        return false;
    }
    return true;
}

void TestOtlpReceiver::refusedByItsHeadBeforeTheBody()
{
    // A wrong token, path or media type is answered when the head is in: the client that waits
    // for 100 Continue (or is about to send megabytes) is not made to send its body first.
    OtlpReceiverOptions options;
    options.token = QStringLiteral("t0k3n");
    QVERIFY(start(options));
    const struct
    {
        QByteArray head;
        int status;
    } cases[] = {
        { "POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n", 401 },
        { "POST /v1/logs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t0k3n\r\nContent-Type: "
          "application/json\r\n",
          404 },
        { "PUT /v1/traces HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t0k3n\r\nContent-Type: "
          "application/json\r\n",
          405 },
        { "POST /v1/traces HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t0k3n\r\nContent-Type: "
          "text/plain\r\n",
          415 },
    };
    for (const auto &c : cases) {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_receiver->port());
        QVERIFY(socket.waitForConnected(5000));
        socket.write(c.head + "Content-Length: 10000000\r\nExpect: 100-continue\r\n\r\n");
        const QList<QByteArray> answers = readAnswers(socket, 1);
        QCOMPARE(answers.size(), 1);
        QCOMPARE(statusOf(answers.first()), c.status);
        QVERIFY(answers.first().contains("Content-Type: application/json"));
        QVERIFY(answers.first().contains("Connection: close"));
        const QJsonObject status = QJsonDocument::fromJson(bodyOf(answers.first())).object();
        QVERIFY(status.value(QStringLiteral("code")).toInt() > 0);
        QVERIFY(!status.value(QStringLiteral("message")).toString().isEmpty());
        QTRY_COMPARE(socket.state(), QAbstractSocket::UnconnectedState);
    }
    QCOMPARE(m_batches.load(), 0);
    QCOMPARE(m_receiver->stats().errors, quint64(4));
}

void TestOtlpReceiver::layerRefusalsAreOtlpStatuses()
{
    // The connection layer's own refusals (a body over the cap, a broken request) are written as
    // google.rpc.Status bodies too, in the request's format where it names one.
    QVERIFY(start());
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_receiver->port());
    QVERIFY(socket.waitForConnected(5000));
    socket.write("POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                 + QByteArray::number(Otlp::MaxBodyBytes + 1) + "\r\n\r\n");
    QList<QByteArray> answers = readAnswers(socket, 1);
    QCOMPARE(answers.size(), 1);
    QCOMPARE(statusOf(answers.first()), 413);
    const QJsonObject status = QJsonDocument::fromJson(bodyOf(answers.first())).object();
    QCOMPARE(status.value(QStringLiteral("code")).toInt(), 8); // RESOURCE_EXHAUSTED
    QVERIFY(status.value(QStringLiteral("message")).toString().contains(QString::number(Otlp::MaxBodyBytes)));

    QTcpSocket proto;
    proto.connectToHost(QHostAddress::LocalHost, m_receiver->port());
    QVERIFY(proto.waitForConnected(5000));
    proto.write("POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\n"
                "Transfer-Encoding: chunked\r\n\r\nzz\r\n");
    answers = readAnswers(proto, 1);
    QCOMPARE(answers.size(), 1);
    QCOMPARE(statusOf(answers.first()), 400);
    QVERIFY(answers.first().contains("Content-Type: application/x-protobuf"));
    QVERIFY(!bodyOf(answers.first()).isEmpty());
}

void TestOtlpReceiver::requestInSingleBytes()
{
    QVERIFY(start());
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_receiver->port());
    QVERIFY(socket.waitForConnected(5000));
    const QByteArray request = exportRequest();
    for (char c : request) {
        socket.write(&c, 1);
        QVERIFY(socket.waitForBytesWritten(5000));
    }
    const QList<QByteArray> answers = readAnswers(socket, 1);
    QCOMPARE(answers.size(), 1);
    QCOMPARE(statusOf(answers.first()), 200);
    QCOMPARE(bodyOf(answers.first()), QByteArray("{}"));
    QCOMPARE(m_spans.load(), 1);
}

void TestOtlpReceiver::pipelinedAnsweredInOrder()
{
    QVERIFY(start());
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_receiver->port());
    QVERIFY(socket.waitForConnected(5000));
    QByteArray wrongType = exportRequest();
    wrongType.replace("application/json", "application/xml");
    // Good, bad body (kept alive: 400), good, then a refusal that closes the connection.
    socket.write(exportRequest()
                 + "POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                   "5\r\n\r\n{nope"
                 + exportRequest() + wrongType);
    const QList<QByteArray> answers = readAnswers(socket, 4);
    QCOMPARE(answers.size(), 4);
    QCOMPARE(statusOf(answers.at(0)), 200);
    QCOMPARE(statusOf(answers.at(1)), 400);
    QCOMPARE(statusOf(answers.at(2)), 200);
    QCOMPARE(statusOf(answers.at(3)), 415);
    QCOMPARE(m_batches.load(), 2);
    QTRY_COMPARE(socket.state(), QAbstractSocket::UnconnectedState);
}

void TestOtlpReceiver::idleConnectionCloses()
{
    // Kept-alive connections are closed after the receiver's own idle timeout.
    OtlpReceiverOptions options;
    options.idleTimeoutMs = 300;
    QVERIFY(start(options));
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_receiver->port());
    QVERIFY(socket.waitForConnected(5000));
    socket.write(exportRequest());
    const QList<QByteArray> answers = readAnswers(socket, 1);
    QCOMPARE(answers.size(), 1);
    QCOMPARE(statusOf(answers.first()), 200);
    QVERIFY(!answers.first().contains("Connection: close"));
    QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QAbstractSocket::UnconnectedState, 10000);
}

void TestOtlpReceiver::stopClosesOpenConnections()
{
    QVERIFY(start());
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_receiver->port());
    QVERIFY(socket.waitForConnected(5000));
    socket.write("POST /v1/traces HTTP/1.1\r\nHost: x\r\n"); // half a head
    QVERIFY(socket.waitForBytesWritten(5000));
    m_receiver->stop();
    QVERIFY(!m_receiver->isRunning());
    QTRY_COMPARE(socket.state(), QAbstractSocket::UnconnectedState);
    // And it starts again.
    QVERIFY(start());
    QTcpSocket again;
    again.connectToHost(QHostAddress::LocalHost, m_receiver->port());
    QVERIFY(again.waitForConnected(5000));
    again.write(exportRequest());
    QCOMPARE(statusOf(readAnswers(again, 1).value(0)), 200);
}

void TestOtlpReceiver::busyPortFails()
{
    QVERIFY(start());
    OtlpReceiver second([](Otlp::Batch &&) { return true; });
    OtlpReceiverOptions options;
    options.port = m_receiver->port();
    QString error;
    QVERIFY(!second.start(options, &error));
    QVERIFY2(error.contains(QString::number(options.port)), qPrintable(error));
    QVERIFY(!second.isRunning());
    OtlpReceiverOptions bad;
    bad.host = QStringLiteral("not-an-address");
    QVERIFY(!second.start(bad, &error));
    QVERIFY(error.contains(QLatin1String("not an IP address")));
}

QTEST_GUILESS_MAIN(TestOtlpReceiver)
#include "tst_otlpreceiver.moc"
