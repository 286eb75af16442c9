#include "otlpreceiver.h"

#include "otlpdecodeutil.h"

#include <QHash>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>
#include <climits>
#include <http_parser.h>
#include <sys/socket.h>

namespace {

constexpr int MaxConnections = 512;

// google.rpc.Code values used in OTLP error bodies.
constexpr int RpcInvalidArgument = 3;
constexpr int RpcNotFound = 5;
constexpr int RpcResourceExhausted = 8;
constexpr int RpcUnimplemented = 12;
constexpr int RpcUnavailable = 14;
constexpr int RpcUnauthenticated = 16;

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 413:
        return "Payload Too Large";
    case 415:
        return "Unsupported Media Type";
    case 503:
        return "Service Unavailable";
    default:
        return "Error";
    }
}

} // namespace

// One client connection: http-parser state and the request being read.
struct OtlpConnection
{
    QTcpSocket *socket = nullptr;
    http_parser parser {};
    QByteArray url;
    QByteArray field;
    QByteArray value;
    bool lastWasValue = false;
    QByteArray contentType;
    QByteArray contentEncoding;
    QByteArray authorization;
    QByteArray expect;
    QByteArray body;
    bool refused = false; // an error answer was sent; the connection closes after it
    bool tooLarge = false;
    bool metrics = false; // POST /v1/metrics
    class OtlpHttpServer *server = nullptr;
};

class OtlpHttpServer : public QObject
{
public:
    OtlpHttpServer(OtlpReceiver *receiver)
        : m_receiver(receiver)
    {
        http_parser_settings_init(&m_settings);
        m_settings.on_message_begin = [](http_parser *p) { return conn(p)->server->onBegin(conn(p)); };
        m_settings.on_url = [](http_parser *p, const char *at, size_t n) {
            OtlpConnection *c = conn(p);
            if (c->url.size() + qsizetype(n) > 8192)
                return 1;
            c->url.append(at, qsizetype(n));
            return 0;
        };
        m_settings.on_header_field = [](http_parser *p, const char *at, size_t n) {
            OtlpConnection *c = conn(p);
            if (c->lastWasValue) {
                c->server->header(c);
                c->field.clear();
                c->value.clear();
            }
            c->lastWasValue = false;
            c->field.append(at, qsizetype(n));
            return 0;
        };
        m_settings.on_header_value = [](http_parser *p, const char *at, size_t n) {
            OtlpConnection *c = conn(p);
            c->lastWasValue = true;
            c->value.append(at, qsizetype(n));
            return 0;
        };
        m_settings.on_headers_complete = [](http_parser *p) {
            OtlpConnection *c = conn(p);
            if (c->lastWasValue)
                c->server->header(c);
            return c->server->onHeaders(c);
        };
        m_settings.on_body = [](http_parser *p, const char *at, size_t n) {
            OtlpConnection *c = conn(p);
            if (c->body.size() + qsizetype(n) > Otlp::MaxBodyBytes) {
                c->tooLarge = true;
                return 1;
            }
            c->body.append(at, qsizetype(n));
            return 0;
        };
        m_settings.on_message_complete = [](http_parser *p) { return conn(p)->server->onMessage(conn(p)); };
    }

    ~OtlpHttpServer() override
    {
        for (auto it = m_connections.begin(); it != m_connections.end(); ++it) {
            it.key()->disconnect(this);
            it.key()->abort();
            delete it.key();
            delete it.value();
        }
    }

    bool listen(const QString &host, quint16 port, QString *error)
    {
        m_tcp = new QTcpServer(this);
        QHostAddress address;
        if (host == QLatin1String("localhost"))
            address = QHostAddress::LocalHost;
        else if (host.isEmpty() || host == QLatin1String("*"))
            address = QHostAddress::Any;
        else if (!address.setAddress(host)) {
            *error = QStringLiteral("not an IP address: %1").arg(host);
            return false;
        }
        if (!m_tcp->listen(address, port)) {
            *error
                = QStringLiteral("cannot listen on %1:%2: %3").arg(host).arg(port).arg(m_tcp->errorString());
            return false;
        }
        connect(m_tcp, &QTcpServer::newConnection, this, &OtlpHttpServer::accept);
        return true;
    }

