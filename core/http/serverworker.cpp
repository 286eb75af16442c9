#include "serverworker.h"

#include "base/threadregistry.h"
#include "base/traceclock.h"
#include "http/chatendpoint.h"
#include "http/chatprotocol.h"
#include "http/chatrequestparser.h"
#include "http/conversationroutes.h"
#include "http/httpconnectionset.h"
#include "http/httprequest.h"
#include "http/responsechannel.h"
#include "http/workerlistener.h"
#include "pipeline/requesttrace.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTimer>
#include <QUuid>

namespace {

constexpr qint64 HeartbeatNs = 10'000'000; // the loop-lag probe's period: 10 ms

using Method = HttpRequest::Method;

// Who sent the request, into its record: the peer's address and port, the User-Agent and
// X-LoopScope-User headers (a recording of outside load keeps them, issue #23). The one place
// that reads them.
void captureClient(RequestRecord &record, const HttpRequest &request)
{
    if (!request.peerAddress().isNull()) {
        const Q_IPV6ADDR address = request.peerAddress().toIPv6Address();
        std::memcpy(record.clientAddress.data(), address.c, record.clientAddress.size());
        record.clientPort = request.peerPort();
    }
    record.setUserAgent(request.header("User-Agent").toByteArray());
    record.setLoopscopeUser(request.header("X-LoopScope-User").toByteArray());
}

QString text(QByteArrayView bytes)
{
    return QString::fromUtf8(bytes);
}

// A path segment as text (percent-decoded).
QString segment(QByteArrayView bytes)
{
    return QString::fromUtf8(QByteArray::fromPercentEncoding(bytes.toByteArray()));
}

} // namespace

ServerWorker::ServerWorker(int index, ServerContext *context, QObject *parent)
    : QObject(parent)
    , m_index(index)
    , m_context(context)
{
    ThreadRegistry::nameCurrentThread(QStringLiteral("worker-%1").arg(index), LaneKind::WorkerLoop);
    m_chat = new ChatEndpoint(index, context, this);

    // The loop-lag probe: a precise 10 ms heartbeat. How late it fires is how long this loop
    // was kept from doing anything else.
    m_heartbeat = new QTimer(this);
    m_heartbeat->setTimerType(Qt::PreciseTimer);
    m_heartbeat->setInterval(int(HeartbeatNs / 1'000'000));
    connect(m_heartbeat, &QTimer::timeout, this, &ServerWorker::heartbeat);
    m_expectedBeatNs = TraceClock::nowNs() + HeartbeatNs;
    m_context->counters->loops[size_t(index)].inFlight.store(0, std::memory_order_relaxed);
    m_context->counters->loops[size_t(index)].lastActiveNs.store(TraceClock::nowNs(),
                                                                 std::memory_order_relaxed);
    m_context->counters->loops[size_t(index)].expectedNs.store(m_expectedBeatNs, std::memory_order_relaxed);
    m_heartbeat->start();
}

ServerWorker::~ServerWorker()
{
    m_context->counters->loops[size_t(m_index)].expectedNs.store(0, std::memory_order_relaxed);
}

void ServerWorker::heartbeat()
{
    const qint64 now = TraceClock::nowNs();
    const qint64 lag = std::max<qint64>(0, now - m_expectedBeatNs);
    LoopHeartbeat &hb = m_context->counters->loops[size_t(m_index)];
    qint64 peak = hb.peakLagNs.load(std::memory_order_relaxed);
    while (lag > peak && !hb.peakLagNs.compare_exchange_weak(peak, lag, std::memory_order_relaxed)) { }
    m_expectedBeatNs = now + HeartbeatNs;
    hb.expectedNs.store(m_expectedBeatNs, std::memory_order_relaxed);
}

