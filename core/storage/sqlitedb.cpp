#include "sqlitedb.h"

#include <sqlite3.h>

SqliteStatement::~SqliteStatement()
{
    sqlite3_finalize(m_statement);
}

void SqliteStatement::bind(int index, const QString &text)
{
    sqlite3_bind_text16(m_statement, index, text.utf16(), int(text.size() * sizeof(char16_t)), SQLITE_STATIC);
}

void SqliteStatement::bind(int index, qint64 value)
{
    sqlite3_bind_int64(m_statement, index, value);
}

void SqliteStatement::bindNull(int index)
{
    sqlite3_bind_null(m_statement, index);
}

bool SqliteStatement::next()
{
    const int rc = sqlite3_step(m_statement);
    m_done = rc == SQLITE_DONE;
    return rc == SQLITE_ROW;
}

bool SqliteStatement::run()
{
    while (next()) { }
    return m_done;
}

void SqliteStatement::reset()
{
    sqlite3_reset(m_statement);
    sqlite3_clear_bindings(m_statement);
    m_done = false;
}

QString SqliteStatement::text(int column) const
{
    const void *data = sqlite3_column_text16(m_statement, column);
    if (!data)
        return {};
    return QString(static_cast<const QChar *>(data), sqlite3_column_bytes16(m_statement, column) / 2);
}

qint64 SqliteStatement::integer(int column) const
{
    return sqlite3_column_int64(m_statement, column);
}

bool SqliteStatement::isNull(int column) const
{
    return sqlite3_column_type(m_statement, column) == SQLITE_NULL;
}

SqliteDb::~SqliteDb()
{
    for (auto &s : m_statements)
        s.reset(); // statements first: a connection with live statements does not close
    sqlite3_close_v2(m_db);
}

bool SqliteDb::open(const QString &path, QString *error)
{
    sqlite3 *db = nullptr;
    const int rc = sqlite3_open_v2(path.toUtf8().constData(), &db,
                                   SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        if (error)
            *error = QString::fromUtf8(db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close_v2(db);
        return false;
    }
    m_db = db;
    sqlite3_busy_timeout(m_db, 10000);
    // WAL: readers never wait for the writer. synchronous=NORMAL: a commit is in the WAL file
    // before the call returns, so it survives the process being killed (not a power cut).
    // No memory map (mmap_size): a reader re-maps the file every time another connection has
    // changed it, which cost more system time than the pread() calls it saves (measured).
    if (!exec("PRAGMA journal_mode=WAL", error) || !exec("PRAGMA synchronous=NORMAL", error)
        || !exec("PRAGMA foreign_keys=ON", error)) {
        sqlite3_close_v2(m_db);
        m_db = nullptr;
        return false;
    }
    return true;
}

bool SqliteDb::exec(const char *sql, QString *error)
{
    char *message = nullptr;
    if (sqlite3_exec(m_db, sql, nullptr, nullptr, &message) == SQLITE_OK)
        return true;
    if (error)
        *error = QString::fromUtf8(message ? message : sqlite3_errmsg(m_db));
    sqlite3_free(message);
    return false;
}

SqliteStatement &SqliteDb::statement(int key, const char *sql)
{
    std::unique_ptr<SqliteStatement> &s = m_statements.at(size_t(key));
    if (!s) {
        sqlite3_stmt *statement = nullptr;
        sqlite3_prepare_v3(m_db, sql, -1, SQLITE_PREPARE_PERSISTENT, &statement, nullptr);
        s = std::make_unique<SqliteStatement>(statement);
    } else {
        s->reset();
    }
    return *s;
}

std::unique_ptr<SqliteStatement> SqliteDb::prepare(const QString &sql)
{
    sqlite3_stmt *statement = nullptr;
    sqlite3_prepare16_v2(m_db, sql.utf16(), int(sql.size() * sizeof(char16_t)), &statement, nullptr);
    return std::make_unique<SqliteStatement>(statement);
}

QString SqliteDb::lastError() const
{
    return QString::fromUtf8(sqlite3_errmsg(m_db));
}

int SqliteDb::changes() const
{
    return sqlite3_changes(m_db);
}