    quint16 port() const { return m_tcp ? m_tcp->serverPort() : 0; }

private:
    static OtlpConnection *conn(http_parser *p) { return static_cast<OtlpConnection *>(p->data); }

    void accept()
    {
        while (QTcpSocket *socket = m_tcp->nextPendingConnection()) {
            if (m_connections.size() >= MaxConnections) {
                socket->abort();
                socket->deleteLater();
                continue;
            }
            auto *c = new OtlpConnection;
            c->socket = socket;
            c->server = this;
            http_parser_init(&c->parser, HTTP_REQUEST);
            c->parser.data = c;
            m_connections.insert(socket, c);
            connect(socket, &QTcpSocket::readyRead, this, [this, socket] { read(socket); });
            connect(socket, &QTcpSocket::disconnected, this, [this, socket] { drop(socket); });
        }
    }

    void drop(QTcpSocket *socket)
    {
        OtlpConnection *c = m_connections.take(socket);
        delete c;
        socket->deleteLater();
    }

    void read(QTcpSocket *socket)
    {
        OtlpConnection *c = m_connections.value(socket);
        if (!c)
            return;
        const QByteArray data = socket->readAll();
        if (c->refused)
            return;
        m_receiver->m_bytes.fetch_add(quint64(data.size()), std::memory_order_relaxed);
        const size_t parsed
            = http_parser_execute(&c->parser, &m_settings, data.constData(), size_t(data.size()));
        if (c->refused)
            return;
        if (HTTP_PARSER_ERRNO(&c->parser) != HPE_OK || parsed != size_t(data.size())) {
            if (c->tooLarge)
                refuse(c, 413, RpcResourceExhausted,
                       QStringLiteral("body larger than %1 bytes").arg(Otlp::MaxBodyBytes));
            else
                refuse(c, 400, RpcInvalidArgument,
                       QStringLiteral("malformed HTTP request: %1")
                           .arg(QString::fromLatin1(http_errno_description(HTTP_PARSER_ERRNO(&c->parser)))));
        }
    }

    int onBegin(OtlpConnection *c)
    {
        c->url.clear();
        c->field.clear();
        c->value.clear();
        c->lastWasValue = false;
        c->contentType.clear();
        c->contentEncoding.clear();
        c->authorization.clear();
        c->expect.clear();
        c->body.clear();
        c->tooLarge = false;
        return 0;
    }

    void header(OtlpConnection *c)
    {
        const QByteArray name = c->field.toLower();
        QByteArray value = c->value.trimmed();
        if (name == "content-type")
            c->contentType = value.toLower();
        else if (name == "content-encoding")
            c->contentEncoding = value.toLower();
        else if (name == "authorization")
            c->authorization = value;
        else if (name == "expect")
            c->expect = value.toLower();
    }

    static bool formatOf(const QByteArray &contentType, Otlp::Format *format)
    {
        QByteArray type = contentType;
        const qsizetype semi = type.indexOf(';');
        if (semi >= 0)
            type.truncate(semi);
        type = type.trimmed();
        if (type == "application/x-protobuf" || type == "application/protobuf") {
            *format = Otlp::Format::Protobuf;
            return true;
        }
        if (type == "application/json") {
            *format = Otlp::Format::Json;
            return true;
        }
        return false;
    }