bool ServerWorker::startListening(int listenFd)
{
    m_connections = new HttpConnectionSet(
        [this](const HttpRequest &request, std::shared_ptr<ResponseChannel> channel) {
            handleRequest(request, std::move(channel));
        },
        &m_context->counters->connections, this);
    m_listener = new WorkerListener(this);
    ServerContext *ctx = m_context;
    m_listener->setPauseAfterAccept([ctx] { return DispatchPolicy::acceptsOneAtATime(ctx->config()->mode); });
    m_listener->setOnAccepted([this](int fd) { m_connections->adopt(fd); });
    return m_listener->adopt(listenFd);
}

void ServerWorker::retire()
{
    // The supervisor retires this loop: connections still queued in the kernel are left to the
    // other loops (unlike stopAccepting), the ones this loop holds are served until it is deleted.
    if (m_listener)
        m_listener->stopAccepting(false);
    m_heartbeat->stop();
    m_context->counters->loops[size_t(m_index)].expectedNs.store(0, std::memory_order_relaxed);
}

void ServerWorker::stopAccepting()
{
    if (m_listener)
        m_listener->stopAccepting();
    m_heartbeat->stop();
    m_context->counters->loops[size_t(m_index)].expectedNs.store(0, std::memory_order_relaxed);
}

bool ServerWorker::authorized(const HttpRequest &request) const
{
    const QByteArray expected = m_context->config()->apiKey.toUtf8();
    QByteArrayView given = request.header("X-API-Key");
    if (given.isEmpty()) {
        const QByteArrayView auth = request.header("Authorization");
        if (auth.startsWith("Bearer "))
            given = auth.sliced(7).trimmed();
    }
    return ChatRequestParser::keysEqual(given.toByteArray(), expected);
}

void ServerWorker::handleRequest(const HttpRequest &request, std::shared_ptr<ResponseChannel> channel)
{
    const qint64 arrivedNs = TraceClock::nowNs();
    m_context->counters->loops[size_t(m_index)].lastActiveNs.store(arrivedNs, std::memory_order_relaxed);
    if (m_listener)
        m_listener->requestArrived(); // takes effect once this loop is free again
    const QByteArrayView path = request.path();
    const Method method = request.method();

    auto allow = [&](Method wanted, const QByteArray &allowed) {
        if (method == wanted)
            return true;
        channel->sendError(
            405, QStringLiteral("method_not_allowed"),
            QStringLiteral("%1 does not accept %2").arg(text(path), text(request.methodName())),
            { { "Allow", allowed } });
        return false;
    };

    if (path == "/health") {
        if (allow(Method::Get, "GET"))
            channel->sendJson(200,
                              { { QStringLiteral("status"), QStringLiteral("ok") },
                                { QStringLiteral("worker"), m_index },
                                { QStringLiteral("mode"), dispatchModeName(m_context->config()->mode) } });
        return;
    }
    if (path == "/v1/chat" || path == "/v1/chat/stream") {
        if (allow(Method::Post, "POST"))
            handleChat(request, channel, arrivedNs,
                       std::make_shared<NativeChatProtocol>(path.endsWith("/stream")));
        return;
    }
    // OpenAI's API, so that OpenAI clients and chat apps can use LoopScope as their endpoint.
    if (path == "/v1/chat/completions") {
        if (allow(Method::Post, "POST"))
            handleChat(request, channel, arrivedNs, std::make_shared<OpenAiChatProtocol>());
        return;
    }
    PathParts parts;
    for (qsizetype from = 0; from < path.size();) {
        qsizetype to = path.indexOf('/', from);
        if (to < 0)
            to = path.size();
        if (to > from)
            parts.append(path.sliced(from, to - from));
        from = to + 1;
    }
    if (parts.size() >= 2 && parts.size() <= 3 && parts[0] == "v1" && parts[1] == "models") {
        if (allow(Method::Get, "GET"))
            handleModels(request, parts, *channel);
        return;
    }
    if (path == "/v1/stats") {
        if (!allow(Method::Get, "GET"))
            return;
        if (!authorized(request)) {
            channel->sendError(401, QStringLiteral("unauthorized"),
                               QStringLiteral("missing or wrong API key"));
            return;
        }
        handleStats(*channel);
        return;
    }
    if (parts.size() >= 2 && parts[0] == "v1" && parts[1] == "conversations") {
        if (!authorized(request)) {
            channel->sendError(401, QStringLiteral("unauthorized"),
                               QStringLiteral("missing or wrong API key"));
            return;
        }
        handleConversations(request, parts, *channel);
        return;
    }
    channel->sendError(404, QStringLiteral("not_found"), QStringLiteral("no route for %1").arg(text(path)));
}

