#include "postgressteps.h"

#include "base/traceclock.h"
#include "pipeline/requesttrace.h"
#include "pipeline/serverconfig.h"

namespace {

// Begins a span when there is a trace to record it in; ends it with the scope.
class OptionalSpan
{
public:
    OptionalSpan(RequestTrace *trace, Phase phase)
        : m_trace(trace)
        , m_slot(trace ? trace->beginSpan(phase) : -1)
    { }
    ~OptionalSpan() { end(); }
    void end()
    {
        if (m_trace)
            std::exchange(m_trace, nullptr)->endSpan(m_slot);
    }
    OptionalSpan(const OptionalSpan &) = delete;
    OptionalSpan &operator=(const OptionalSpan &) = delete;

private:
    RequestTrace *m_trace;
    int m_slot;
};

PgResult notConnected(const PgPool::Lease &lease)
{
    return PgResult::failure(lease.error(), true);
}

double seconds(const ServerConfig &config, double unscaled)
{
    return double(config.scaledNs(unscaled)) / 1e9;
}

} // namespace

PostgresSteps::PostgresSteps(std::shared_ptr<PgHistory> db)
    : m_db(std::move(db))
{ }

PgResult PostgresSteps::run(const PgQuery &query, double delaySeconds, RequestTrace *trace, Phase phase)
{
    PgPool &pool = m_db->pool();
    const qint64 timeout = m_db->timeoutNs();
    PgPool::Lease lease = pool.tryAcquire();
    if (!lease.granted()) {
        OptionalSpan wait(trace, Phase::DbPoolWait);
        lease = pool.acquire(TraceClock::nowNs() + timeout);
    }
    OptionalSpan span(trace, phase);
    const qint64 deadline = TraceClock::nowNs() + timeout + qint64(delaySeconds * 1e9);
    if (!lease.granted() || !lease.open(deadline))
        return notConnected(lease);
    return lease.connection()->exec(query.sql, query.params, deadline);
}

QCoro::Task<PgResult> PostgresSteps::runAsync(PgQuery query, double delaySeconds, RequestTrace *trace,
                                              Phase phase)
{
    PgPool &pool = m_db->pool();
    const qint64 timeout = m_db->timeoutNs();
    PgPool::Lease lease = pool.tryAcquire();
    if (!lease.granted()) {
        OptionalSpan wait(trace, Phase::DbPoolWait);
        lease = co_await pool.acquireAsync(TraceClock::nowNs() + timeout);
    }
    OptionalSpan span(trace, phase);
    const qint64 deadline = TraceClock::nowNs() + timeout + qint64(delaySeconds * 1e9);
    if (!lease.granted() || !co_await lease.openAsync(deadline))
        co_return notConnected(lease);
    co_return co_await lease.connection()->execAsync(query.sql, std::move(query.params), deadline);
}

std::optional<UserContext> PostgresSteps::loadContext(const QString &userId, const QString &sessionId,
                                                      const ServerConfig &config, RequestTrace *trace,
                                                      QString *error, const HistoryRewind &rewind)
{
    const double delay = seconds(config, config.dbReadSeconds);
    const PgResult r = run(PgHistory::contextQuery(userId, sessionId, config.historyMessages, delay, rewind),
                           delay, trace, Phase::DbRead);
    return PgHistory::readContext(r, userId, sessionId, error, rewind);
}

QString PostgresSteps::save(const Exchange &exchange, const ServerConfig &config, RequestTrace &trace)
{
    const double delay = seconds(config, config.dbWriteSeconds);
    return PgHistory::readSave(run(PgHistory::saveQuery(exchange, delay), delay, &trace, Phase::DbWrite));
}

QString PostgresSteps::insertAuditRow(const QString &userId, quint64 requestId, int index,
                                      const ServerConfig &config)
{
    const double delay = seconds(config, config.dbWriteSeconds);
    return PgHistory::describe(
        run(PgHistory::auditQuery(userId, requestId, index, delay), delay, nullptr, Phase::DbWrite));
}

QCoro::Task<std::optional<UserContext>> PostgresSteps::loadContextAsync(QString userId, QString sessionId,
                                                                        const ServerConfig &config,
                                                                        RequestTrace *trace, QString *error,
                                                                        HistoryRewind rewind)
{
    const double delay = seconds(config, config.dbReadSeconds);
    const PgResult r
        = co_await runAsync(PgHistory::contextQuery(userId, sessionId, config.historyMessages, delay, rewind),
                            delay, trace, Phase::DbRead);
    co_return PgHistory::readContext(r, userId, sessionId, error, rewind);
}

QCoro::Task<QString> PostgresSteps::saveAsync(Exchange exchange, const ServerConfig &config,
                                              RequestTrace &trace)
{
    const double delay = seconds(config, config.dbWriteSeconds);
    const PgResult r
        = co_await runAsync(PgHistory::saveQuery(exchange, delay), delay, &trace, Phase::DbWrite);
    co_return PgHistory::readSave(r);
}

QCoro::Task<QString> PostgresSteps::insertAuditRowAsync(QString userId, quint64 requestId, int index,
                                                        const ServerConfig &config)
{
    const double delay = seconds(config, config.dbWriteSeconds);
    const PgResult r = co_await runAsync(PgHistory::auditQuery(userId, requestId, index, delay), delay,
                                         nullptr, Phase::DbWrite);
    co_return PgHistory::describe(r);
}
