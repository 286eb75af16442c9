#include "pgpool.h"

#include "base/traceclock.h"
#include "trace/servercounters.h"

#include <QObject>
#include <QTimer>
#include <chrono>

namespace {

// An object living on the calling thread, to resume that thread's coroutines with a queued call.
QObject *threadAnchor()
{
    thread_local std::unique_ptr<QObject> anchor(new QObject);
    return anchor.get();
}

} // namespace

// Someone in line for a connection: a blocked thread (cv) or a suspended coroutine (handle,
// resumed on its own thread through anchor).
struct PgPool::Waiter
{
    std::condition_variable *cv = nullptr;
    std::coroutine_handle<> handle;
    QObject *anchor = nullptr;
    bool done = false; // granted or given up; set under the pool's mutex
    bool granted = false;
    std::unique_ptr<PgConnection> connection;
};

PgPool::PgPool(QByteArray conninfo, int size, ServerCounters *counters)
    : m_conninfo(std::move(conninfo))
    , m_size(std::max(1, size))
    , m_counters(counters)
{
    if (m_counters)
        m_counters->dbPoolSize.store(m_size);
}

PgPool::~PgPool()
{
    if (m_counters) {
        m_counters->dbPoolSize.store(0);
        m_counters->dbBusy.store(0);
    }
}

void PgPool::setBusy(int busy)
{
    m_busy = busy;
    if (m_counters)
        m_counters->dbBusy.store(busy, std::memory_order_relaxed);
}

bool PgPool::grantLocked(std::unique_ptr<PgConnection> *connection)
{
    while (!m_idle.empty()) {
        std::unique_ptr<PgConnection> c = std::move(m_idle.back());
        m_idle.pop_back();
        // A connection the server closed while it sat idle (a restart) says so on its socket:
        // drop it here rather than fail the request that would use it next.
        if (c->isAliveWhenIdle()) {
            *connection = std::move(c);
            setBusy(m_busy + 1);
            return true;
        }
    }
    if (m_busy < m_size) {
        setBusy(m_busy + 1); // a slot: the caller opens the connection
        return true;
    }
    return false;
}

bool PgPool::fill(int count, qint64 deadlineNs, QString *error, const std::stop_token &stop)
{
    for (;;) {
        {
            std::lock_guard lock(m_mutex);
            if (int(m_idle.size()) + m_busy >= std::min(count, m_size))
                return true;
        }
        PgConnection::Opened opened = PgConnection::connect(m_conninfo, deadlineNs, stop);
        if (!opened.connection) {
            if (error)
                *error = opened.error;
            return false;
        }
        std::lock_guard lock(m_mutex);
        m_idle.push_back(std::move(opened.connection));
    }
}

PgPool::Lease PgPool::tryAcquire()
{
    std::lock_guard lock(m_mutex);
    std::unique_ptr<PgConnection> c;
    if (m_waiters.empty() && grantLocked(&c))
        return Lease(this, std::move(c));
    return {};
}

QString PgPool::waitedTooLong(qint64 waitedNs) const
{
    return QStringLiteral("no database connection became free in %1 s (pool of %2)")
        .arg(double(waitedNs) / 1e9, 0, 'f', 1)
        .arg(m_size);
}

PgPool::Lease PgPool::acquire(qint64 deadlineNs)
{
    const qint64 startNs = TraceClock::nowNs();
    std::unique_lock lock(m_mutex);
    std::unique_ptr<PgConnection> c;
    if (m_waiters.empty() && grantLocked(&c))
        return Lease(this, std::move(c));
    std::condition_variable cv;
    auto w = std::make_shared<Waiter>();
    w->cv = &cv;
    m_waiters.push_back(w);
    if (m_counters)
        m_counters->dbWaiting.fetch_add(1, std::memory_order_relaxed);
    cv.wait_for(lock, std::chrono::nanoseconds(std::max<qint64>(0, deadlineNs - startNs)),
                [&] { return w->done; });
    if (!w->done) {
        w->done = true;
        std::erase(m_waiters, w);
    }
    if (m_counters)
        m_counters->dbWaiting.fetch_sub(1, std::memory_order_relaxed);
    if (!w->granted)
        return Lease::refused(waitedTooLong(TraceClock::nowNs() - startNs));
    return Lease(this, std::move(w->connection));
}

// The coroutine's place in line: suspends unless a connection is free by then, and is resumed by
// giveBack() or by its deadline timer, both through a queued call on its own thread.
class PgPool::WaitInLine
{
public:
    WaitInLine(PgPool *pool, qint64 deadlineNs)
        : m_pool(pool)
        , m_deadlineNs(deadlineNs)
        , m_waiter(std::make_shared<Waiter>())
    { }
    // Copies share the place in line; only the one that suspends has a timer.
    WaitInLine(const WaitInLine &other)
        : WaitInLine(other.m_pool, other.m_deadlineNs)
    {
        m_waiter = other.m_waiter;
    }
    WaitInLine &operator=(const WaitInLine &) = delete;
    ~WaitInLine() { delete m_timer; }