void ServerWorker::handleChat(const HttpRequest &request, std::shared_ptr<ResponseChannel> channel,
                              qint64 arrivedNs, std::shared_ptr<ChatProtocol> protocol)
{
    ServerCounters *counters = m_context->counters;
    const QByteArray &body = request.body();
    if (body.size() > ChatRequestParser::MaxBodyBytes) {
        counters->failed.fetch_add(1, std::memory_order_relaxed);
        protocol->sendError(*channel, 413, QStringLiteral("payload_too_large"),
                            QStringLiteral("request body is %1 bytes; the limit is %2")
                                .arg(body.size())
                                .arg(ChatRequestParser::MaxBodyBytes));
        return;
    }
    if (!authorized(request)) {
        counters->failed.fetch_add(1, std::memory_order_relaxed);
        protocol->sendError(*channel, 401, QStringLiteral("unauthorized"),
                            QStringLiteral("missing or wrong API key"));
        return;
    }
    const std::shared_ptr<const ServerConfig> config = m_context->config();
    if (m_context->draining.load(std::memory_order_relaxed)) {
        protocol->sendError(*channel, 503, QStringLiteral("shutting_down"),
                            QStringLiteral("the server is shutting down"), { { "Retry-After", "1" } });
        return;
    }
    // Admission: uvicorn's --limit-concurrency answers 503 past the limit.
    const int inFlight = counters->inFlight.fetch_add(1, std::memory_order_relaxed) + 1;
    if (config->maxInFlight > 0 && inFlight > config->maxInFlight) {
        counters->inFlight.fetch_sub(1, std::memory_order_relaxed);
        counters->rejected.fetch_add(1, std::memory_order_relaxed);
        protocol->sendError(*channel, 503, QStringLiteral("over_capacity"),
                            QStringLiteral("%1 requests in flight; the limit is %2")
                                .arg(inFlight - 1)
                                .arg(config->maxInFlight),
                            { { "Retry-After", "1" } });
        return;
    }
    LoopHeartbeat &loop = counters->loops[size_t(m_index)];
    loop.inFlight.fetch_add(1, std::memory_order_relaxed); // ChatEndpoint counts it down
    ChatRequest chat;
    QString error;
    if (!protocol->parse(body, &chat, &error)) {
        loop.inFlight.fetch_sub(1, std::memory_order_relaxed);
        counters->inFlight.fetch_sub(1, std::memory_order_relaxed);
        counters->failed.fetch_add(1, std::memory_order_relaxed);
        protocol->sendError(*channel, 400, QStringLiteral("invalid_request"), error);
        return;
    }
    if (chat.sessionId.isEmpty())
        chat.sessionId = QUuid::createUuid().toString(QUuid::WithoutBraces);

    RequestRecord record;
    record.id = m_context->nextRequestId.fetch_add(1, std::memory_order_relaxed);
    record.clientTag = request.header("X-LoopScope-Client-Tag").toULongLong();
    record.arrivedNs = arrivedNs;
    record.worker = qint8(m_index);
    record.mode = config->mode;
    record.endpoint = protocol->endpoint(chat.stream);
    record.loopThread = ThreadRegistry::currentIndex();
    record.requestBytes = quint32(body.size());
    record.setUserId(chat.userId.toUtf8());
    captureClient(record, request);
    auto trace = std::make_shared<RequestTrace>(m_context->recorder, record);
    m_chat->accept(std::move(channel), std::move(chat), config, std::move(trace), std::move(protocol));
}