    int onHeaders(OtlpConnection *c)
    {
        QByteArray path = c->url;
        const qsizetype q = path.indexOf('?');
        if (q >= 0)
            path.truncate(q);
        if (!m_receiver->m_options.token.isEmpty()) {
            const QByteArray expected = "Bearer " + m_receiver->m_options.token.toUtf8();
            if (!Otlp::detail::sameSecret(c->authorization, expected)) {
                refuse(c, 401, RpcUnauthenticated,
                       QStringLiteral("missing or wrong bearer token (Authorization: Bearer ...)"), true);
                return -1;
            }
        }
        c->metrics = path == "/v1/metrics" && m_receiver->m_metricsSink;
        if (path != "/v1/traces" && !c->metrics) {
            refuse(c, 404, RpcNotFound,
                   QStringLiteral("LoopScope receives OTLP at POST /v1/traces and /v1/metrics only"), true);
            return -1;
        }
        if (c->parser.method != HTTP_POST) {
            refuse(c, 405, RpcUnimplemented, QStringLiteral("use POST %1").arg(QString::fromLatin1(path)),
                   true);
            return -1;
        }
        Otlp::Format format;
        if (!formatOf(c->contentType, &format)) {
            refuse(c, 415, RpcInvalidArgument,
                   QStringLiteral("Content-Type must be application/x-protobuf or application/json"), true);
            return -1;
        }
        if (!c->contentEncoding.isEmpty() && c->contentEncoding != "gzip"
            && c->contentEncoding != "identity") {
            refuse(c, 415, RpcInvalidArgument, QStringLiteral("Content-Encoding must be gzip or absent"),
                   true);
            return -1;
        }
        if (c->parser.content_length != ULLONG_MAX
            && c->parser.content_length > quint64(Otlp::MaxBodyBytes)) {
            refuse(c, 413, RpcResourceExhausted,
                   QStringLiteral("body larger than %1 bytes").arg(Otlp::MaxBodyBytes));
            return -1;
        }
        if (c->expect == "100-continue")
            c->socket->write("HTTP/1.1 100 Continue\r\n\r\n");
        return 0;
    }

    int onMessage(OtlpConnection *c)
    {
        Otlp::Format format = Otlp::Format::Protobuf;
        formatOf(c->contentType, &format);
        QByteArray raw;
        raw.swap(c->body);
        QString error;
        Otlp::Result result = Otlp::Result::Ok;
        if (c->contentEncoding == "gzip") {
            QByteArray inflated;
            result = Otlp::inflate(raw, &inflated, Otlp::MaxBodyBytes, &error);
            raw.swap(inflated);
        }
        if (c->metrics)
            return onMetrics(c, format, result, raw, error);
        Otlp::Batch batch;
        if (result == Otlp::Result::Ok)
            result = Otlp::decode(raw, format, &batch, &error);
        raw = QByteArray();
        const bool keepAlive = http_should_keep_alive(&c->parser);
        if (result == Otlp::Result::TooLarge) {
            answer(c, 413, format, Otlp::statusBody(format, RpcResourceExhausted, error), false);
            return -1;
        }
        if (result == Otlp::Result::BadData) {
            answer(c, 400, format, Otlp::statusBody(format, RpcInvalidArgument, error), keepAlive);
            return keepAlive ? 0 : -1;
        }
        const qint64 rejected = batch.rejected;
        const QString reason = batch.rejectReason;
        const quint64 spans = quint64(batch.spans.size());
        if (!m_receiver->m_sink(std::move(batch))) {
            answer(c, 503, format,
                   Otlp::statusBody(format, RpcUnavailable,
                                    QStringLiteral("LoopScope's ingest queue is full; retry later")),
                   keepAlive, QByteArrayLiteral("Retry-After: 1\r\n"));
            return keepAlive ? 0 : -1;
        }
        m_receiver->m_requests.fetch_add(1, std::memory_order_relaxed);
        m_receiver->m_spans.fetch_add(spans, std::memory_order_relaxed);
        m_receiver->m_rejected.fetch_add(quint64(rejected), std::memory_order_relaxed);
        answer(c, 200, format, Otlp::successBody(format, rejected, reason), keepAlive);
        return keepAlive ? 0 : -1;
    }

    // POST /v1/metrics: the same answers as /v1/traces, with the metrics response.
    int onMetrics(OtlpConnection *c, Otlp::Format format, Otlp::Result result, const QByteArray &raw,
                  QString error)
    {
        Otlp::MetricBatch batch;
        if (result == Otlp::Result::Ok)
            result = Otlp::decodeMetrics(raw, format, &batch, &error);
        const bool keepAlive = http_should_keep_alive(&c->parser);
        if (result == Otlp::Result::TooLarge) {
            answer(c, 413, format, Otlp::statusBody(format, RpcResourceExhausted, error), false);
            return -1;
        }
        if (result == Otlp::Result::BadData) {
            answer(c, 400, format, Otlp::statusBody(format, RpcInvalidArgument, error), keepAlive);
            return keepAlive ? 0 : -1;
        }
        if (!m_receiver->m_metricsSink(batch)) {
            answer(c, 503, format,
                   Otlp::statusBody(format, RpcUnavailable,
                                    QStringLiteral("LoopScope's metric store is full; retry later")),
                   keepAlive, QByteArrayLiteral("Retry-After: 1\r\n"));
            return keepAlive ? 0 : -1;
        }
        m_receiver->m_requests.fetch_add(1, std::memory_order_relaxed);
        answer(c, 200, format, Otlp::metricsSuccessBody(format, batch.rejected, batch.rejectReason),
               keepAlive);
        return keepAlive ? 0 : -1;
    }