    bool await_ready() const noexcept { return false; }
    bool await_suspend(std::coroutine_handle<> handle)
    {
        std::lock_guard lock(m_pool->m_mutex);
        if (m_pool->m_waiters.empty() && m_pool->grantLocked(&m_waiter->connection)) {
            m_waiter->done = m_waiter->granted = true;
            return false; // freed while we got here: no wait
        }
        m_waiter->handle = handle;
        m_waiter->anchor = threadAnchor();
        m_pool->m_waiters.push_back(m_waiter);
        if (m_pool->m_counters)
            m_pool->m_counters->dbWaiting.fetch_add(1, std::memory_order_relaxed);
        m_timer = new QTimer;
        m_timer->setSingleShot(true);
        QObject::connect(m_timer, &QTimer::timeout, m_timer, [pool = m_pool, w = m_waiter] {
            {
                std::lock_guard lock(pool->m_mutex);
                if (w->done)
                    return; // granted: its resume is already on its way
                w->done = true;
                std::erase(pool->m_waiters, w);
                if (pool->m_counters)
                    pool->m_counters->dbWaiting.fetch_sub(1, std::memory_order_relaxed);
            }
            QMetaObject::invokeMethod(
                w->anchor, [h = w->handle] { h.resume(); }, Qt::QueuedConnection);
        });
        const qint64 left = std::max<qint64>(0, m_deadlineNs - TraceClock::nowNs());
        m_timer->start(int(std::min<qint64>((left + 999'999) / 1'000'000, 24 * 3600 * 1000)));
        return true;
    }
    bool await_resume() { return m_waiter->granted; }
    std::unique_ptr<PgConnection> take() { return std::move(m_waiter->connection); }

private:
    PgPool *m_pool;
    qint64 m_deadlineNs;
    std::shared_ptr<Waiter> m_waiter;
    QTimer *m_timer = nullptr; // resumes through a queued call, so it is not emitting when deleted
};

QCoro::Task<PgPool::Lease> PgPool::acquireAsync(qint64 deadlineNs)
{
    const qint64 startNs = TraceClock::nowNs();
    WaitInLine line(this, deadlineNs);
    if (!co_await line)
        co_return Lease::refused(waitedTooLong(TraceClock::nowNs() - startNs));
    co_return Lease(this, line.take());
}

void PgPool::giveBack(std::unique_ptr<PgConnection> connection)
{
    if (connection && connection->isBroken())
        connection.reset(); // its slot opens a fresh one
    std::lock_guard lock(m_mutex);
    if (!m_waiters.empty()) {
        // The next in line takes this connection (or this slot) over: the busy count stays.
        std::shared_ptr<Waiter> w = std::move(m_waiters.front());
        m_waiters.pop_front();
        w->done = w->granted = true;
        w->connection = std::move(connection);
        if (m_counters)
            m_counters->dbWaiting.fetch_sub(1, std::memory_order_relaxed);
        if (w->cv)
            w->cv->notify_one();
        else
            QMetaObject::invokeMethod(
                w->anchor, [h = w->handle] { h.resume(); }, Qt::QueuedConnection);
        return;
    }
    if (connection)
        m_idle.push_back(std::move(connection));
    setBusy(m_busy - 1);
}

PgPool::Lease::Lease(PgPool *pool, std::unique_ptr<PgConnection> connection)
    : m_pool(pool)
    , m_connection(std::move(connection))
{ }

PgPool::Lease PgPool::Lease::refused(QString error)
{
    Lease l;
    l.m_error = std::move(error);
    return l;
}

PgPool::Lease::Lease(Lease &&other) noexcept
    : m_pool(std::exchange(other.m_pool, nullptr))
    , m_connection(std::move(other.m_connection))
    , m_error(std::move(other.m_error))
{ }

PgPool::Lease &PgPool::Lease::operator=(Lease &&other) noexcept
{
    if (this != &other) {
        giveBack();
        m_pool = std::exchange(other.m_pool, nullptr);
        m_connection = std::move(other.m_connection);
        m_error = std::move(other.m_error);
    }
    return *this;
}

PgPool::Lease::~Lease()
{
    giveBack();
}

void PgPool::Lease::giveBack()
{
    if (m_pool)
        std::exchange(m_pool, nullptr)->giveBack(std::move(m_connection));
}

bool PgPool::Lease::open(qint64 deadlineNs)
{
    if (!m_pool || m_connection)
        return m_pool != nullptr;
    PgConnection::Opened opened = PgConnection::connect(m_pool->m_conninfo, deadlineNs);
    m_connection = std::move(opened.connection);
    if (!m_connection) {
        m_error = opened.error;
        giveBack();
        return false;
    }
    return true;
}

QCoro::Task<bool> PgPool::Lease::openAsync(qint64 deadlineNs)
{
    if (!m_pool || m_connection)
        co_return m_pool != nullptr;
    PgConnection::Opened opened = co_await PgConnection::connectAsync(m_pool->m_conninfo, deadlineNs);
    m_connection = std::move(opened.connection);
    if (!m_connection) {
        m_error = opened.error;
        giveBack();
        co_return false;
    }
    co_return true;
}
