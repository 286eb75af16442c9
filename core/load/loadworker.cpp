#include "loadworker.h"

#include "base/traceclock.h"
#include "llm/ssedecoder.h"
#include "load/requestid.h"

#include <QJsonDocument>
#include <QTcpSocket>
#include <cmath>
#include <ctime>
#include <http_parser.h>

struct LoadWorker::Conn
{
    LoadWorker *worker = nullptr;
    QTcpSocket *socket = nullptr;
    int user = -1;
    int local = 0; // closed model: the local user index
    bool busy = false;
    bool keepAlive = false;
    bool messageDone = false;
    ClientRecord record;
    QByteArray request;
    QByteArray body; // a plain reply (streams are read as events instead)
    QByteArray bodyJson; // the request body, kept while the user stays the same
    int bodyUser = -2;
    SseDecoder sse; // a streamed reply, read until it has given the request id and first token
    bool streamIdRead = false;
    http_parser parser {};
};

namespace {

constexpr qsizetype kMaxBody = 1 << 20;

} // namespace

// http_parser callbacks reach the connection through parser.data.
static int onBody(http_parser *p, const char *at, size_t length);
static int onMessageComplete(http_parser *p);

static http_parser_settings makeParserSettings()
{
    http_parser_settings s;
    http_parser_settings_init(&s);
    s.on_body = onBody;
    s.on_message_complete = onMessageComplete;
    return s;
}
static const http_parser_settings kParserSettings = makeParserSettings();

struct ParserHooks
{
    static int body(LoadWorker::Conn *c, const char *at, size_t length);
    static int complete(LoadWorker::Conn *c);
};

static int onBody(http_parser *p, const char *at, size_t length)
{
    return ParserHooks::body(static_cast<LoadWorker::Conn *>(p->data), at, length);
}
static int onMessageComplete(http_parser *p)
{
    return ParserHooks::complete(static_cast<LoadWorker::Conn *>(p->data));
}

int ParserHooks::body(LoadWorker::Conn *c, const char *at, size_t length)
{
    ClientRecord &r = c->record;
    r.bytes += quint32(length);
    if (!r.stream) {
        if (c->body.size() < kMaxBody)
            c->body.append(at, qsizetype(length));
        return 0;
    }
    // A stream is read only as far as the generator needs it: the request id (the first event's
    // data, LoopScope's `start`) and when the first `token` event arrived. The rest is counted,
    // not decoded. No hand-written fast path: SseDecoder costs 0.3-0.5 us per reply here, less
    // than the byte scan it replaced (bench_sse, docs/BENCHMARKS.md).
    if (c->streamIdRead && r.firstTokenNs)
        return 0;
    for (const SseEvent &e : c->sse.feed(QByteArrayView(at, qsizetype(length)))) {
        if (!c->streamIdRead && !e.data.isEmpty()) {
            r.serverId = requestIdIn(e.data);
            c->streamIdRead = true;
        }
        if (!r.firstTokenNs && e.event == "token")
            r.firstTokenNs = TraceClock::nowNs();
    }
    return 0;
}

int ParserHooks::complete(LoadWorker::Conn *c)
{
    c->messageDone = true;
    return 0;
}

LoadWorker::LoadWorker(int index, int count, const LoadSettings &settings, LoadShared *shared)
    : m_index(index)
    , m_count(count)
    , m_settings(settings)
    , m_shared(shared)
    , m_rng(settings.seed * 7919 + quint64(index))
{
    const QUrl &u = m_settings.baseUrl;
    m_host = u.host();
    m_port = quint16(u.port(80));
    QString prefix = u.path();
    while (prefix.endsWith(QLatin1Char('/')))
        prefix.chop(1);
    m_path = (prefix + (m_settings.stream ? QStringLiteral("/v1/chat/stream") : QStringLiteral("/v1/chat")))
                 .toUtf8();
    m_hostHeader = QStringLiteral("%1:%2").arg(m_host).arg(m_port).toUtf8();
    m_apiKey = m_settings.apiKey.toUtf8();
}

LoadWorker::~LoadWorker()
{
    for (auto &c : m_conns) {
        if (c->socket) {
            QObject::disconnect(c->socket, nullptr, this, nullptr);
            delete c->socket;
        }
    }
}

// ------------------------------------------------------------------------------------------
// Scheduling: one precise timer armed for the earliest deadline; deadlines are absolute.

