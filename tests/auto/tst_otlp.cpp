// The OTLP trace receiver: decoding bodies captured from the official Node exporter (protobuf
// and JSON, gzip and not), bad bodies (malformed, truncated, oversized, gzip bombs), the HTTP
// answers of the receiver (chunked, gzip, 400/401/404/413/415/503, partial success) and the
// assembly of spans into request records with phases, lanes and clock offsets.
#include "base/threadregistry.h"
#include "base/traceclock.h"
#include "otlp/otlpassembler.h"
#include "otlp/otlpdecoder.h"
#include "otlp/otlpobserver.h"
#include "otlp/otlpreceiver.h"
#include "report/reportdocument.h"
#include "trace/tracerecorder.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTest>
#include <zlib.h>

namespace {

QString dataDir()
{
    return qEnvironmentVariable("LOOPSCOPE_SOURCE_DIR", QStringLiteral("."))
        + QStringLiteral("/tests/auto/data/otlp/");
}

QByteArray readFixture(const QString &name)
{
    QFile f(dataDir() + name);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

QByteArray gzip(const QByteArray &data)
{
    z_stream z {};
    deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY);
    QByteArray out(qsizetype(deflateBound(&z, uLong(data.size()))) + 64, Qt::Uninitialized);
    z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.constData()));
    z.avail_in = uInt(data.size());
    z.next_out = reinterpret_cast<Bytef *>(out.data());
    z.avail_out = uInt(out.size());
    deflate(&z, Z_FINISH);
    out.resize(qsizetype(z.total_out));
    deflateEnd(&z);
    return out;
}

// A gzip stream of `size` zero bytes, compressed piece by piece (never held inflated).
QByteArray gzipZeros(qint64 size)
{
    z_stream z {};
    deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY);
    const QByteArray zeros(1 << 20, '\0');
    QByteArray out;
    QByteArray buf(1 << 16, Qt::Uninitialized);
    for (qint64 left = size; left >= 0;) {
        const qint64 n = std::min<qint64>(left, zeros.size());
        z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(zeros.constData()));
        z.avail_in = uInt(n);
        left -= n;
        const int flush = left == 0 ? Z_FINISH : Z_NO_FLUSH;
        do {
            z.next_out = reinterpret_cast<Bytef *>(buf.data());
            z.avail_out = uInt(buf.size());
            deflate(&z, flush);
            out.append(buf.constData(), buf.size() - qsizetype(z.avail_out));
        } while (z.avail_out == 0);
        if (flush == Z_FINISH)
            break;
    }
    deflateEnd(&z);
    return out;
}

QString hex(const char *s)
{
    return QString::fromLatin1(s);
}

QJsonObject attr(const QString &key, const QJsonValue &value)
{
    QJsonObject v;
    if (value.isString())
        v.insert(QStringLiteral("stringValue"), value);
    else
        v.insert(QStringLiteral("intValue"), QString::number(value.toInteger()));
    return QJsonObject { { QStringLiteral("key"), key }, { QStringLiteral("value"), v } };
}

QJsonObject jsonSpan(const QString &trace, const QString &span, const QString &parent, int kind,
                     qint64 startNs, qint64 endNs, const QJsonArray &attributes = {},
                     const QString &name = QStringLiteral("span"))
{
    QJsonObject s { { QStringLiteral("traceId"), trace },
                    { QStringLiteral("spanId"), span },
                    { QStringLiteral("name"), name },
                    { QStringLiteral("kind"), kind },
                    { QStringLiteral("startTimeUnixNano"), QString::number(startNs) },
                    { QStringLiteral("endTimeUnixNano"), QString::number(endNs) },
                    { QStringLiteral("attributes"), attributes },
                    { QStringLiteral("someFutureField"), 42 } };
    if (!parent.isEmpty())
        s.insert(QStringLiteral("parentSpanId"), parent);
    return s;
}

QByteArray jsonRequest(const QString &service, const QString &host, const QJsonArray &spans,
                       const QString &instance = QStringLiteral("i-1"))
{
    const QJsonObject resource { { QStringLiteral("attributes"),
                                   QJsonArray { attr(QStringLiteral("service.name"), service),
                                                attr(QStringLiteral("host.name"), host),
                                                attr(QStringLiteral("service.instance.id"), instance) } } };
    const QJsonObject rs { { QStringLiteral("resource"), resource },
                           { QStringLiteral("scopeSpans"),
                             QJsonArray { QJsonObject { { QStringLiteral("spans"), spans } } } } };
    return QJsonDocument(QJsonObject { { QStringLiteral("resourceSpans"), QJsonArray { rs } } })
        .toJson(QJsonDocument::Compact);
}