    void refuse(OtlpConnection *c, int status, int rpcCode, const QString &message, bool json = false)
    {
        Otlp::Format format = Otlp::Format::Json;
        if (!json)
            formatOf(c->contentType, &format);
        answer(c, status, format, Otlp::statusBody(format, rpcCode, message), false);
    }

    void answer(OtlpConnection *c, int status, Otlp::Format format, const QByteArray &body, bool keepAlive,
                const QByteArray &extraHeaders = {})
    {
        if (status != 200)
            m_receiver->m_errors.fetch_add(1, std::memory_order_relaxed);
        QByteArray head = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
        head += format == Otlp::Format::Json ? "Content-Type: application/json\r\n"
                                             : "Content-Type: application/x-protobuf\r\n";
        head += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
        head += extraHeaders;
        if (!keepAlive)
            head += "Connection: close\r\n";
        head += "\r\n";
        c->socket->write(head + body);
        if (!keepAlive) {
            // Close our side once the answer is out but keep reading (and dropping) what the
            // client still sends: closing with unread data would reset the connection and the
            // client could lose the answer (a 413 in the middle of a large upload).
            c->refused = true;
            c->socket->flush();
            if (c->socket->bytesToWrite() == 0)
                ::shutdown(int(c->socket->socketDescriptor()), SHUT_WR);
            else
                c->socket->disconnectFromHost();
            QTcpSocket *socket = c->socket;
            QTimer::singleShot(10000, socket, [socket] { socket->abort(); });
        }
    }

    OtlpReceiver *m_receiver;
    QTcpServer *m_tcp = nullptr;
    http_parser_settings m_settings {};
    QHash<QTcpSocket *, OtlpConnection *> m_connections;
};

OtlpReceiver::OtlpReceiver(Sink sink, QObject *parent)
    : QObject(parent)
    , m_sink(std::move(sink))
{ }

OtlpReceiver::~OtlpReceiver()
{
    stop();
}

bool OtlpReceiver::start(const OtlpReceiverOptions &options, QString *error)
{
    stop();
    m_options = options;
    m_thread = new QThread;
    m_thread->setObjectName(QStringLiteral("otlp-receiver"));
    m_thread->start();
    bool ok = false;
    QString why;
    auto *context = new QObject;
    context->moveToThread(m_thread);
    QMetaObject::invokeMethod(
        context,
        [this, &ok, &why] {
            m_server = new OtlpHttpServer(this);
            ok = m_server->listen(m_options.host, m_options.port, &why);
            if (ok) {
                m_port = m_server->port();
            } else {
                delete m_server;
                m_server = nullptr;
            }
        },
        Qt::BlockingQueuedConnection);
    context->deleteLater();
    if (!ok) {
        if (error)
            *error = why;
        stop();
        return false;
    }
    return true;
}

void OtlpReceiver::stop()
{
    if (!m_thread)
        return;
    if (m_server) {
        OtlpHttpServer *server = m_server;
        m_server = nullptr;
        QMetaObject::invokeMethod(
            server, [server] { delete server; }, Qt::BlockingQueuedConnection);
    }
    m_thread->quit();
    m_thread->wait();
    delete m_thread;
    m_thread = nullptr;
}

bool OtlpReceiver::isRunning() const
{
    return m_server != nullptr;
}

QString OtlpReceiver::endpoint() const
{
    return Otlp::detail::endpointUrl(m_options.host, m_port);
}

OtlpReceiver::Stats OtlpReceiver::stats() const
{
    Stats s;
    s.requests = m_requests.load(std::memory_order_relaxed);
    s.spans = m_spans.load(std::memory_order_relaxed);
    s.rejectedSpans = m_rejected.load(std::memory_order_relaxed);
    s.errors = m_errors.load(std::memory_order_relaxed);
    s.bytes = m_bytes.load(std::memory_order_relaxed);
    return s;
}