void LoadWorker::schedule(qint64 deadlineNs, std::function<void()> fn)
{
    m_events.push(Event { deadlineNs, m_eventOrder++, std::move(fn) });
    if (m_events.top().deadline == deadlineNs)
        rearm();
}

void LoadWorker::rearm()
{
    if (m_events.empty()) {
        m_timer->stop();
        return;
    }
    const qint64 wait = m_events.top().deadline - TraceClock::nowNs();
    // Millisecond timers: arm for the whole milliseconds; the sub-millisecond rest is waited out
    // by zero-timeouts (at most one millisecond of event-loop turns).
    m_timer->start(wait <= 0 ? 0 : int(wait / 1'000'000));
}

void LoadWorker::onTimer()
{
    for (;;) {
        if (m_events.empty() || m_stopping)
            break;
        const qint64 now = TraceClock::nowNs();
        if (m_events.top().deadline > now) // never early: intended <= connect <= sent
            break;
        Event e = m_events.top();
        m_events.pop();
        e.fn();
    }
    if (!m_stopping)
        rearm();
}

qint64 LoadWorker::thinkNs()
{
    const double mean = m_settings.scaled(m_settings.thinkSeconds);
    double s = mean;
    switch (m_settings.think) {
    case LoadSettings::Think::Fixed:
        break;
    case LoadSettings::Think::Uniform: {
        const double half = m_settings.scaled(m_settings.thinkSpreadSeconds);
        s = std::uniform_real_distribution<double>(std::max(0.0, mean - half), mean + half)(m_rng);
        break;
    }
    case LoadSettings::Think::Exponential:
        s = mean > 0 ? std::exponential_distribution<double>(1.0 / mean)(m_rng) : 0;
        break;
    }
    return qint64(std::max(0.0, s) * 1e9);
}

// ------------------------------------------------------------------------------------------