// Span times near now, as a live service sends them.
const qint64 T0 = QDateTime::currentMSecsSinceEpoch() * 1'000'000 - 10'000'000'000LL;
const QString Trace1 = hex("0af7651916cd43dd8448eb211c80319c");

struct HttpAnswer
{
    int status = 0;
    QByteArray head;
    QByteArray body;
};

// Sends raw bytes, reads one answer (the server closes or sends Content-Length).
HttpAnswer exchange(quint16 port, const QByteArray &request)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(5000))
        return {};
    socket.write(request);
    QByteArray data;
    HttpAnswer a;
    for (int i = 0; i < 200; ++i) {
        if (!socket.waitForReadyRead(100) && socket.state() != QAbstractSocket::ConnectedState)
            break;
        data += socket.readAll();
        // Skip interim 100 Continue answers.
        while (data.startsWith("HTTP/1.1 100")) {
            const qsizetype end = data.indexOf("\r\n\r\n");
            if (end < 0)
                break;
            data.remove(0, end + 4);
        }
        const qsizetype headEnd = data.indexOf("\r\n\r\n");
        if (headEnd < 0)
            continue;
        a.head = data.left(headEnd);
        const qsizetype cl = a.head.toLower().indexOf("content-length:");
        if (cl < 0)
            continue;
        const qsizetype eol = a.head.indexOf("\r\n", cl);
        const int length = a.head.mid(cl + 15, eol < 0 ? -1 : eol - cl - 15).trimmed().toInt();
        if (data.size() >= headEnd + 4 + length) {
            a.body = data.mid(headEnd + 4, length);
            a.status = a.head.mid(9, 3).toInt();
            return a;
        }
    }
    return a;
}

QByteArray post(const QByteArray &body, const QByteArray &contentType, const QByteArray &extra = {},
                bool chunked = false)
{
    QByteArray r
        = "POST /v1/traces HTTP/1.1\r\nHost: localhost\r\nContent-Type: " + contentType + "\r\n" + extra;
    if (!chunked)
        return r + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    r += "Transfer-Encoding: chunked\r\n\r\n";
    // Uneven chunks, as a streaming gzip writer produces them.
    for (qsizetype at = 0; at < body.size();) {
        const qsizetype n = std::min<qsizetype>(body.size() - at, at % 2 ? 7 : 300);
        r += QByteArray::number(n, 16) + "\r\n" + body.mid(at, n) + "\r\n";
        at += n;
    }
    return r + "0\r\n\r\n";
}

} // namespace

class TestOtlp : public QObject
{
    Q_OBJECT

private slots:
    void fixtures_data();
    void fixtures();
    void jsonRules();
    void jsonRejectsBadSpans();
    void malformedBodies();
    void gzipBombStopsAtTheCap();
    void oversizedBody();
    void receiverAnswers();
    void receiverChunkedGzipFixture();
    void receiverQueueFull();
    void assemblesRequestsWithPhases();
    void childAfterParentAndClockOffsets();
};

void TestOtlp::fixtures_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<bool>("json");
    QTest::addColumn<bool>("gzipped");
    QTest::newRow("protobuf") << QStringLiteral("node-protobuf.bin") << false << false;
    QTest::newRow("protobuf+gzip") << QStringLiteral("node-protobuf.bin.gz") << false << true;
    QTest::newRow("json") << QStringLiteral("node-json.json") << true << false;
    QTest::newRow("json+gzip") << QStringLiteral("node-json.json.gz") << true << true;
}

