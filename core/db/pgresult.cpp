#include "pgresult.h"

#include <libpq-fe.h>

PgParams &PgParams::operator<<(const QString &text)
{
    m_values.push_back(text.toUtf8());
    m_null.push_back(false);
    return *this;
}

PgParams &PgParams::operator<<(qint64 value)
{
    m_values.push_back(QByteArray::number(value));
    m_null.push_back(false);
    return *this;
}

PgParams &PgParams::operator<<(double value)
{
    m_values.push_back(QByteArray::number(value, 'f', 6));
    m_null.push_back(false);
    return *this;
}

PgParams &PgParams::null()
{
    m_values.emplace_back();
    m_null.push_back(true);
    return *this;
}

std::vector<const char *> PgParams::pointers() const
{
    std::vector<const char *> out(m_values.size());
    for (size_t i = 0; i < m_values.size(); ++i)
        out[i] = m_null[i] ? nullptr : m_values[i].constData();
    return out;
}

void PgResult::Clear::operator()(pg_result *r) const
{
    PQclear(r);
}

PgResult PgResult::failure(QString error, bool unavailable)
{
    PgResult r;
    r.m_error = error.trimmed().isEmpty() ? QStringLiteral("database error") : error.trimmed();
    r.m_unavailable = unavailable;
    return r;
}

void PgResult::take(pg_result *result)
{
    const ExecStatusType status = PQresultStatus(result);
    const bool failed = status == PGRES_BAD_RESPONSE || status == PGRES_NONFATAL_ERROR
        || status == PGRES_FATAL_ERROR || status == PGRES_PIPELINE_ABORTED;
    if (!m_error.isEmpty()) {
        PQclear(result);
        return;
    }
    if (failed) {
        m_error = QString::fromUtf8(PQresultErrorMessage(result)).trimmed();
        m_sqlState = QString::fromLatin1(PQresultErrorField(result, PG_DIAG_SQLSTATE));
        // Class 08 (connection exception) and 57P01-57P03 (the server shutting down or starting):
        // the database is not there, whatever the statement.
        m_unavailable
            = m_sqlState.startsWith(QLatin1String("08")) || m_sqlState.startsWith(QLatin1String("57P"));
        if (m_error.isEmpty())
            m_error = QStringLiteral("database error");
        m_result.reset();
        PQclear(result);
        return;
    }
    m_result.reset(result);
}

int PgResult::rows() const
{
    return m_result ? PQntuples(m_result.get()) : 0;
}

QString PgResult::text(int row, int column) const
{
    return QString::fromUtf8(PQgetvalue(m_result.get(), row, column),
                             PQgetlength(m_result.get(), row, column));
}

qint64 PgResult::integer(int row, int column) const
{
    return QByteArray::fromRawData(PQgetvalue(m_result.get(), row, column),
                                   PQgetlength(m_result.get(), row, column))
        .toLongLong();
}

bool PgResult::isNull(int row, int column) const
{
    return PQgetisnull(m_result.get(), row, column) != 0;
}
