#include "chatserver.h"

#include "base/delays.h"
#include "base/threadregistry.h"
#include "base/traceclock.h"
#include "db/pghistory.h"
#include "http/historyfilecheck.h"
#include "http/listeningsocket.h"
#include "http/servercontext.h"
#include "http/serverworker.h"
#include "llm/simulatedllm.h"
#include "loop/epolleventdispatcher.h"
#include "pipeline/conversationmanager.h"
#include "storage/historystore.h"
#include "trace/countersampler.h"

#include <QThread>
#include <QTimer>
#include <unistd.h>

ChatServer::ChatServer(QObject *parent)
    : QObject(parent)
{ }

ChatServer::~ChatServer()
{
    stop(2000);
}

QUrl ChatServer::url() const
{
    QUrl u;
    u.setScheme(QStringLiteral("http"));
    const QHostAddress host = m_config.host;
    u.setHost(host == QHostAddress::Any || host == QHostAddress::AnyIPv4 ? QStringLiteral("127.0.0.1")
                                                                         : host.toString());
    u.setPort(m_port);
    return u;
}

ServerConfig ChatServer::config() const
{
    return m_config;
}
QString ChatServer::apiKey() const
{
    return m_config.apiKey;
}

std::shared_ptr<LlmBackend> ChatServer::makeBackend(const ServerConfig &config) const
{
    if (m_customLlm)
        return m_customLlm;
    SimulatedLlmConfig llm = config.llm;
    llm.timeScale = config.timeScale;
    return std::make_shared<SimulatedLlm>(llm);
}

bool ChatServer::openPostgres(const ServerConfig &config, QString *error, const std::stop_token &stop)
{
    m_store.reset();
    if (m_postgres && m_postgresAddress == config.dbPath && m_postgres->pool().size() == config.dbPoolSize) {
        m_postgres->setTimeoutNs(qint64(config.dbTimeoutSeconds * 1e9));
        m_manager->setLlm(makeBackend(config));
        return true;
    }
    m_manager.reset();
    m_postgres.reset();
    auto db = std::make_shared<PgHistory>(config.dbPath, config.dbPoolSize, &m_counters);
    db->setTimeoutNs(qint64(config.dbTimeoutSeconds * 1e9));
    if (!db->open(db->timeoutNs(), error, stop) || !db->fillPool(db->timeoutNs(), error, stop))
        return false;
    m_postgres = std::move(db);
    m_postgresAddress = config.dbPath;
    m_manager = std::make_shared<ConversationManager>(nullptr, makeBackend(config), m_postgres);
    return true;
}

bool ChatServer::start(const ServerConfig &config, QString *error, const std::stop_token &stop)
{
    QString dummy;
    QString &err = error ? *error : dummy;
    if (isRunning()) {
        err = QStringLiteral("the server is already running");
        return false;
    }
    if (const QString e = config.workersError(); !e.isEmpty()) {
        err = e;
        return false;
    }
    if (config.apiKey.isEmpty()) {
        err = QStringLiteral("an API key is required");
        return false;
    }
    m_config = config;
    const QString dbPath = config.dbPath.isEmpty() ? HistoryStore::defaultPath() : config.dbPath;
    if (config.usesPostgres()) {
        if (!openPostgres(config, &err, stop))
            return false;
    } else if (!m_store || m_store->path() != dbPath) {
        m_postgres.reset();
        if (!HistoryFileCheck::check(dbPath, &err))
            return false;
        m_store = std::make_shared<HistoryStore>(dbPath);
        if (!m_store->open(&err)) {
            m_store.reset();
            return false;
        }
        m_manager = std::make_shared<ConversationManager>(m_store, makeBackend(config));
    } else {
        m_manager->setLlm(makeBackend(config));
    }
    m_context = std::make_unique<ServerContext>(m_manager, &m_recorder, &m_counters);
    m_context->setConfig(std::make_shared<const ServerConfig>(config));
    m_context->pool.setMaxThreadCount(config.effectivePoolSize());
    m_counters.poolMax.store(config.effectivePoolSize());
    m_startedNs = m_context->startedNs = TraceClock::nowNs();

    if (!startWorkers(&err)) {
        m_context.reset();
        return false;
    }
    m_sampler = std::make_unique<CounterSampler>(&m_counters, &m_series);
    m_sampler->setListenFd(m_listenFd);
    m_sampler->start(10);
    {
        QMutexLocker lock(&m_eventsMutex);
        m_scaleEvents.clear();
    }
    if (m_config.autoscale())
        startSupervisor();
    emit started(url());
    return true;
}