// Bodies the official Node exporter sent (tests/otlp/capture.sh): a Node HTTP service
// instrumented by auto-instrumentations-node, a few POST /v1/chat requests.
void TestOtlp::fixtures()
{
    QFETCH(QString, file);
    QFETCH(bool, json);
    QFETCH(bool, gzipped);
    QByteArray body = readFixture(file);
    QVERIFY2(!body.isEmpty(), qPrintable(QStringLiteral("missing fixture ") + dataDir() + file));
    if (gzipped) {
        QByteArray plain;
        QString error;
        QCOMPARE(Otlp::inflate(body, &plain, Otlp::MaxBodyBytes, &error), Otlp::Result::Ok);
        QVERIFY(plain.size() > body.size());
        body = plain;
    }
    Otlp::Batch batch;
    QString error;
    QCOMPARE(Otlp::decode(body, json ? Otlp::Format::Json : Otlp::Format::Protobuf, &batch, &error),
             Otlp::Result::Ok);
    QCOMPARE(batch.rejected, 0);
    QVERIFY(!batch.spans.isEmpty());
    QCOMPARE(batch.resources.first().serviceName, QStringLiteral("otlp-fixture"));
    QCOMPARE(batch.resources.first().hostName, QStringLiteral("fixture-host"));
    QVERIFY(batch.resources.first().instanceId.startsWith(QLatin1String("pid ")));
    int servers = 0;
    for (const Otlp::Span &s : batch.spans) {
        QCOMPARE(s.traceId.size(), 16);
        QCOMPARE(s.spanId.size(), 8);
        QVERIFY(s.endUnixNs >= s.startUnixNs);
        // Sent in 2026 or so: a wall-clock time in ns, not a misread number.
        QVERIFY(s.startUnixNs > 1'600'000'000'000'000'000ULL);
        if (s.kind == Otlp::SpanKind::Server) {
            ++servers;
            QCOMPARE(s.httpStatus, 200);
            QVERIFY(s.http);
        }
    }
    QVERIFY(servers >= 1);
}

void TestOtlp::jsonRules()
{
    QJsonArray spans;
    // 64-bit times as strings and as plain numbers; kind as an integer; mixed-case hex.
    QJsonObject s = jsonSpan(Trace1, hex("B7AD6B7169203331"), {}, 2, T0, T0 + 5'000'000,
                             QJsonArray { attr(QStringLiteral("http.response.status_code"), 503),
                                          attr(QStringLiteral("thread.id"), 7) });
    spans.append(s);
    QJsonObject n
        = jsonSpan(Trace1, hex("00f067aa0ba902b7"), hex("b7ad6b7169203331"), 3, 0, 0,
                   QJsonArray { attr(QStringLiteral("db.system"), QStringLiteral("postgresql")),
                                attr(QStringLiteral("db.statement"), QStringLiteral(" insert into t")) });
    n.insert(QStringLiteral("startTimeUnixNano"), 1.5e18);
    n.insert(QStringLiteral("endTimeUnixNano"), 1.6e18);
    spans.append(n);
    Otlp::Batch batch;
    QString error;
    QCOMPARE(
        Otlp::decodeJson(jsonRequest(QStringLiteral("svc"), QStringLiteral("h1"), spans), &batch, &error),
        Otlp::Result::Ok);
    QCOMPARE(batch.spans.size(), 2);
    const Otlp::Span &a = batch.spans[0];
    QCOMPARE(a.traceId.toHex(), QByteArray("0af7651916cd43dd8448eb211c80319c"));
    QCOMPARE(a.spanId.toHex(), QByteArray("b7ad6b7169203331"));
    QVERIFY(a.parentSpanId.isEmpty());
    QCOMPARE(a.kind, Otlp::SpanKind::Server);
    QCOMPARE(a.startUnixNs, quint64(T0));
    QCOMPARE(a.endUnixNs, quint64(T0 + 5'000'000));
    QCOMPARE(a.httpStatus, 503);
    QCOMPARE(a.threadId, 7);
    const Otlp::Span &b = batch.spans[1];
    QCOMPARE(b.parentSpanId.toHex(), QByteArray("b7ad6b7169203331"));
    QCOMPARE(b.kind, Otlp::SpanKind::Client);
    QCOMPARE(b.startUnixNs, quint64(1.5e18));
    QCOMPARE(b.dbSystem, QStringLiteral("postgresql"));
    QCOMPARE(b.dbOperation, QStringLiteral("INSERT"));
    QCOMPARE(batch.resources[0].serviceName, QStringLiteral("svc"));
    QCOMPARE(batch.resources[0].instanceId, QStringLiteral("i-1"));

    // The response bodies: empty in the request's format, partial success with the count.
    QCOMPARE(Otlp::successBody(Otlp::Format::Json), QByteArray("{}"));
    QCOMPARE(Otlp::successBody(Otlp::Format::Protobuf), QByteArray());
    const QJsonObject partial
        = QJsonDocument::fromJson(Otlp::successBody(Otlp::Format::Json, 3, QStringLiteral("x")))
              .object()
              .value(QStringLiteral("partialSuccess"))
              .toObject();
    QCOMPARE(partial.value(QStringLiteral("rejectedSpans")).toString(), QStringLiteral("3"));
    // field 1 (message) containing field 1 (varint 3) and field 2 ("x")
    QCOMPARE(Otlp::successBody(Otlp::Format::Protobuf, 3, QStringLiteral("x")).toHex(),
             QByteArray("0a0508031201") + QByteArray("x").toHex());
}

