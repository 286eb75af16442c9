#pragma once

#include <QByteArray>
#include <QString>
#include <memory>
#include <vector>

struct pg_result;

// Query parameters as libpq takes them: text, or SQL NULL.
class PgParams
{
public:
    PgParams &operator<<(const QString &text);
    PgParams &operator<<(qint64 value);
    PgParams &operator<<(double value);
    PgParams &null();

    int size() const { return int(m_values.size()); }
    // Pointers into this object: valid while it lives and is not changed.
    std::vector<const char *> pointers() const;

private:
    std::vector<QByteArray> m_values;
    std::vector<bool> m_null;
};

// What one statement returned: its rows, or why it failed. `unavailable` tells a database that
// could not be reached (refused, gone, too slow) from a statement the database refused.
class PgResult
{
public:
    PgResult() = default;
    static PgResult failure(QString error, bool unavailable);
    void take(pg_result *result); // keeps the first error, else the last result

    bool ok() const { return m_error.isEmpty() && m_result; }
    bool unavailable() const { return m_unavailable; }
    QString error() const { return m_error; }
    QString sqlState() const { return m_sqlState; }

    int rows() const;
    QString text(int row, int column) const;
    qint64 integer(int row, int column) const;
    bool isNull(int row, int column) const;

private:
    struct Clear
    {
        void operator()(pg_result *r) const;
    };
    std::unique_ptr<pg_result, Clear> m_result;
    QString m_error;
    QString m_sqlState;
    bool m_unavailable = false;
};