bool ChatServer::startWorkers(QString *error)
{
    m_listenFd = Http::openListeningSocket(m_config.host, m_config.port, &m_port, error);
    if (m_listenFd < 0)
        return false;
    m_config.port = m_port;
    m_loopsStarted.clear();
    bool ok = true;
    for (int i = 0; i < m_config.initialWorkers(); ++i)
        ok = addWorker(i) && ok;
    if (!ok) {
        *error = QStringLiteral("a worker could not listen on the shared socket");
        stopWorkers(0);
        return false;
    }
    return true;
}

bool ChatServer::addWorker(int i)
{
    // A loop the supervisor adds again under an index it retired is another thread: its lane
    // gets its own name, "worker-2 #2".
    if (m_loopsStarted.size() <= size_t(i))
        m_loopsStarted.resize(size_t(i) + 1);
    const int again = ++m_loopsStarted[size_t(i)];
    const QString name
        = again > 1 ? QStringLiteral("worker-%1 #%2").arg(i).arg(again) : QStringLiteral("worker-%1").arg(i);
    auto *thread = new QThread;
    thread->setObjectName(name);
    thread->setEventDispatcher(new EpollEventDispatcher); // see its header: scale
    thread->start();
    ServerWorker *worker = nullptr;
    bool ok = false;
    ServerContext *ctx = m_context.get();
    const int fd = m_listenFd;
    // The worker is created on its own thread, so its sockets and timers belong there.
    QObject anchor;
    anchor.moveToThread(thread);
    QMetaObject::invokeMethod(
        &anchor,
        [&worker, &ok, i, ctx, fd, again, &name] {
            worker = new ServerWorker(i, ctx);
            if (again > 1)
                ThreadRegistry::nameCurrentThread(name, LaneKind::WorkerLoop);
            ok = worker->startListening(fd);
        },
        Qt::BlockingQueuedConnection);
    QMutexLocker lock(&m_workersMutex);
    m_threads.push_back(thread);
    m_workers.push_back(worker);
    m_counters.workers.store(int(m_workers.size()));
    return ok;
}

bool ChatServer::isRunning() const
{
    QMutexLocker lock(&m_workersMutex);
    return !m_threads.empty();
}

int ChatServer::requestsWaiting() const
{
    return CounterSampler::acceptQueueLength(m_listenFd) + std::max(0, m_counters.waiting.load());
}

QList<ScaleEvent> ChatServer::scaleEvents() const
{
    QMutexLocker lock(&m_eventsMutex);
    return m_scaleEvents;
}

void ChatServer::recordScale(ScaleEvent::Kind kind, const QString &reason)
{
    ScaleEvent e;
    e.tNs = TraceClock::nowNs();
    e.kind = kind;
    e.reason = reason;
    e.workers = m_counters.workers.load();
    {
        QMutexLocker lock(&m_eventsMutex);
        m_scaleEvents.append(e);
    }
    m_recorder.addScaleEvent(e); // the timelines' markers
    if (m_config.logRequests)
        qInfo("[supervisor] %s: %s -> %d workers", qPrintable(ScaleEvent::kindName(kind)), qPrintable(reason),
              e.workers);
    emit scaled(e);
}

void ChatServer::startSupervisor()
{
    // Seed 2's UltimateSupervisor.monitor(), run every 100 ms (shorter under a time scale < 1).
    const int tickMs = std::clamp(int(100 * m_config.timeScale), 10, 100);
    m_retiring = -1;
    m_lastScaleNs = TraceClock::nowNs();
    m_supervisorThread = new QThread;
    m_supervisorThread->setObjectName(QStringLiteral("supervisor"));
    m_supervisorThread->start();
    m_supervisorTimer = new QTimer;
    m_supervisorTimer->setInterval(tickMs);
    m_supervisorTimer->moveToThread(m_supervisorThread);
    connect(
        m_supervisorTimer, &QTimer::timeout, m_supervisorTimer, [this] { superviseTick(); },
        Qt::DirectConnection);
    QMetaObject::invokeMethod(m_supervisorTimer, [this] {
        ThreadRegistry::nameCurrentThread(QStringLiteral("supervisor"));
        m_supervisorTimer->start();
    });
}