void TestOtlp::jsonRejectsBadSpans()
{
    QJsonArray spans;
    spans.append(jsonSpan(Trace1, hex("b7ad6b7169203331"), {}, 2, T0, T0 + 1)); // fine
    // A base64 id (what a stock protobuf JSON writer would send) is not hex.
    spans.append(
        jsonSpan(QStringLiteral("CvdlGRbNQ92ESOshHIAxnA=="), hex("b7ad6b7169203332"), {}, 2, T0, T0 + 1));
    spans.append(jsonSpan(Trace1, hex("b7ad6b71692033"), {}, 2, T0, T0 + 1)); // 7 bytes
    spans.append(jsonSpan(Trace1, hex("0000000000000000"), {}, 2, T0, T0 + 1)); // all zero
    spans.append(jsonSpan(Trace1, hex("b7ad6b7169203334"), {}, 2, T0 + 5, T0)); // ends before it starts
    Otlp::Batch batch;
    QString error;
    QCOMPARE(Otlp::decodeJson(jsonRequest(QStringLiteral("svc"), QStringLiteral("h"), spans), &batch, &error),
             Otlp::Result::Ok);
    QCOMPARE(batch.spans.size(), 1);
    QCOMPARE(batch.rejected, 4);
    QVERIFY(!batch.rejectReason.isEmpty());
}

void TestOtlp::malformedBodies()
{
    Otlp::Batch batch;
    QString error;
    QCOMPARE(Otlp::decodeJson("{\"resourceSpans\": [", &batch, &error), Otlp::Result::BadData);
    QCOMPARE(Otlp::decodeJson("[1,2]", &batch, &error), Otlp::Result::BadData);
    QCOMPARE(Otlp::decodeJson("{\"resourceSpans\": 5}", &batch, &error), Otlp::Result::BadData);
    QCOMPARE(Otlp::decodeJson("{}", &batch, &error), Otlp::Result::Ok); // nothing to export
    QVERIFY(batch.spans.isEmpty());
    QCOMPARE(Otlp::decodeProtobuf(QByteArray("\xff\xff\xff\xff\xff\xff", 6), &batch, &error),
             Otlp::Result::BadData);
    // A real body cut short at every length: never a crash, either an error or fewer spans.
    const QByteArray full = readFixture(QStringLiteral("node-protobuf.bin"));
    QVERIFY(!full.isEmpty());
    int bad = 0;
    for (qsizetype n = 1; n < full.size(); n += std::max<qsizetype>(1, full.size() / 300)) {
        if (Otlp::decodeProtobuf(full.left(n), &batch, &error) == Otlp::Result::BadData)
            ++bad;
    }
    QVERIFY(bad > 0);
    // Truncated and corrupted gzip.
    const QByteArray gz = gzip(full);
    QByteArray out;
    QCOMPARE(Otlp::inflate(gz.left(gz.size() / 2), &out), Otlp::Result::BadData);
    QByteArray corrupt = gz;
    corrupt[corrupt.size() / 2] = char(corrupt[corrupt.size() / 2] ^ 0x5a);
    corrupt[corrupt.size() / 2 + 1] = char(corrupt[corrupt.size() / 2 + 1] ^ 0x33);
    QVERIFY(Otlp::inflate(corrupt, &out) != Otlp::Result::Ok || out != full);
    QCOMPARE(Otlp::inflate("not gzip at all", &out), Otlp::Result::BadData);
    QCOMPARE(Otlp::inflate(gz, &out), Otlp::Result::Ok);
    QCOMPARE(out, full);
}

void TestOtlp::gzipBombStopsAtTheCap()
{
    // 1 GiB of zeros in about 1 MiB of gzip.
    const QByteArray bomb = gzipZeros(qint64(1) << 30);
    QVERIFY(bomb.size() < 2 * 1024 * 1024);
    QByteArray out;
    QString error;
    QCOMPARE(Otlp::inflate(bomb, &out, Otlp::MaxBodyBytes, &error), Otlp::Result::TooLarge);
    QVERIFY(out.isEmpty());
    QVERIFY(out.capacity() <= Otlp::MaxBodyBytes + 1);
    // Exactly at the cap is fine, one byte over is not.
    QByteArray atCap;
    QCOMPARE(Otlp::inflate(gzipZeros(1000), &atCap, 1000), Otlp::Result::Ok);
    QCOMPARE(atCap.size(), 1000);
    QCOMPARE(Otlp::inflate(gzipZeros(1001), &atCap, 1000), Otlp::Result::TooLarge);
}

