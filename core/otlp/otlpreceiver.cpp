#include "otlpreceiver.h"

#include "http/httpconnectionset.h"
#include "http/httprequest.h"
#include "http/listeningsocket.h"
#include "http/responsechannel.h"
#include "http/workerlistener.h"
#include "loop/epolleventdispatcher.h"
#include "otlpdecodeutil.h"

#include <QThread>
#include <unistd.h>

namespace {

constexpr int MaxConnections = 512;

// google.rpc.Code values used in OTLP error bodies.
constexpr int RpcInvalidArgument = 3;
constexpr int RpcDeadlineExceeded = 4;
constexpr int RpcNotFound = 5;
constexpr int RpcResourceExhausted = 8;
constexpr int RpcUnimplemented = 12;
constexpr int RpcUnavailable = 14;
constexpr int RpcUnauthenticated = 16;

int rpcCodeOf(int status)
{
    switch (status) {
    case 401:
        return RpcUnauthenticated;
    case 404:
        return RpcNotFound;
    case 405:
        return RpcUnimplemented;
    case 408:
        return RpcDeadlineExceeded;
    case 413:
    case 431:
        return RpcResourceExhausted;
    default:
        return RpcInvalidArgument;
    }
}

QByteArray lowerTrimmed(QByteArrayView value)
{
    return value.toByteArray().trimmed().toLower();
}

bool formatOf(QByteArrayView contentType, Otlp::Format *format)
{
    QByteArray type = lowerTrimmed(contentType);
    const qsizetype semi = type.indexOf(';');
    if (semi >= 0)
        type = type.first(semi).trimmed();
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

QByteArrayView mediaType(Otlp::Format format)
{
    return format == Otlp::Format::Json ? QByteArrayView("application/json")
                                        : QByteArrayView("application/x-protobuf");
}

} // namespace

// The receiver's loop: one listener and the connections it accepted. Lives on the receiver's
// thread (an EpollEventDispatcher's).
class OtlpHttpServer : public QObject
{
public:
    explicit OtlpHttpServer(OtlpReceiver *receiver)
        : m_receiver(receiver)
        , m_connections(new HttpConnectionSet(
              [this](const HttpRequest &request, std::shared_ptr<ResponseChannel> channel) {
                  handle(request, *channel);
              },
              nullptr, this))
        , m_listener(new WorkerListener(this))
    {
        HttpRequestReader::Limits limits;
        limits.maxBodyBytes = Otlp::MaxBodyBytes;
        m_connections->setLimits(limits);
        m_connections->setOwnIdleTimeoutMs(receiver->m_options.idleTimeoutMs);
        m_connections->setHeadCheck(
            [this](const HttpRequest &head, HttpRefusal *refusal) { return checkHead(head, refusal); });
        m_connections->setErrorAnswer(
            [this](const HttpRefusal &refusal, const HttpRequest &head, QByteArray *contentType,
                   QByteArray *body) { errorAnswer(refusal, head, contentType, body); });
        m_listener->setOnAccepted([this](int fd) {
            if (m_connections->count() >= MaxConnections)
                ::close(fd);
            else
                m_connections->adopt(fd);
        });
    }

    ~OtlpHttpServer() override
    {
        m_listener->stopAccepting(false);
        delete m_listener;
        delete m_connections; // closes every connection
    }

    bool listen(int listenFd) { return m_listener->adopt(listenFd); }

private:
    // Everything the head tells, in the order the old receiver checked it: the token, the path,
    // the method, the media type and encoding. The body's declared size is the reader's check.
    bool checkHead(const HttpRequest &head, HttpRefusal *refusal)
    {
        const auto refuse = [refusal](int status, const char *code, QByteArray detail) {
            *refusal = { status, code, std::move(detail) };
            return false;
        };
        const QString &token = m_receiver->m_options.token;
        if (!token.isEmpty()
            && !Otlp::detail::sameSecret(head.header("Authorization").toByteArray().trimmed(),
                                         "Bearer " + token.toUtf8()))
            return refuse(401, "unauthenticated",
                          "missing or wrong bearer token (Authorization: Bearer ...)");
        const QByteArrayView path = head.path();
        if (path != "/v1/traces" && !(path == "/v1/metrics" && m_receiver->m_metricsSink))
            return refuse(404, "not_found",
                          "LoopScope receives OTLP at POST /v1/traces and /v1/metrics only");
        if (head.method() != HttpRequest::Method::Post)
            return refuse(405, "method_not_allowed", "use POST " + path.toByteArray());
        Otlp::Format format;
        if (!formatOf(head.header("Content-Type"), &format))
            return refuse(415, "unsupported_media_type",
                          "Content-Type must be application/x-protobuf or application/json");
        const QByteArray encoding = lowerTrimmed(head.header("Content-Encoding"));
        if (!encoding.isEmpty() && encoding != "gzip" && encoding != "identity")
            return refuse(415, "unsupported_media_type", "Content-Encoding must be gzip or absent");
        return true;
    }

