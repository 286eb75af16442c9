#pragma once

#include "db/pghistory.h"
#include "trace/requestrecord.h"

#include <QString>
#include <memory>
#include <optional>
#include <qcoro/qcorotask.h>

class RequestTrace;
struct ServerConfig;

// Steps (1) and (3) of the pipeline against PostgreSQL (--db postgresql://...), with the driver
// of the dispatch mode, each step one pooled connection and one round trip:
//
//   blocking  psycopg2 inside `async def`:  conn = pool.getconn(); cur.execute(...)   on the loop
//   executor  the same, in run_in_executor:                                         on a pool thread
//   async     asyncpg:  async with pool.acquire() as conn: await conn.fetchrow(...)  loop stays free
//
// The synchronous functions hold the calling thread while they wait for a connection and for the
// answer; the coroutines suspend and let the loop's epoll dispatcher watch the socket. Waiting for
// a connection is recorded as db_pool_wait, the round trip as the step's own phase.
// Errors: empty on success, else what HistoryStore would say (ForeignSession), or a text starting
// with PgHistory::Unavailable when the database could not be reached in time.
class PostgresSteps
{
public:
    explicit PostgresSteps(std::shared_ptr<PgHistory> db);
    PgHistory *history() const { return m_db.get(); }

    // trace may be null (the background prefetch records nothing).
    std::optional<UserContext> loadContext(const QString &userId, const QString &sessionId,
                                           const ServerConfig &config, RequestTrace *trace, QString *error,
                                           const HistoryRewind &rewind = {});
    QString save(const Exchange &exchange, const ServerConfig &config, RequestTrace &trace);
    // One row of the seeds' batched insert; recorded inside the caller's batch span.
    QString insertAuditRow(const QString &userId, quint64 requestId, int index, const ServerConfig &config);

    QCoro::Task<std::optional<UserContext>> loadContextAsync(QString userId, QString sessionId,
                                                             const ServerConfig &config, RequestTrace *trace,
                                                             QString *error, HistoryRewind rewind = {});
    QCoro::Task<QString> saveAsync(Exchange exchange, const ServerConfig &config, RequestTrace &trace);
    QCoro::Task<QString> insertAuditRowAsync(QString userId, quint64 requestId, int index,
                                             const ServerConfig &config);

private:
    // Borrow a connection (db_pool_wait while none is free), run the statement (`phase`), give
    // the connection back. No spans when trace is null.
    PgResult run(const PgQuery &query, double delaySeconds, RequestTrace *trace, Phase phase);
    QCoro::Task<PgResult> runAsync(PgQuery query, double delaySeconds, RequestTrace *trace, Phase phase);

    std::shared_ptr<PgHistory> m_db;
};