void TestOtlp::oversizedBody()
{
    Otlp::Batch batch;
    QString error;
    const QByteArray big(Otlp::MaxBodyBytes + 1, ' ');
    QCOMPARE(Otlp::decode(big, Otlp::Format::Json, &batch, &error), Otlp::Result::TooLarge);
}

void TestOtlp::receiverAnswers()
{
    TraceRecorder recorder;
    OtlpAssembler assembler(&recorder);
    OtlpReceiver receiver([&](Otlp::Batch &&b) { return assembler.enqueue(std::move(b)); });
    OtlpReceiverOptions options;
    options.port = 0;
    options.token = QStringLiteral("s3cret");
    QString error;
    QVERIFY2(receiver.start(options, &error), qPrintable(error));
    const quint16 port = receiver.port();
    QVERIFY(port != 0);
    QVERIFY(receiver.endpoint().startsWith(QLatin1String("http://127.0.0.1:")));
    const QByteArray auth = "Authorization: Bearer s3cret\r\n";
    QJsonArray spans { jsonSpan(Trace1, hex("b7ad6b7169203331"), {}, 2, T0, T0 + 1000) };
    const QByteArray json = jsonRequest(QStringLiteral("svc"), QStringLiteral("h"), spans);

    HttpAnswer a = exchange(port, post(json, "application/json"));
    QCOMPARE(a.status, 401);
    QVERIFY(a.head.contains("application/json"));
    QVERIFY(QJsonDocument::fromJson(a.body).isObject());
    a = exchange(port, post(json, "application/json", "Authorization: Bearer wrong\r\n"));
    QCOMPARE(a.status, 401);

    a = exchange(port, post(json, "application/json; charset=utf-8", auth));
    QCOMPARE(a.status, 200);
    QCOMPARE(a.body, QByteArray("{}"));
    QVERIFY(a.head.contains("Content-Type: application/json"));

    a = exchange(port, post(gzip(json), "application/json", auth + "Content-Encoding: gzip\r\n", true));
    QCOMPARE(a.status, 200);

    a = exchange(port, post(json, "text/plain", auth));
    QCOMPARE(a.status, 415);
    QVERIFY(QJsonDocument::fromJson(a.body).isObject());
    a = exchange(port, post(json, "application/json", auth + "Content-Encoding: br\r\n"));
    QCOMPARE(a.status, 415);

    a = exchange(port, post("{nope", "application/json", auth));
    QCOMPARE(a.status, 400);
    QVERIFY(QJsonDocument::fromJson(a.body).object().contains(QStringLiteral("message")));
    a = exchange(port, post("\xff\xff\xff", "application/x-protobuf", auth));
    QCOMPARE(a.status, 400);
    QVERIFY(a.head.contains("application/x-protobuf"));

    QByteArray wrongPath = post(json, "application/json", auth);
    wrongPath.replace("/v1/traces", "/v1/logs");
    QCOMPARE(exchange(port, wrongPath).status, 404);
    QCOMPARE(exchange(port, "GET /v1/traces HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n").status, 405);
    QCOMPARE(exchange(port, "BLAH\r\n\r\n").status, 400);

    // Over the cap by Content-Length (answered before the body), by a chunked body, and after
    // decompression (a gzip bomb in a small body).
    QCOMPARE(exchange(port,
                      "POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + auth
                          + "Content-Length: 999999999\r\n\r\n{")
                 .status,
             413);
    QCOMPARE(
        exchange(port, post(QByteArray(Otlp::MaxBodyBytes + 10, ' '), "application/json", auth, true)).status,
        413);
    a = exchange(port,
                 post(gzipZeros(64 * 1024 * 1024), "application/x-protobuf",
                      auth + "Content-Encoding: gzip\r\n", true));
    QCOMPARE(a.status, 413);

    // Partial success: one good span, one with a bad id.
    spans.append(jsonSpan(Trace1, hex("b7ad6b71"), {}, 2, T0, T0 + 1));
    a = exchange(
        port, post(jsonRequest(QStringLiteral("svc"), QStringLiteral("h"), spans), "application/json", auth));
    QCOMPARE(a.status, 200);
    const QJsonObject partial
        = QJsonDocument::fromJson(a.body).object().value(QStringLiteral("partialSuccess")).toObject();
    QCOMPARE(partial.value(QStringLiteral("rejectedSpans")).toString(), QStringLiteral("1"));
    QVERIFY(!partial.value(QStringLiteral("errorMessage")).toString().isEmpty());

    // Keep-alive: two requests on one connection, both answered.
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(socket.waitForConnected(5000));
    socket.write(post(json, "application/json", auth) + post(json, "application/json", auth));
    QByteArray both;
    while (both.count("HTTP/1.1 200") < 2 && socket.waitForReadyRead(5000))
        both += socket.readAll();
    QCOMPARE(both.count("HTTP/1.1 200"), 2);
    const OtlpReceiver::Stats stats = receiver.stats();
    QCOMPARE(stats.requests, quint64(5));
    QCOMPARE(stats.rejectedSpans, quint64(1));
}