namespace {
qint64 threadCpuNs()
{
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return qint64(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}
} // namespace

void LoadWorker::run()
{
    m_cpuStartNs = threadCpuNs();
    m_timer = new QTimer(this);
    m_timer->setTimerType(Qt::PreciseTimer);
    m_timer->setSingleShot(true);
    connect(m_timer, &QTimer::timeout, this, &LoadWorker::onTimer);
    m_watchdog = new QTimer(this);
    connect(m_watchdog, &QTimer::timeout, this, &LoadWorker::checkTimeouts);
    m_watchdog->start(100);

    const qint64 start = m_shared->startNs;
    if (m_settings.model == LoadSettings::Model::Closed) {
        for (int u = m_index; u < m_settings.users; u += m_count) {
            m_userIds.push_back(u);
            m_userSent.push_back(0);
            newConn(u);
        }
        m_activeUsers = int(m_userIds.size());
        if (m_settings.naive) {
            // One blocking client: user k starts only when user k-1 is done, although every user
            // was "started" at its spawn time (asyncio.gather), so latency counts the wait.
            if (!m_userIds.empty())
                schedule(start, [this, start] { startUser(m_naiveNext++, start); });
        } else {
            for (int local = 0; local < int(m_userIds.size()); ++local) {
                const double spawnAt = m_settings.spawnRate > 0
                    ? m_settings.scaled(double(m_userIds[size_t(local)]) / m_settings.spawnRate)
                    : 0.0;
                const qint64 at = start + qint64(spawnAt * 1e9);
                schedule(at, [this, local, at] { startUser(local, at); });
            }
        }
    } else {
        scheduleArrival(0, start);
    }
    checkDone();
}

void LoadWorker::startUser(int local, qint64 intendedNs)
{
    Conn &c = *m_conns[size_t(local)];
    const int seq = m_userSent[size_t(local)]++;
    send(c, newRecord(m_userIds[size_t(local)], seq, intendedNs));
}

void LoadWorker::userFinished(int local)
{
    if (m_stopping)
        return;
    const qint64 now = TraceClock::nowNs();
    const qint64 think = thinkNs();
    const bool more = m_settings.durationSeconds > 0
        ? now + think < m_shared->startNs + qint64(m_settings.scaled(m_settings.durationSeconds) * 1e9)
        : m_userSent[size_t(local)] < m_settings.requestsPerUser;
    if (more) {
        if (think <= 0) {
            startUser(local, now);
        } else {
            const qint64 at = now + think;
            schedule(at, [this, local, at] { startUser(local, at); });
        }
        return;
    }
    --m_activeUsers;
    if (m_settings.naive && m_naiveNext < int(m_userIds.size())) {
        const int next = m_naiveNext++;
        const double spawnAt = m_settings.spawnRate > 0
            ? m_settings.scaled(double(m_userIds[size_t(next)]) / m_settings.spawnRate)
            : 0.0;
        const qint64 at = m_shared->startNs + qint64(spawnAt * 1e9);
        if (at <= now)
            startUser(next, at);
        else
            schedule(at, [this, next, at] { startUser(next, at); });
    }
    checkDone();
}

void LoadWorker::scheduleArrival(quint64 k, qint64 atNs)
{
    const qint64 end = m_shared->startNs + qint64(m_settings.scaled(m_settings.durationSeconds) * 1e9);
    const double rate = m_settings.arrivalRate / m_settings.timeScale; // per second, all threads
    qint64 at = atNs;
    if (m_settings.arrival == LoadSettings::Arrival::Constant) {
        // Arrival n (over all threads) is due at n / rate; this thread takes n = index + k * count.
        const quint64 n = quint64(m_index) + k * quint64(m_count);
        at = m_shared->startNs + qint64(double(n) / rate * 1e9);
    } else {
        const double gap = std::exponential_distribution<double>(rate / m_count)(m_rng);
        at = atNs + qint64(gap * 1e9);
    }
    if (rate <= 0 || at >= end) {
        m_arrivalsDone = true;
        checkDone();
        return;
    }
    schedule(at, [this, k, at] {
        arrive(k, at);
        scheduleArrival(k + 1, at);
    });
}

void LoadWorker::arrive(quint64 k, qint64 intendedNs)
{
    ClientRecord r = newRecord(-1, int(quint64(m_index) + k * quint64(m_count)), intendedNs);
    if (!m_idle.empty()) {
        Conn *c = m_idle.back();
        m_idle.pop_back();
        r.user = c->user;
        send(*c, r);
        return;
    }
    if (m_settings.maxConnections <= 0 || int(m_conns.size()) < m_settings.maxConnections) {
        Conn &c = newConn(int(m_conns.size()));
        r.user = c.user;
        send(c, r);
        return;
    }
    m_backlog.push_back(r); // sent late when a connection frees up; never dropped
}

void LoadWorker::connFreed(Conn &c)
{
    if (m_stopping)
        return;
    if (!m_backlog.empty()) {
        ClientRecord r = m_backlog.front();
        m_backlog.pop_front();
        r.user = c.user;
        send(c, r);
        return;
    }
    m_idle.push_back(&c);
    checkDone();
}

// ------------------------------------------------------------------------------------------
// HTTP over one non-blocking socket per connection, parsed by http_parser.

ClientRecord LoadWorker::newRecord(int user, int sequence, qint64 intendedNs)
{
    ClientRecord r;
    r.tag = m_shared->tagBase + m_shared->nextTag.fetch_add(1, std::memory_order_relaxed);
    r.user = user;
    r.sequence = sequence;
    r.intendedNs = intendedNs;
    r.stream = m_settings.stream;
    return r;
}

LoadWorker::Conn &LoadWorker::newConn(int user)
{
    auto c = std::make_unique<Conn>();
    c->worker = this;
    c->user = user;
    c->local = int(m_conns.size());
    m_conns.push_back(std::move(c));
    return *m_conns.back();
}

void LoadWorker::send(Conn &c, const ClientRecord &record)
{
    c.record = record;
    c.busy = true;
    c.body.truncate(0); // keeps its capacity for the next reply
    c.sse.reset();
    c.streamIdRead = false;
    c.messageDone = false;
    m_shared->inFlight.fetch_add(1, std::memory_order_relaxed);

    // The body depends only on the user: built once per user and connection (a closed-model user
    // sends the same body every time), not per request.
    const int bodyUser = record.user >= 0 ? record.user : record.sequence;
    if (c.bodyUser != bodyUser || c.bodyJson.isEmpty()) {
        QJsonObject body { { QStringLiteral("user_id"), QStringLiteral("user-%1").arg(bodyUser) },
                           { QStringLiteral("message"), m_settings.message } };
        if (!m_settings.sessionPrefix.isEmpty())
            body.insert(QStringLiteral("session_id"),
                        m_settings.sessionPrefix + QString::number(record.user));
        if (!m_settings.options.isEmpty())
            body.insert(QStringLiteral("options"), m_settings.options);
        c.bodyJson = QJsonDocument(body).toJson(QJsonDocument::Compact);
        c.bodyUser = bodyUser;
    }
    const QByteArray &json = c.bodyJson;
    c.request.clear();
    c.request.reserve(m_path.size() + m_hostHeader.size() + m_apiKey.size() + json.size() + 160);
    c.request.append("POST ").append(m_path).append(" HTTP/1.1\r\nHost: ").append(m_hostHeader);
    c.request.append("\r\nX-API-Key: ").append(m_apiKey).append("\r\nX-LoopScope-Client-Tag: ");
    c.request.append(QByteArray::number(record.tag));
    c.request.append("\r\nContent-Type: application/json\r\nAccept: */*\r\nContent-Length: ");
    c.request.append(QByteArray::number(json.size())).append("\r\n\r\n").append(json);

    const qint64 now = TraceClock::nowNs();
    if (!record.late && now - record.intendedNs > qint64(m_settings.lateThresholdSeconds * 1e9)) {
        c.record.late = true;
        m_shared->late.fetch_add(1, std::memory_order_relaxed);
    }
    c.record.connectNs = now;
    if (c.socket && c.keepAlive && c.socket->state() == QAbstractSocket::ConnectedState) {
        c.record.reused = true;
        c.record.connectedNs = now;
        writeRequest(c);
        return;
    }
    dropSocket(c);
    c.socket = new QTcpSocket(this);
    m_shared->openSockets.fetch_add(1, std::memory_order_relaxed);
    Conn *cp = &c;
    QTcpSocket *s = c.socket;
    connect(s, &QTcpSocket::connected, this, [this, cp, s] {
        s->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        cp->record.connectedNs = TraceClock::nowNs();
        writeRequest(*cp);
    });
    connect(s, &QTcpSocket::readyRead, this, [this, cp] { onReadable(*cp); });
    connect(s, &QTcpSocket::errorOccurred, this, [this, cp, s](QAbstractSocket::SocketError e) {
        if (!cp->busy || cp->socket != s) {
            cp->keepAlive = false;
            return;
        }
        if (s->bytesAvailable())
            onReadable(*cp);
        if (!cp->busy)
            return;
        if (cp->record.reused && !cp->record.firstByteNs
            && (e == QAbstractSocket::RemoteHostClosedError || e == QAbstractSocket::NetworkError)) {
            // The server had closed the kept-alive connection (uvicorn: after 5 s idle) before
            // our request reached it: reconnect once and resend, as browsers and requests do.
            ClientRecord retry = cp->record;
            retry.reused = false;
            retry.connectedNs = retry.sentNs = 0;
            m_shared->inFlight.fetch_sub(1, std::memory_order_relaxed);
            dropSocket(*cp);
            send(*cp, retry);
            return;
        }
        ClientError kind = ClientError::Other;
        if (e == QAbstractSocket::ConnectionRefusedError)
            kind = ClientError::Refused;
        else if (e == QAbstractSocket::RemoteHostClosedError || e == QAbstractSocket::NetworkError)
            kind = ClientError::Reset;
        else if (e == QAbstractSocket::SocketTimeoutError)
            kind = ClientError::Timeout;
        complete(*cp, kind);
    });
    connect(s, &QTcpSocket::disconnected, this, [cp] { cp->keepAlive = false; });
    c.keepAlive = true;
    s->connectToHost(m_host, m_port);
}

void LoadWorker::writeRequest(Conn &c)
{
    http_parser_init(&c.parser, HTTP_RESPONSE);
    c.parser.data = &c;
    c.socket->write(c.request);
    c.socket->flush(); // straight to the kernel, not at the next event-loop turn
    c.record.sentNs = TraceClock::nowNs();
}

void LoadWorker::onReadable(Conn &c)
{
    const QByteArray data = c.socket->readAll();
    if (!c.busy || data.isEmpty())
        return;
    if (!c.record.firstByteNs)
        c.record.firstByteNs = TraceClock::nowNs();
    const size_t parsed
        = http_parser_execute(&c.parser, &kParserSettings, data.constData(), size_t(data.size()));
    if (!c.record.status && c.parser.status_code)
        c.record.status = quint16(c.parser.status_code);
    if (c.messageDone) {
        c.keepAlive = c.keepAlive && http_should_keep_alive(&c.parser);
        complete(c, ClientError::None);
    } else if (HTTP_PARSER_ERRNO(&c.parser) != HPE_OK || parsed != size_t(data.size())) {
        complete(c, ClientError::Other);
    }
}

void LoadWorker::complete(Conn &c, ClientError error)
{
    ClientRecord &r = c.record;
    r.completeNs = TraceClock::nowNs();
    if (!r.status && c.parser.status_code)
        r.status = quint16(c.parser.status_code);
    if (error == ClientError::None) {
        if (r.status >= 500)
            error = ClientError::Http5xx;
        else if (r.status >= 400)
            error = ClientError::Http4xx;
        else if (r.status < 200)
            error = ClientError::Other;
    }
    r.error = error;
    // request_id: from the JSON body (a stream's came with its `start` event).
    if (!r.stream && !c.body.isEmpty())
        r.serverId = requestIdIn(c.body);
    if (!r.stream && r.ok() && !r.firstTokenNs)
        r.firstTokenNs = r.completeNs; // the reply shows up all at once
    publish(r);
    c.busy = false;
    m_shared->inFlight.fetch_sub(1, std::memory_order_relaxed);
    if (error != ClientError::None || !c.keepAlive)
        dropSocket(c);
    if (m_stopping)
        return;
    if (m_settings.model == LoadSettings::Model::Closed) {
        userFinished(c.local);
    } else {
        connFreed(c);
    }
}

void LoadWorker::dropSocket(Conn &c)
{
    if (!c.socket)
        return;
    QObject::disconnect(c.socket, nullptr, this, nullptr);
    c.socket->abort();
    c.socket->deleteLater();
    c.socket = nullptr;
    c.keepAlive = false;
    m_shared->openSockets.fetch_sub(1, std::memory_order_relaxed);
}

void LoadWorker::publish(const ClientRecord &r)
{
    {
        QMutexLocker lock(&m_mutex);
        m_records.push_back(r);
    }
    m_shared->done.fetch_add(1, std::memory_order_relaxed);
    (r.ok() ? m_shared->ok : m_shared->errors).fetch_add(1, std::memory_order_relaxed);
}

void LoadWorker::checkTimeouts()
{
    const qint64 now = TraceClock::nowNs();
    const qint64 limit = qint64(m_settings.timeoutSeconds * 1e9);
    for (auto &c : m_conns) {
        if (c->busy && now - c->record.connectNs > limit)
            complete(*c, ClientError::Timeout);
    }
}

void LoadWorker::checkDone()
{
    if (m_finished)
        return;
    bool done = false;
    if (m_stopping) {
        done = true;
    } else if (m_settings.model == LoadSettings::Model::Closed) {
        done = m_activeUsers == 0;
    } else {
        done = m_arrivalsDone && m_backlog.empty()
            && std::none_of(m_conns.begin(), m_conns.end(), [](const auto &c) { return c->busy; });
    }
    if (!done)
        return;
    m_finished = true;
    m_shared->cpuNs.fetch_add(threadCpuNs() - m_cpuStartNs, std::memory_order_relaxed);
    m_timer->stop();
    m_watchdog->stop();
    for (auto &c : m_conns)
        dropSocket(*c);
    emit this->done();
}

void LoadWorker::stop()
{
    if (m_finished)
        return;
    m_stopping = true;
    while (!m_events.empty())
        m_events.pop();
    for (auto &c : m_conns) {
        if (c->busy)
            complete(*c, ClientError::Cancelled);
    }
    while (!m_backlog.empty()) {
        ClientRecord r = m_backlog.front();
        m_backlog.pop_front();
        r.completeNs = TraceClock::nowNs();
        r.error = ClientError::Cancelled;
        publish(r);
    }
    checkDone();
}

QList<ClientRecord> LoadWorker::snapshot() const
{
    QMutexLocker lock(&m_mutex);
    return QList<ClientRecord>(m_records.begin(), m_records.end());
}

quint64 LoadWorker::recordCount() const
{
    QMutexLocker lock(&m_mutex);
    return m_records.size();
}
