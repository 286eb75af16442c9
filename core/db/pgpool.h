#pragma once

#include "db/pgconnection.h"

#include <QByteArray>
#include <QString>
#include <condition_variable>
#include <coroutine>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

struct ServerCounters;

// A pool of PostgreSQL connections shared by every loop and pool thread of one server (asyncpg's
// create_pool(min_size=0, max_size=N); psycopg2's ThreadedConnectionPool, but waiting instead of
// raising when it is empty). Connections open on first need and are lent one request step at a
// time; when all N are lent, requests queue in arrival order. A broken connection is closed when
// it comes back, and its slot opens a fresh one for the next request: the pool reconnects by
// itself once the database is back.
//
// Counters (ServerCounters::dbBusy, dbPoolSize, dbWaiting) follow every change.
class PgPool
{
public:
    PgPool(QByteArray conninfo, int size, ServerCounters *counters);
    ~PgPool();
    PgPool(const PgPool &) = delete;
    PgPool &operator=(const PgPool &) = delete;

    int size() const { return m_size; }
    // Opens connections until the pool holds `count` (asyncpg's create_pool opens min_size, by
    // default all 10, before it returns): the first requests then find them ready. False, with
    // the reason, when one cannot be opened. `stop`: see SocketWait::block.
    bool fill(int count, qint64 deadlineNs, QString *error, const std::stop_token &stop = {});

    // One connection lent to one caller, or the right to open one (a free slot). Goes back to
    // the pool when it ends.
    class Lease
    {
    public:
        Lease() = default;
        Lease(Lease &&other) noexcept;
        Lease &operator=(Lease &&other) noexcept;
        ~Lease();

        bool granted() const { return m_pool != nullptr; }
        QString error() const { return m_error; } // why not granted, or why open failed
        PgConnection *connection() const { return m_connection.get(); }

        // Opens the connection of a slot lease (does nothing when it has one). On failure the
        // lease gives its slot back and error() says why.
        bool open(qint64 deadlineNs);
        QCoro::Task<bool> openAsync(qint64 deadlineNs);

    private:
        friend class PgPool;
        Lease(PgPool *pool, std::unique_ptr<PgConnection> connection);
        static Lease refused(QString error);
        void giveBack();

        PgPool *m_pool = nullptr;
        std::unique_ptr<PgConnection> m_connection;
        QString m_error;
    };

    // At once: an idle connection or a free slot, or nothing (granted() false, no error) when all
    // are lent or others already queue.
    Lease tryAcquire();
    // Waits in line until a connection is free: acquire() holds the calling thread,
    // acquireAsync() suspends the coroutine and frees its loop. Past the deadline: refused.
    Lease acquire(qint64 deadlineNs);
    QCoro::Task<Lease> acquireAsync(qint64 deadlineNs);

private:
    struct Waiter;
    class WaitInLine;
    // With m_mutex held: an idle, healthy connection or a free slot. false when none.
    bool grantLocked(std::unique_ptr<PgConnection> *connection);
    void giveBack(std::unique_ptr<PgConnection> connection);
    void setBusy(int busy);
    QString waitedTooLong(qint64 waitedNs) const;

    const QByteArray m_conninfo;
    const int m_size;
    ServerCounters *m_counters;
    std::mutex m_mutex;
    std::vector<std::unique_ptr<PgConnection>> m_idle;
    int m_busy = 0; // leases out (connections or slots)
    std::deque<std::shared_ptr<Waiter>> m_waiters;
};
