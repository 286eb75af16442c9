#include "pgconnection.h"

#include "base/traceclock.h"

#include <libpq-fe.h>
#include <poll.h>

namespace {

QString connectionError(pg_conn *conn)
{
    const QString text = QString::fromUtf8(PQerrorMessage(conn)).trimmed();
    // libpq reports one line per address it tried: the last one is the reason.
    const QStringList lines = text.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    return lines.isEmpty() ? QStringLiteral("cannot connect") : lines.last().trimmed();
}

pg_conn *startConnect(const QByteArray &conninfo, QString *error)
{
    const char *keys[] = { "dbname", "fallback_application_name", nullptr };
    const char *values[] = { conninfo.constData(), "loopscope", nullptr };
    pg_conn *conn = PQconnectStartParams(keys, values, /*expand_dbname=*/1);
    if (!conn) {
        *error = QStringLiteral("out of memory");
        return nullptr;
    }
    if (PQstatus(conn) == CONNECTION_BAD) {
        *error = connectionError(conn);
        PQfinish(conn);
        return nullptr;
    }
    return conn;
}

} // namespace

PgConnection::PgConnection(pg_conn *conn)
    : m_conn(conn)
{
    PQsetnonblocking(m_conn, 1);
}

PgConnection::~PgConnection()
{
    PQfinish(m_conn);
}

int PgConnection::socket() const
{
    return PQsocket(m_conn);
}

bool PgConnection::isBroken() const
{
    return m_broken || PQstatus(m_conn) != CONNECTION_OK;
}

bool PgConnection::isAliveWhenIdle()
{
    if (isBroken())
        return false;
    pollfd p { socket(), POLLIN, 0 };
    if (::poll(&p, 1, 0) > 0 && !PQconsumeInput(m_conn))
        m_broken = true;
    return !isBroken();
}

int PgConnection::serverVersion() const
{
    return PQserverVersion(m_conn);
}

PgConnection::Step PgConnection::connectStep(pg_conn *conn, QString *error)
{
    switch (PQconnectPoll(conn)) {
    case PGRES_POLLING_READING:
        return Step::Read;
    case PGRES_POLLING_WRITING:
        return Step::Write;
    case PGRES_POLLING_OK:
        return Step::Done;
    default:
        *error = connectionError(conn);
        return Step::Done;
    }
}

qint64 PgConnection::connectDeadline(pg_conn *conn, qint64 deadlineNs)
{
    // connect_timeout from the URI, the connection string or PGCONNECT_TIMEOUT (libpq's rules:
    // 0 or none waits without limit, less than 2 s counts as 2 s).
    int seconds = 0;
    PQconninfoOption *options = PQconninfo(conn);
    for (PQconninfoOption *o = options; o && o->keyword; ++o) {
        if (qstrcmp(o->keyword, "connect_timeout") == 0 && o->val)
            seconds = QByteArray(o->val).trimmed().toInt();
    }
    PQconninfoFree(options);
    if (seconds <= 0)
        return deadlineNs;
    return std::min(deadlineNs, TraceClock::nowNs() + std::max(seconds, 2) * 1'000'000'000LL);
}

PgConnection::Opened PgConnection::connect(const QByteArray &conninfo, qint64 deadlineNs,
                                           const std::stop_token &stop)
{
    Opened out;
    pg_conn *conn = startConnect(conninfo, &out.error);
    if (!conn)
        return out;
    deadlineNs = connectDeadline(conn, deadlineNs);
    // PQconnectPoll wants a first wait for writing (libpq's documented start).
    Step step = Step::Write;
    while (step != Step::Done) {
        if (!SocketWait::block(PQsocket(conn),
                               step == Step::Read ? SocketWait::Want::Read : SocketWait::Want::Write,
                               deadlineNs, stop)) {
            out.error = stop.stop_requested() ? QStringLiteral("cancelled")
                                              : QStringLiteral("timed out connecting");
            PQfinish(conn);
            return out;
        }
        step = connectStep(conn, &out.error);
    }
    if (!out.error.isEmpty()) {
        PQfinish(conn);
        return out;
    }
    out.connection.reset(new PgConnection(conn));
    return out;
}

QCoro::Task<PgConnection::Opened> PgConnection::connectAsync(QByteArray conninfo, qint64 deadlineNs)
{
    Opened out;
    pg_conn *conn = startConnect(conninfo, &out.error);
    if (!conn)
        co_return out;
    deadlineNs = connectDeadline(conn, deadlineNs);
    Step step = Step::Write;
    while (step != Step::Done) {
        // The socket may change between attempts (several hosts or addresses): ask each time.
        if (!co_await SocketWait::SocketReady(
                PQsocket(conn), step == Step::Read ? SocketWait::Want::Read : SocketWait::Want::Write,
                deadlineNs)) {
            out.error = QStringLiteral("timed out connecting");
            PQfinish(conn);
            co_return out;
        }
        step = connectStep(conn, &out.error);
    }
    if (!out.error.isEmpty()) {
        PQfinish(conn);
        co_return out;
    }
    out.connection.reset(new PgConnection(conn));
    co_return out;
}

bool PgConnection::send(const char *sql, const PgParams &params, PgResult *out)
{
    const std::vector<const char *> values = params.pointers();
    if (PQsendQueryParams(m_conn, sql, params.size(), nullptr, values.data(), nullptr, nullptr, 0) == 1)
        return true;
    m_broken = PQstatus(m_conn) != CONNECTION_OK;
    *out = PgResult::failure(connectionError(m_conn), m_broken);
    return false;
}

PgConnection::Step PgConnection::queryStep(PgResult *out)
{
    const int flushed = PQflush(m_conn);
    if (flushed < 0 || !PQconsumeInput(m_conn)) {
        m_broken = true;
        *out = PgResult::failure(connectionError(m_conn), true);
        return Step::Done;
    }
    if (flushed == 1)
        return Step::Write; // more to send; what arrived meanwhile was read above
    while (!PQisBusy(m_conn)) {
        pg_result *r = PQgetResult(m_conn);
        if (!r) {
            if (PQstatus(m_conn) != CONNECTION_OK) {
                m_broken = true;
                if (out->ok() || out->error().isEmpty())
                    *out = PgResult::failure(connectionError(m_conn), true);
            }
            return Step::Done;
        }
        out->take(r);
    }
    return Step::Read;
}

PgResult PgConnection::timedOut()
{
    // The statement may still run on the server: this connection is closed, not reused, and the
    // server ends the statement when it notices.
    m_broken = true;
    return PgResult::failure(QStringLiteral("the database did not answer in time"), true);
}

PgResult PgConnection::exec(const char *sql, const PgParams &params, qint64 deadlineNs)
{
    PgResult result;
    if (!send(sql, params, &result))
        return result;
    for (Step step = queryStep(&result); step != Step::Done; step = queryStep(&result)) {
        if (!SocketWait::block(
                socket(), step == Step::Read ? SocketWait::Want::Read : SocketWait::Want::Write, deadlineNs))
            return timedOut();
    }
    return result;
}

QCoro::Task<PgResult> PgConnection::execAsync(const char *sql, PgParams params, qint64 deadlineNs)
{
    PgResult result;
    if (!send(sql, params, &result))
        co_return result;
    for (Step step = queryStep(&result); step != Step::Done; step = queryStep(&result)) {
        if (!co_await SocketWait::SocketReady(
                socket(), step == Step::Read ? SocketWait::Want::Read : SocketWait::Want::Write, deadlineNs))
            co_return timedOut();
    }
    co_return result;
}