void TestOtlp::receiverChunkedGzipFixture()
{
    // The Node exporter's own body, gzip and chunked, protobuf: 200 and an empty protobuf answer.
    const QByteArray body = readFixture(QStringLiteral("node-protobuf.bin.gz"));
    QVERIFY(!body.isEmpty());
    TraceRecorder recorder;
    OtlpAssembler assembler(&recorder);
    OtlpReceiver receiver([&](Otlp::Batch &&b) { return assembler.enqueue(std::move(b)); });
    OtlpReceiverOptions options;
    options.port = 0;
    QString error;
    QVERIFY2(receiver.start(options, &error), qPrintable(error));
    const HttpAnswer a = exchange(
        receiver.port(),
        post(body, "application/x-protobuf", "Content-Encoding: gzip\r\nExpect: 100-continue\r\n", true));
    QCOMPARE(a.status, 200);
    QVERIFY(a.body.isEmpty());
    QVERIFY(a.head.contains("application/x-protobuf"));
    assembler.drain();
    QVERIFY(assembler.stats().requests >= 1);
    QCOMPARE(recorder.count(), assembler.stats().requests);
}

void TestOtlp::receiverQueueFull()
{
    TraceRecorder recorder;
    OtlpAssembler assembler(&recorder, 1);
    assembler.setPaused(true);
    OtlpReceiver receiver([&](Otlp::Batch &&b) { return assembler.enqueue(std::move(b)); });
    OtlpReceiverOptions options;
    options.port = 0;
    QString error;
    QVERIFY2(receiver.start(options, &error), qPrintable(error));
    const QByteArray json
        = jsonRequest(QStringLiteral("svc"), QStringLiteral("h"),
                      QJsonArray { jsonSpan(Trace1, hex("b7ad6b7169203331"), {}, 2, T0, T0 + 1) });
    QCOMPARE(exchange(receiver.port(), post(json, "application/json")).status, 200);
    const HttpAnswer a = exchange(receiver.port(), post(json, "application/json"));
    QCOMPARE(a.status, 503);
    QVERIFY(a.head.contains("Retry-After: "));
    assembler.setPaused(false);
    assembler.drain();
    QCOMPARE(exchange(receiver.port(), post(json, "application/json")).status, 200);
    assembler.drain();
    // The same span sent twice is one request.
    QCOMPARE(assembler.stats().requests, quint64(1));
    // A request with no spans below it is all handler, on its instance's lane.
    RequestRecord r;
    QVERIFY(recorder.read(0, &r));
    QCOMPARE(int(r.spanCount), 1);
    QCOMPARE(r.spans[0].phase, Phase::Handler);
    QCOMPARE(r.spans[0].thread, r.loopThread);
    QCOMPARE(r.spans[0].endNs - r.spans[0].startNs, r.respondedNs - r.startedNs);
}

