#include "loadgenerator.h"

#include "base/traceclock.h"
#include "loadworker.h"
#include "loop/epolleventdispatcher.h"

#include <QThread>
#include <QTimer>
#include <algorithm>
#include <random>
#include <sys/resource.h>

LoadGenerator::LoadGenerator(QObject *parent)
    : QObject(parent)
    , m_shared(std::make_unique<LoadShared>())
{
    qRegisterMetaType<LoadProgress>();
    qRegisterMetaType<ClientRecord>();
    m_progressTimer = new QTimer(this);
    m_progressTimer->setInterval(250);
    connect(m_progressTimer, &QTimer::timeout, this, &LoadGenerator::tick);
}

LoadGenerator::~LoadGenerator()
{
    stop();
    for (QThread *t : m_threads) {
        t->quit();
        t->wait();
        delete t;
    }
}

void LoadGenerator::setSettings(const LoadSettings &settings)
{
    m_settings = settings;
}

qint64 LoadGenerator::raiseOpenFileLimit()
{
    rlimit lim {};
    if (getrlimit(RLIMIT_NOFILE, &lim) != 0)
        return -1;
    if (lim.rlim_cur < lim.rlim_max) {
        lim.rlim_cur = lim.rlim_max;
        setrlimit(RLIMIT_NOFILE, &lim);
        getrlimit(RLIMIT_NOFILE, &lim);
    }
    return qint64(lim.rlim_cur);
}

bool LoadGenerator::start(QString *error)
{
    const auto fail = [&](const QString &message) {
        if (error)
            *error = message;
        return false;
    };
    if (m_running || !m_threads.empty())
        return fail(QStringLiteral("a load generator runs once; create a new one"));
    const LoadSettings &s = m_settings;
    if (!s.baseUrl.isValid() || s.baseUrl.scheme() != QLatin1String("http") || s.baseUrl.host().isEmpty())
        return fail(QStringLiteral("target must be an http:// URL, not '%1'").arg(s.baseUrl.toString()));
    if (s.model == LoadSettings::Model::Closed
        && (s.users < 1 || (s.requestsPerUser < 1 && s.durationSeconds <= 0)))
        return fail(QStringLiteral("closed model needs users >= 1 and requests per user or a duration"));
    if (s.model == LoadSettings::Model::Open && (s.arrivalRate <= 0 || s.durationSeconds <= 0))
        return fail(QStringLiteral("open model needs an arrival rate and a duration"));
    if (s.timeScale <= 0)
        return fail(QStringLiteral("time scale must be > 0"));

    const qint64 limit = raiseOpenFileLimit();
    const qint64 sockets = s.model == LoadSettings::Model::Closed ? s.users : s.maxConnections;
    if (limit > 0 && sockets + 64 > limit)
        return fail(QStringLiteral("%1 connections need more open files than the limit (%2)")
                        .arg(sockets)
                        .arg(limit));

    const int threads = s.naive ? 1 : std::clamp(s.threads, 1, 16);
    m_shared->tagBase = (quint64(std::random_device {}()) & 0xffffff) << 32;
    // The first sends are due a moment from now, so every thread is up before they are.
    m_startNs = TraceClock::nowNs() + 20'000'000;
    m_shared->startNs = m_startNs;
    m_lastTickNs = m_startNs;
    for (int i = 0; i < threads; ++i) {
        auto *thread = new QThread;
        thread->setObjectName(QStringLiteral("load-%1").arg(i));
        thread->setEventDispatcher(new EpollEventDispatcher); // thousands of sockets and timers
        auto *worker = new LoadWorker(i, threads, s, m_shared.get());
        worker->moveToThread(thread);
        connect(thread, &QThread::started, worker, &LoadWorker::run);
        connect(thread, &QThread::finished, worker, &QObject::deleteLater);
        connect(worker, &LoadWorker::done, this, &LoadGenerator::workerDone, Qt::QueuedConnection);
        m_threads.push_back(thread);
        m_workers.push_back(worker);
    }
    m_running = threads;
    for (QThread *t : m_threads)
        t->start();
    m_progressTimer->start();
    return true;
}

void LoadGenerator::stop()
{
    if (!m_running)
        return;
    for (LoadWorker *w : m_workers)
        QMetaObject::invokeMethod(w, &LoadWorker::stop, Qt::QueuedConnection);
}

void LoadGenerator::workerDone()
{
    if (--m_running > 0)
        return;
    m_endNs = TraceClock::nowNs();
    m_progressTimer->stop();
    tick();
    emit finished();
}

void LoadGenerator::tick()
{
    const LoadProgress p = progress();
    const qint64 now = TraceClock::nowNs();
    if (now > m_lastTickNs) {
        m_lastRate = double(p.done - m_lastDone) / (double(now - m_lastTickNs) / 1e9);
        m_lastDone = p.done;
        m_lastTickNs = now;
    }
    LoadProgress q = p;
    q.requestsPerSecond = m_lastRate;
    emit progressChanged(q);
}

LoadProgress LoadGenerator::progress() const
{
    LoadProgress p;
    p.done = m_shared->done.load(std::memory_order_relaxed);
    p.ok = m_shared->ok.load(std::memory_order_relaxed);
    p.errors = m_shared->errors.load(std::memory_order_relaxed);
    p.late = m_shared->late.load(std::memory_order_relaxed);
    p.inFlight = m_shared->inFlight.load(std::memory_order_relaxed);
    p.openSockets = m_shared->openSockets.load(std::memory_order_relaxed);
    p.total = quint64(m_settings.expectedRequests());
    const qint64 end = m_endNs ? m_endNs : TraceClock::nowNs();
    p.elapsedSeconds = m_startNs ? std::max(0.0, double(end - m_startNs) / 1e9) : 0;
    p.requestsPerSecond = m_lastRate;
    if (m_endNs)
        p.fraction = 1;
    else if (p.total)
        p.fraction = std::min(1.0, double(p.done) / double(p.total));
    else if (m_settings.durationSeconds > 0)
        p.fraction = std::min(1.0, p.elapsedSeconds / m_settings.scaled(m_settings.durationSeconds));
    return p;
}

QList<ClientRecord> LoadGenerator::snapshot() const
{
    QList<ClientRecord> all;
    for (LoadWorker *w : m_workers)
        all += w->snapshot();
    std::stable_sort(all.begin(), all.end(), [](const ClientRecord &a, const ClientRecord &b) {
        return a.intendedNs != b.intendedNs ? a.intendedNs < b.intendedNs : a.tag < b.tag;
    });
    return all;
}

double LoadGenerator::cpuSeconds() const
{
    return m_shared ? double(m_shared->cpuNs.load(std::memory_order_relaxed)) / 1e9 : 0.0;
}