void ChatServer::stopSupervisor()
{
    if (!m_supervisorThread)
        return;
    QMetaObject::invokeMethod(
        m_supervisorTimer,
        [this] {
            delete m_supervisorTimer;
            m_supervisorTimer = nullptr;
        },
        Qt::BlockingQueuedConnection);
    m_supervisorThread->quit();
    m_supervisorThread->wait();
    delete m_supervisorThread;
    m_supervisorThread = nullptr;
    // A loop being retired is still in m_workers: stopWorkers ends it with the others.
    m_retiring = -1;
}

void ChatServer::superviseTick()
{
    const qint64 now = TraceClock::nowNs();
    const std::shared_ptr<const ServerConfig> config = m_context->config();
    if (m_retiring >= 0) {
        finishRetirement();
        return; // one change at a time
    }
    const int live = m_counters.workers.load();
    const int waiting = requestsWaiting();
    // After a change, give the loops one tick to take what is queued.
    if (now - m_lastScaleNs < qint64(m_supervisorTimer->interval()) * 1'000'000)
        return;
    if (waiting > config->scaleUpWaiting && live < config->workersMax) {
        if (addWorker(live)) {
            m_lastScaleNs = now;
            recordScale(ScaleEvent::Kind::ScaleUp,
                        QStringLiteral("%1 waiting > %2").arg(waiting).arg(config->scaleUpWaiting));
        }
        return;
    }
    if (live <= config->initialWorkers() || waiting > 0)
        return;
    // Retire the newest loop once it has been idle (no request in flight, none arrived or
    // finished) for scaleDownIdleSeconds (scaled like every simulated time).
    const int top = live - 1;
    const LoopHeartbeat &loop = m_counters.loops[size_t(top)];
    const qint64 idleNs = now - loop.lastActiveNs.load(std::memory_order_relaxed);
    if (loop.inFlight.load(std::memory_order_relaxed) > 0
        || idleNs < config->scaledNs(config->scaleDownIdleSeconds))
        return;
    ServerWorker *w = nullptr;
    {
        QMutexLocker lock(&m_workersMutex);
        w = m_workers[size_t(top)];
    }
    QMetaObject::invokeMethod(
        w, [w] { w->retire(); }, Qt::BlockingQueuedConnection);
    m_counters.workers.store(top); // it no longer accepts; its requests finish below
    m_retiring = top;
    m_retireSinceNs = TraceClock::nowNs();
    m_lastScaleNs = now;
    recordScale(ScaleEvent::Kind::ScaleDown,
                QStringLiteral("worker-%1 idle %2 s").arg(top).arg(double(idleNs) / 1e9, 0, 'f', 1));
}

void ChatServer::finishRetirement()
{
    // The retiring loop ends when its requests are answered and nothing arrived on it for a
    // moment (a client that connected just before it stopped accepting sends right away). Its
    // kept-alive idle connections then close, as uvicorn's keep-alive timeout closes them; a
    // client that reuses one at that instant resends on a new connection (HTTP/1.1 8.1.4).
    const int i = m_retiring;
    const LoopHeartbeat &loop = m_counters.loops[size_t(i)];
    const qint64 now = TraceClock::nowNs();
    const qint64 quietNs = 200'000'000;
    const qint64 last = std::max(loop.lastActiveNs.load(std::memory_order_relaxed), m_retireSinceNs);
    // A kept-alive client that keeps sending on this loop would keep it forever: after 5 s the
    // loop ends at its next moment with nothing in flight.
    const bool overdue = now - m_retireSinceNs > 5'000'000'000;
    if (loop.inFlight.load(std::memory_order_relaxed) > 0 || (now - last < quietNs && !overdue))
        return;
    ServerWorker *w = nullptr;
    QThread *t = nullptr;
    {
        QMutexLocker lock(&m_workersMutex);
        if (size_t(i) + 1 != m_workers.size())
            return;
        w = m_workers.back();
        t = m_threads.back();
        m_workers.pop_back();
        m_threads.pop_back();
    }
    QMetaObject::invokeMethod(
        w,
        [w] {
            delete w;
            Delays::wakeSleepersForStop(); // pipelines still asleep on this loop end now
        },
        Qt::BlockingQueuedConnection);
    t->quit();
    t->wait();
    delete t;
    m_retiring = -1;
}

