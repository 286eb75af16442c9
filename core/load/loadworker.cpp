#include "loadworker.h"

#include "base/traceclock.h"

#include <QHostAddress>
#include <QJsonDocument>
#include <cmath>
#include <cstring>
#include <ctime>
#include <netdb.h>

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

LoadWorker::~LoadWorker() = default;

namespace {

// The server's address: a literal, or the host's first IPv4 address (else its first address).
ClientConnection::Target resolve(const QString &host, quint16 port)
{
    ClientConnection::Target t;
    addrinfo hints {};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo *found = nullptr;
    if (::getaddrinfo(host.toUtf8().constData(), QByteArray::number(port).constData(), &hints, &found) != 0)
        return t;
    const addrinfo *pick = found;
    for (const addrinfo *a = found; a; a = a->ai_next) {
        if (a->ai_family == AF_INET) {
            pick = a;
            break;
        }
    }
    if (pick && pick->ai_addrlen <= sizeof t.address) {
        std::memcpy(&t.address, pick->ai_addr, pick->ai_addrlen);
        t.length = socklen_t(pick->ai_addrlen);
    }
    ::freeaddrinfo(found);
    return t;
}

} // namespace

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
    m_dispatcher = EpollEventDispatcher::current();
    if (!m_dispatcher)
        qFatal("LoadWorker: the thread's event dispatcher must be an EpollEventDispatcher");
    m_target = resolve(m_host, m_port);
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
// Requests: built here, sent and read by each user's ClientConnection.

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
    m_conns.push_back(
        std::make_unique<Conn>(this, m_dispatcher, &m_shared->openSockets, user, int(m_conns.size())));
    return *m_conns.back();
}

void LoadWorker::send(Conn &c, const ClientRecord &record)
{
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
    QByteArray &request = c.request;
    request.resize(0); // keeps its capacity
    request.reserve(m_path.size() + m_hostHeader.size() + m_apiKey.size() + json.size() + 160);
    request.append("POST ").append(m_path).append(" HTTP/1.1\r\nHost: ").append(m_hostHeader);
    request.append("\r\nX-API-Key: ").append(m_apiKey).append("\r\nX-LoopScope-Client-Tag: ");
    request.append(QByteArray::number(record.tag));
    request.append("\r\nContent-Type: application/json\r\nAccept: */*\r\nContent-Length: ");
    request.append(QByteArray::number(json.size())).append("\r\n\r\n").append(json);

    ClientRecord r = record;
    if (!r.late && TraceClock::nowNs() - r.intendedNs > qint64(m_settings.lateThresholdSeconds * 1e9)) {
        r.late = true;
        m_shared->late.fetch_add(1, std::memory_order_relaxed);
    }
    c.send(m_target, request, r);
}

void LoadWorker::requestEnded(Conn &c, ClientError)
{
    publish(c.record);
    m_shared->inFlight.fetch_sub(1, std::memory_order_relaxed);
    if (m_stopping)
        return;
    if (m_settings.model == LoadSettings::Model::Closed) {
        userFinished(c.local);
    } else {
        connFreed(c);
    }
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
            c->fail(ClientError::Timeout);
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
        c->close();
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
            c->fail(ClientError::Cancelled);
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