    // The layer's own refusals (and the head check's) as OTLP error bodies: a google.rpc.Status,
    // in the request's format where it is known and the refusal is about the body, else JSON.
    void errorAnswer(const HttpRefusal &refusal, const HttpRequest &head, QByteArray *contentType,
                     QByteArray *body)
    {
        m_receiver->m_errors.fetch_add(1, std::memory_order_relaxed);
        Otlp::Format format = Otlp::Format::Json;
        if (refusal.status != 401 && refusal.status != 404 && refusal.status != 405)
            formatOf(head.header("Content-Type"), &format);
        *contentType = mediaType(format).toByteArray();
        *body = Otlp::statusBody(format, rpcCodeOf(refusal.status), QString::fromUtf8(refusal.detail));
    }

    void answer(ResponseChannel &channel, int status, Otlp::Format format, const QByteArray &body,
                const ResponseChannel::Headers &extra = {})
    {
        if (status != 200)
            m_receiver->m_errors.fetch_add(1, std::memory_order_relaxed);
        channel.send(status, body, mediaType(format), extra);
    }

    void handle(const HttpRequest &request, ResponseChannel &channel)
    {
        m_receiver->m_bytes.fetch_add(quint64(request.body().size()), std::memory_order_relaxed);
        Otlp::Format format = Otlp::Format::Protobuf;
        formatOf(request.header("Content-Type"), &format);
        QByteArray raw = request.body(); // shared, not copied
        QString error;
        Otlp::Result result = Otlp::Result::Ok;
        if (lowerTrimmed(request.header("Content-Encoding")) == "gzip") {
            QByteArray inflated;
            result = Otlp::inflate(raw, &inflated, Otlp::MaxBodyBytes, &error);
            raw.swap(inflated);
        }
        const bool metrics = request.path() == "/v1/metrics";
        Otlp::Batch batch;
        Otlp::MetricBatch metricBatch;
        if (result == Otlp::Result::Ok)
            result = metrics ? Otlp::decodeMetrics(raw, format, &metricBatch, &error)
                             : Otlp::decode(raw, format, &batch, &error);
        raw = QByteArray();
        if (result == Otlp::Result::TooLarge) {
            channel.closeAfterAnswer();
            answer(channel, 413, format, Otlp::statusBody(format, RpcResourceExhausted, error));
            return;
        }
        if (result == Otlp::Result::BadData) {
            answer(channel, 400, format, Otlp::statusBody(format, RpcInvalidArgument, error));
            return;
        }
        if (metrics) {
            if (!m_receiver->m_metricsSink(metricBatch)) {
                busy(channel, format, QStringLiteral("LoopScope's metric store is full; retry later"));
                return;
            }
            m_receiver->m_requests.fetch_add(1, std::memory_order_relaxed);
            answer(channel, 200, format,
                   Otlp::metricsSuccessBody(format, metricBatch.rejected, metricBatch.rejectReason));
            return;
        }
        const qint64 rejected = batch.rejected;
        const QString reason = batch.rejectReason;
        const quint64 spans = quint64(batch.spans.size());
        if (!m_receiver->m_sink(std::move(batch))) {
            busy(channel, format, QStringLiteral("LoopScope's ingest queue is full; retry later"));
            return;
        }
        m_receiver->m_requests.fetch_add(1, std::memory_order_relaxed);
        m_receiver->m_spans.fetch_add(spans, std::memory_order_relaxed);
        m_receiver->m_rejected.fetch_add(quint64(rejected), std::memory_order_relaxed);
        answer(channel, 200, format, Otlp::successBody(format, rejected, reason));
    }

    // A sink that cannot take the batch now: 503, retry after a second (OTLP/HTTP's throttling).
    void busy(ResponseChannel &channel, Otlp::Format format, const QString &message)
    {
        answer(channel, 503, format, Otlp::statusBody(format, RpcUnavailable, message),
               { { QByteArrayLiteral("Retry-After"), QByteArrayLiteral("1") } });
    }

    OtlpReceiver *m_receiver;
    HttpConnectionSet *m_connections;
    WorkerListener *m_listener;
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
    QHostAddress address;
    if (options.host == QLatin1String("localhost"))
        address = QHostAddress::LocalHost;
    else if (options.host.isEmpty() || options.host == QLatin1String("*"))
        address = QHostAddress::Any;
    else if (!address.setAddress(options.host)) {
        if (error)
            *error = QStringLiteral("not an IP address: %1").arg(options.host);
        return false;
    }
    QString why;
    const int listenFd = Http::openListeningSocket(address, options.port, &m_port, &why);
    if (listenFd < 0) {
        if (error)
            *error = why;
        return false;
    }
    m_thread = new QThread;
    m_thread->setObjectName(QStringLiteral("otlp-receiver"));
    m_thread->setEventDispatcher(new EpollEventDispatcher);
    m_thread->start();
    bool ok = false;
    auto *context = new QObject;
    context->moveToThread(m_thread);
    QMetaObject::invokeMethod(
        context,
        [this, &ok, listenFd] {
            m_server = new OtlpHttpServer(this);
            ok = m_server->listen(listenFd);
            if (!ok) {
                delete m_server;
                m_server = nullptr;
            }
        },
        Qt::BlockingQueuedConnection);
    context->deleteLater();
    ::close(listenFd); // the listener keeps its own copy
    if (!ok) {
        if (error)
            *error = QStringLiteral("the OTLP receiver could not watch its listening socket");
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