void ChatServer::stopWorkers(int drainMs)
{
    for (size_t i = 0; i < m_workers.size(); ++i) {
        ServerWorker *w = m_workers[i];
        QMetaObject::invokeMethod(
            w, [w] { w->stopAccepting(); }, Qt::BlockingQueuedConnection);
    }
    if (m_listenFd >= 0) {
        if (m_sampler)
            m_sampler->setListenFd(-1);
        ::close(m_listenFd);
        m_listenFd = -1;
    }
    // Let in-flight requests finish the way they began (bounded). Requests whose connection was
    // taken from the backlog but not read yet (a blocked loop) start as soon as their loop is
    // free, so "done" means no request in flight for a short quiet period.
    const qint64 deadline = TraceClock::nowNs() + qint64(drainMs) * 1'000'000;
    const qint64 quietNs = drainMs > 0 ? 100'000'000 : 0;
    qint64 idleSince = 0;
    while (TraceClock::nowNs() < deadline) {
        const qint64 now = TraceClock::nowNs();
        if (m_counters.inFlight.load() > 0) {
            idleSince = 0;
        } else if (idleSince == 0) {
            idleSince = now;
        } else if (now - idleSince >= quietNs) {
            break;
        }
        QThread::msleep(5);
    }
    for (size_t i = 0; i < m_workers.size(); ++i) {
        ServerWorker *w = m_workers[i];
        QThread *t = m_threads[i];
        QMetaObject::invokeMethod(
            w,
            [w] {
                delete w;
                Delays::wakeSleepersForStop(); // pipelines still asleep on this loop end now
            },
            Qt::BlockingQueuedConnection);
        t->quit();
        t->wait();
        delete t;
    }
    m_workers.clear();
    m_threads.clear();
    m_counters.workers.store(0);
}

void ChatServer::stop(int drainMs)
{
    if (!isRunning())
        return;
    // Requests that reached us before the stop are answered (stopWorkers drains them); only
    // what arrives once the drain window has passed is refused.
    stopSupervisor();
    stopWorkers(drainMs);
    m_context->draining.store(true);
    m_context->pool.waitForDone(drainMs);
    if (m_sampler)
        m_sampler->stop();
    m_sampler.reset();
    m_context.reset();
    emit stopped();
}

bool ChatServer::reconfigure(const ServerConfig &config, QString *error)
{
    if (!isRunning()) {
        m_config = config;
        emit configChanged();
        return true;
    }
    const bool relisten = config.workers != m_config.workers || config.workersMin != m_config.workersMin
        || config.dbPath != m_config.dbPath || config.dbPoolSize != m_config.dbPoolSize
        || config.workersMax != m_config.workersMax || config.host != m_config.host
        || (config.port != 0 && config.port != m_port);
    ServerConfig next = config;
    if (next.port == 0 || !relisten)
        next.port = m_port;
    if (next.apiKey.isEmpty())
        next.apiKey = m_config.apiKey;
    if (const QString e = config.workersError(); !e.isEmpty()) {
        if (error)
            *error = e;
        return false;
    }
    if (relisten) {
        stop();
        const bool ok = start(next, error);
        emit configChanged();
        return ok;
    }
    m_config = next;
    m_manager->setLlm(makeBackend(next));
    m_context->pool.setMaxThreadCount(next.effectivePoolSize());
    m_counters.poolMax.store(next.effectivePoolSize());
    m_context->setConfig(std::make_shared<const ServerConfig>(next));
    emit configChanged();
    return true;
}

void ChatServer::setMode(DispatchMode mode)
{
    ServerConfig c = m_config;
    c.mode = mode;
    reconfigure(c);
}

void ChatServer::setLlmBackend(std::shared_ptr<LlmBackend> backend)
{
    m_customLlm = std::move(backend);
    if (m_manager)
        m_manager->setLlm(makeBackend(m_config));
}

CounterSample ChatServer::sampleCounters() const
{
    if (m_sampler)
        return m_sampler->sampleNow();
    return {};
}
