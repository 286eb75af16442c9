#pragma once

#include "db/pgresult.h"
#include "db/socketwait.h"

#include <QByteArray>
#include <QString>
#include <memory>
#include <qcoro/qcorotask.h>

struct pg_conn;

// One connection to PostgreSQL through libpq, used by one thread at a time (the pool hands it
// out). Every call has an absolute TraceClock deadline: a database that is gone or stuck gives an
// error in time instead of a thread or a coroutine waiting for ever.
//
// The two drivers share the protocol steps (PQsendQueryParams, PQflush, PQconsumeInput, PQisBusy,
// PQgetResult) and differ only in how they wait for the socket (db/socketwait.h):
// - exec() and connect() hold the calling thread until the answer is in, as psycopg2 does;
// - execAsync() and connectAsync() suspend the coroutine and let the loop's epoll dispatcher
//   watch the socket, as asyncpg does.
class PgConnection
{
public:
    ~PgConnection();
    PgConnection(const PgConnection &) = delete;
    PgConnection &operator=(const PgConnection &) = delete;

    struct Opened
    {
        std::unique_ptr<PgConnection> connection;
        QString error; // when connection is null
    };
    // The connect ends at deadlineNs, or earlier at the conninfo's connect_timeout (libpq leaves
    // that to the caller of PQconnectPoll; here it bounds the whole connect). `stop`: see
    // SocketWait::block.
    static Opened connect(const QByteArray &conninfo, qint64 deadlineNs, const std::stop_token &stop = {});
    static QCoro::Task<Opened> connectAsync(QByteArray conninfo, qint64 deadlineNs);

    PgResult exec(const char *sql, const PgParams &params, qint64 deadlineNs);
    QCoro::Task<PgResult> execAsync(const char *sql, PgParams params, qint64 deadlineNs);

    // The connection failed or timed out: it must not be used again (the pool closes it).
    bool isBroken() const;
    // For a connection that sat idle in the pool: false when the server has closed it meanwhile
    // (a restart or a shutdown leaves a message and EOF on the socket).
    bool isAliveWhenIdle();
    int serverVersion() const;

private:
    explicit PgConnection(pg_conn *conn);
    enum class Step : quint8 { Done, Read, Write };
    // Connecting: the next thing to wait for, Done when open; error set when it failed.
    static Step connectStep(pg_conn *conn, QString *error);
    static qint64 connectDeadline(pg_conn *conn, qint64 deadlineNs);
    // Querying: sends what is queued, reads what arrived, collects results into `out`.
    Step queryStep(PgResult *out);
    bool send(const char *sql, const PgParams &params, PgResult *out);
    PgResult timedOut();
    int socket() const;

    pg_conn *m_conn;
    bool m_broken = false;
};
