#pragma once

#include <QString>
#include <array>
#include <memory>

struct sqlite3;
struct sqlite3_stmt;

// A prepared SQLite statement: bind, step, read columns, reset. Text goes in and out as UTF-16,
// which is what QString holds, so no conversion happens on the way.
class SqliteStatement
{
public:
    explicit SqliteStatement(sqlite3_stmt *statement = nullptr)
        : m_statement(statement)
    { }
    ~SqliteStatement();
    SqliteStatement(const SqliteStatement &) = delete;
    SqliteStatement &operator=(const SqliteStatement &) = delete;

    bool isValid() const { return m_statement != nullptr; }

    // Binds by reference: the string must stay alive until reset() (the statement's users keep
    // their arguments alive for the whole step; that saves a copy per value).
    void bind(int index, const QString &text);
    void bind(int index, qint64 value);
    void bindNull(int index);

    // One step: true while it yields a row. done() tells a finished statement from an error.
    bool next();
    bool done() const { return m_done; }
    // Runs a statement that yields no rows; false on error.
    bool run();
    void reset();

    QString text(int column) const;
    qint64 integer(int column) const;
    bool isNull(int column) const;

private:
    sqlite3_stmt *m_statement = nullptr;
    bool m_done = false;
};

// Resets a statement when the scope ends: a statement left mid-result keeps its read transaction
// open, and in WAL mode that holds back every checkpoint.
class StatementScope
{
public:
    explicit StatementScope(SqliteStatement &statement)
        : m_statement(statement)
    { }
    ~StatementScope() { m_statement.reset(); }
    StatementScope(const StatementScope &) = delete;
    StatementScope &operator=(const StatementScope &) = delete;

private:
    SqliteStatement &m_statement;
};

// One SQLite connection, used by one thread, with its hot statements prepared once.
class SqliteDb
{
public:
    SqliteDb() = default;
    ~SqliteDb();
    SqliteDb(const SqliteDb &) = delete;
    SqliteDb &operator=(const SqliteDb &) = delete;

    // Opens (and creates) the file in WAL mode. The connection is for the calling thread only.
    bool open(const QString &path, QString *error);
    bool isOpen() const { return m_db != nullptr; }

    bool exec(const char *sql, QString *error = nullptr);
    // The statement `key` (a small enum of the caller's), prepared on first use. Reset before
    // it is handed out. Null statement (isValid() false) when the SQL does not compile.
    SqliteStatement &statement(int key, const char *sql);
    // A statement for one use (not cached).
    std::unique_ptr<SqliteStatement> prepare(const QString &sql);

    QString lastError() const;
    int changes() const;
    sqlite3 *handle() const { return m_db; }

private:
    sqlite3 *m_db = nullptr;
    std::array<std::unique_ptr<SqliteStatement>, 32> m_statements {};
};