void ServerWorker::handleModels(const HttpRequest &request, const PathParts &parts, ResponseChannel &channel)
{
    // GET /v1/models, GET /v1/models/{id}: one model, whatever backend answers behind it.
    if (!authorized(request)) {
        channel.send(401,
                     OpenAiChatProtocol::errorBody(401, QStringLiteral("unauthorized"),
                                                   QStringLiteral("missing or wrong API key")),
                     "application/json");
        return;
    }
    const QString backend = m_context->manager->llm()->name();
    const qint64 created
        = QDateTime::currentSecsSinceEpoch() - (TraceClock::nowNs() - m_context->startedNs) / 1'000'000'000;
    if (parts.size() == 2) {
        channel.sendJson(200, OpenAiChatProtocol::modelList(backend, created));
    } else if (segment(parts[2]) == QLatin1String(OpenAiChatProtocol::ModelId)) {
        channel.sendJson(200, OpenAiChatProtocol::modelObject(backend, created));
    } else {
        channel.send(404,
                     OpenAiChatProtocol::errorBody(404, QStringLiteral("model_not_found"),
                                                   QStringLiteral("no model '%1'").arg(segment(parts[2]))),
                     "application/json");
    }
}

void ServerWorker::handleStats(ResponseChannel &channel)
{
    const ServerCounters &c = *m_context->counters;
    const auto config = m_context->config();
    QJsonArray lags;
    const qint64 now = TraceClock::nowNs();
    for (int i = 0; i < std::min(c.workers.load(), int(ServerCounters::MaxWorkers)); ++i) {
        const qint64 expected = c.loops[size_t(i)].expectedNs.load(std::memory_order_relaxed);
        lags.append(expected > 0 ? double(std::max<qint64>(0, now - expected)) / 1e6 : 0.0);
    }
    QJsonArray pids;
    for (qint64 pid : m_context->processes.pids())
        pids.append(double(pid));
    const QJsonObject processPool { { QStringLiteral("pids"), pids },
                                    { QStringLiteral("started"), m_context->processes.startedCount() } };
    channel.sendJson(200,
                     {
                         { QStringLiteral("mode"), dispatchModeName(config->mode) },
                         { QStringLiteral("process_pool"), processPool },
                         { QStringLiteral("workers"), config->workers },
                         { QStringLiteral("in_flight"), c.inFlight.load() },
                         { QStringLiteral("waiting"), c.waiting.load() },
                         { QStringLiteral("pool_active"), c.poolActive.load() },
                         { QStringLiteral("pool_max"), c.poolMax.load() },
                         { QStringLiteral("pool_queued"), c.poolQueued.load() },
                         { QStringLiteral("connections"), c.connections.load() },
                         { QStringLiteral("completed"), double(c.completed.load()) },
                         { QStringLiteral("failed"), double(c.failed.load()) },
                         { QStringLiteral("rejected"), double(c.rejected.load()) },
                         { QStringLiteral("requests_recorded"), double(m_context->recorder->count()) },
                         { QStringLiteral("loop_lag_ms"), lags },
                         { QStringLiteral("uptime_s"), double(now - m_context->startedNs) / 1e9 },
                         { QStringLiteral("config"), config->toJson() },
                     });
}

void ServerWorker::handleConversations(const HttpRequest &request, const PathParts &parts,
                                       ResponseChannel &channel)
{
    QStringList segments;
    for (const QByteArrayView part : parts)
        segments << segment(part);
    ConversationRoutes::handle(request.methodName().toByteArray(), segments,
                               QUrlQuery(QString::fromLatin1(request.query())), request.body(),
                               m_context->manager->queries(), channel);
}