void TestOtlp::assemblesRequestsWithPhases()
{
    TraceRecorder recorder;
    OtlpAssembler assembler(&recorder);
    const QString root = hex("1000000000000001");
    const qint64 ms = 1'000'000;
    QJsonArray spans;
    // Children first, as exporters send them (they end first), one behind an internal span.
    spans.append(jsonSpan(Trace1, hex("1000000000000002"), root, 3, T0 + 1 * ms, T0 + 3 * ms,
                          QJsonArray { attr(QStringLiteral("db.system"), QStringLiteral("sqlite")),
                                       attr(QStringLiteral("db.operation"), QStringLiteral("select")) }));
    spans.append(jsonSpan(Trace1, hex("1000000000000003"), hex("1000000000000005"), 3, T0 + 4 * ms,
                          T0 + 20 * ms,
                          QJsonArray { attr(QStringLiteral("gen_ai.system"), QStringLiteral("openai")) }));
    spans.append(jsonSpan(Trace1, hex("1000000000000004"), root, 1, T0 + 21 * ms, T0 + 22 * ms, {},
                          QStringLiteral("INSERT INTO history")));
    spans.append(jsonSpan(Trace1, hex("1000000000000005"), root, 1, T0 + 4 * ms, T0 + 20 * ms, {},
                          QStringLiteral("middleware")));
    spans.append(jsonSpan(Trace1, root, {}, 2, T0, T0 + 23 * ms,
                          QJsonArray { attr(QStringLiteral("http.response.status_code"), 201) }));
    // An outgoing HTTP call that is a root CLIENT span: no request, never drawn.
    spans.append(jsonSpan(hex("0af7651916cd43dd8448eb211c80319d"), hex("2000000000000001"), {}, 3, T0,
                          T0 + ms,
                          QJsonArray { attr(QStringLiteral("http.request.method"), QStringLiteral("GET")) }));
    Otlp::Batch batch;
    QString error;
    QCOMPARE(Otlp::decodeJson(jsonRequest(QStringLiteral("chat"), QStringLiteral("host-a"), spans), &batch,
                              &error),
             Otlp::Result::Ok);
    QVERIFY(assembler.enqueue(std::move(batch)));
    assembler.drain();
    QCOMPARE(recorder.count(), quint64(1));
    RequestRecord r;
    QVERIFY(recorder.read(0, &r));
    QCOMPARE(r.status, 201);
    QCOMPARE(r.respondedNs - r.startedNs, 23 * ms);
    QCOMPARE(r.startedNs, assembler.toTraceClock(quint64(T0)));
    // On this machine's steady clock: T0 was 10 s before the test started.
    QVERIFY2(std::abs(TraceClock::nowNs() - 10'000'000'000LL - r.startedNs) < 60'000'000'000LL,
             qPrintable(QString::number(r.startedNs)));
    // The children, and the request's own time between them as its handler's.
    const QList<std::tuple<Phase, qint64, qint64>> expected {
        { Phase::Handler, 0, 1 },   { Phase::DbRead, 1, 3 },    { Phase::Handler, 3, 4 },
        { Phase::Llm, 4, 20 }, // the gen_ai span, found through the middleware span
        { Phase::Other, 4, 20 },    { Phase::Handler, 20, 21 }, { Phase::DbWrite, 21, 22 },
        { Phase::Handler, 22, 23 },
    };
    QCOMPARE(int(r.spanCount), expected.size());
    for (int i = 0; i < expected.size(); ++i) {
        QCOMPARE(r.spans[size_t(i)].phase, std::get<0>(expected[i]));
        QCOMPARE(r.spans[size_t(i)].startNs - r.startedNs, std::get<1>(expected[i]) * ms);
        QCOMPARE(r.spans[size_t(i)].endNs - r.startedNs, std::get<2>(expected[i]) * ms);
    }
    QCOMPARE(ThreadRegistry::kind(r.loopThread), LaneKind::Service);
    QCOMPARE(ThreadRegistry::name(r.loopThread), QStringLiteral("chat @ host-a [i-1]"));
    QCOMPARE(r.spans[0].thread, r.loopThread);
    const OtlpAssembler::Stats s = assembler.stats();
    QCOMPARE(s.requests, quint64(1));
    QCOMPARE(s.phaseSpans, quint64(4));
    QCOMPARE(s.waitingSpans, quint64(1)); // the root CLIENT span
    QCOMPARE(s.services, 1);
    QCOMPARE(s.instances, 1);
}

void TestOtlp::childAfterParentAndClockOffsets()
{
    OtlpObserver observer;
    OtlpAssembler &assembler = *observer.assembler();
    const qint64 ms = 1'000'000;
    const QString trace = hex("0af7651916cd43dd8448eb211c8031aa");
    // Host A's request calls host B over HTTP; B's clock is 250 ms ahead of A's.
    QJsonArray a { jsonSpan(trace, hex("a000000000000001"), {}, 2, T0, T0 + 100 * ms),
                   jsonSpan(
                       trace, hex("a000000000000002"), hex("a000000000000001"), 3, T0 + 10 * ms, T0 + 90 * ms,
                       QJsonArray { attr(QStringLiteral("http.request.method"), QStringLiteral("POST")) }) };
    QJsonArray b { jsonSpan(trace, hex("b000000000000001"), hex("a000000000000002"), 2, T0 + 265 * ms,
                            T0 + 335 * ms) };
    Otlp::Batch batch;
    QString error;
    QCOMPARE(Otlp::decodeJson(jsonRequest(QStringLiteral("front"), QStringLiteral("A"), a), &batch, &error),
             Otlp::Result::Ok);
    QVERIFY(assembler.enqueue(std::move(batch)));
    QCOMPARE(Otlp::decodeJson(jsonRequest(QStringLiteral("back"), QStringLiteral("B"), b), &batch, &error),
             Otlp::Result::Ok);
    QVERIFY(assembler.enqueue(std::move(batch)));
    // A child that ends after its parent was exported arrives in a later batch.
    QJsonArray late { jsonSpan(trace, hex("b000000000000002"), hex("b000000000000001"), 1, T0 + 300 * ms,
                               T0 + 400 * ms,
                               QJsonArray { attr(QStringLiteral("db.system"), QStringLiteral("redis")),
                                            attr(QStringLiteral("db.operation"), QStringLiteral("SET")) }) };
    QCOMPARE(Otlp::decodeJson(jsonRequest(QStringLiteral("back"), QStringLiteral("B"), late), &batch, &error),
             Otlp::Result::Ok);
    QVERIFY(assembler.enqueue(std::move(batch)));
    assembler.drain();
    QCOMPARE(observer.recorder()->count(), quint64(2));
    RequestRecord front, back;
    QVERIFY(observer.recorder()->read(0, &front));
    QVERIFY(observer.recorder()->read(1, &back));
    // The call to B, with the front's own time around it as its handler's.
    QCOMPARE(int(front.spanCount), 3);
    QCOMPARE(front.spans[0].phase, Phase::Handler);
    QCOMPARE(front.spans[1].phase, Phase::Llm);
    QCOMPARE(front.spans[2].phase, Phase::Handler);
    QCOMPARE(front.spans[2].endNs - front.spans[2].startNs, 10 * ms);
    // B's handler until the late child starts, then the child (it outlives its parent).
    QCOMPARE(int(back.spanCount), 2);
    QCOMPARE(back.spans[0].phase, Phase::Handler);
    QCOMPARE(back.spans[0].endNs - back.spans[0].startNs, 35 * ms);
    QCOMPARE(back.spans[1].phase, Phase::DbWrite);
    QVERIFY(front.loopThread != back.loopThread);
    const QList<ClockOffset> offsets = assembler.offsets();
    QCOMPARE(offsets.size(), 1);
    QCOMPARE(offsets[0].fromHost, QStringLiteral("A"));
    QCOMPARE(offsets[0].toHost, QStringLiteral("B"));
    QCOMPARE(offsets[0].offsetMs, 250.0);

    // The run built from it: two requests, lanes and offsets in run.json's machine block, a CSV row each.
    const RunResult run = observer.buildRun();
    QCOMPARE(run.variants.size(), 1);
    QCOMPARE(run.variants[0].server.size(), 2);
    QCOMPARE(run.variants[0].metrics.value(QStringLiteral("requests")), 2.0);
    const QJsonObject otlp = run.machine.value(QStringLiteral("otlp")).toObject();
    QCOMPARE(otlp.value(QStringLiteral("lanes")).toArray().size(), 2);
    QCOMPARE(otlp.value(QStringLiteral("clock_offsets")).toArray().size(), 1);
    // run.json reopens (in the window's Runs dock, `loopscope report`).
    RunResult reread;
    QString readError;
    QVERIFY2(RunResult::fromJson(run.toJson(), &reread, &readError), qPrintable(readError));
    QCOMPARE(reread.variants.size(), 1);
    QCOMPARE(reread.variants[0].server.size(), 2);
    QCOMPARE(reread.variants[0].metrics.value(QStringLiteral("requests")), 2.0);
    QCOMPARE(reread.variants[0].latency.count, quint64(2));
    // The lanes reopen as service lanes, and the headline speaks of observed requests, not users.
    const VariantResult &rv = reread.variants[0];
    QVERIFY(rv.threadKinds.size() == rv.threadNames.size());
    QVERIFY(rv.threadKinds.value(rv.server[0].loopThread) == LaneKind::Service);
    const QString said = ReportText::headline(reread, ReportStyle::Language::English).join(QLatin1Char(' '));
    QVERIFY2(said.contains(QStringLiteral("2 observed requests on 2 service lanes")), qPrintable(said));
    QVERIFY2(!said.contains(QStringLiteral("users")), qPrintable(said));
    const QList<QByteArray> rows = OtlpObserver::requestsCsv(run).trimmed().split('\n');
    QCOMPARE(rows.size(), 3);
    QVERIFY(rows[0].startsWith("service,host,instance,"));
    QVERIFY(rows[0].contains("start_ms,end_ms,duration_ms,status"));
    QVERIFY(rows[1].startsWith("front,A,i-1,"));
    QVERIFY(rows[1].contains(",100.000,200,"));
}

QTEST_GUILESS_MAIN(TestOtlp)
#include "tst_otlp.moc"
