#include "searchindex.h"

#include "storage/sqlitedb.h"

#include <QStringView>
#include <algorithm>
#include <limits>
#include <sqlite3.h>

namespace SearchIndex {

namespace {

void containsFolded(sqlite3_context *context, int, sqlite3_value **argv)
{
    const void *text = sqlite3_value_text16(argv[0]);
    const int textBytes = sqlite3_value_bytes16(argv[0]);
    const void *needle = sqlite3_value_text16(argv[1]);
    const int needleBytes = sqlite3_value_bytes16(argv[1]);
    if (!text || !needle) {
        sqlite3_result_int(context, 0);
        return;
    }
    const QStringView haystack(static_cast<const char16_t *>(text), textBytes / 2);
    const QStringView what(static_cast<const char16_t *>(needle), needleBytes / 2);
    sqlite3_result_int(context, haystack.contains(what, Qt::CaseInsensitive) ? 1 : 0);
}

qint64 scalar(SqliteDb &db, const char *sql, qint64 fallback, QString *error)
{
    const auto q = db.prepare(QString::fromLatin1(sql));
    if (q->next())
        return q->isNull(0) ? fallback : q->integer(0);
    if (error)
        *error = db.lastError();
    return -1;
}

} // namespace

bool registerFunctions(SqliteDb &db, QString *error)
{
    const int rc = sqlite3_create_function(db.handle(), "containsFolded", 2,
                                           SQLITE_UTF16 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nullptr,
                                           containsFolded, nullptr, nullptr);
    if (rc != SQLITE_OK && error)
        *error = db.lastError();
    return rc == SQLITE_OK;
}

qint64 indexedTo(SqliteDb &db, QString *error)
{
    return scalar(db, "SELECT indexed_to FROM search_index", -1, error);
}

bool hasTail(SqliteDb &db)
{
    return scalar(db,
                  "SELECT EXISTS(SELECT 1 FROM messages WHERE id > (SELECT indexed_to FROM search_index))", 0,
                  nullptr)
        > 0;
}

int indexBatch(SqliteDb &db, int maxMessages, QString *error)
{
    if (!db.exec("BEGIN IMMEDIATE", error))
        return -1;
    auto failed = [&] {
        if (error)
            *error = db.lastError();
        db.exec("ROLLBACK");
        return -1;
    };
    // Read inside the write transaction: another store on the same file may have indexed meanwhile.
    const qint64 from = indexedTo(db, error);
    if (from < 0)
        return failed();
    const auto last = db.prepare(
        QStringLiteral("SELECT MAX(id) FROM (SELECT id FROM messages WHERE id > ?1 ORDER BY id LIMIT ?2)"));
    last->bind(1, from);
    last->bind(2, qint64(maxMessages));
    if (!last->next())
        return failed();
    if (last->isNull(0)) {
        db.exec("ROLLBACK");
        return 0;
    }
    const qint64 to = last->integer(0);
    last->reset();
    // One statement for the whole batch: FTS5 collects the batch's terms in memory and writes
    // them as one segment at the commit.
    const auto insert
        = db.prepare(QStringLiteral("INSERT INTO messages_fts(rowid, content)"
                                    " SELECT id, content FROM messages WHERE id > ?1 AND id <= ?2"));
    insert->bind(1, from);
    insert->bind(2, to);
    if (!insert->run())
        return failed();
    const auto mark = db.prepare(QStringLiteral("UPDATE search_index SET indexed_to = ?1"));
    mark->bind(1, to);
    if (!mark->run() || !db.exec("COMMIT", error))
        return failed();
    return int(std::min<qint64>(to - from, std::numeric_limits<int>::max()));
}

QString matchCondition(bool indexable)
{
    if (!indexable)
        return QStringLiteral("containsFolded(m.content, ?4)");
    return QStringLiteral(
        "m.id IN (SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?1"
        " UNION ALL SELECT id FROM messages WHERE id > (SELECT indexed_to FROM search_index)"
        " AND containsFolded(content, ?4))");
}

bool indexable(const QString &needle)
{
    // Characters, not UTF-16 units: a trigram is three code points.
    qsizetype points = 0;
    for (qsizetype i = 0; i < needle.size() && points < 3; ++i) {
        if (!needle.at(i).isLowSurrogate())
            ++points;
    }
    return points >= 3;
}

} // namespace SearchIndex
