#include "historyschema.h"

#include "storage/sqlitedb.h"

#include <QString>

namespace HistorySchema {

namespace {

// The tables as LoopScope 0.2.0 created them (do not change: migrations start from here).
const char *const kVersion0[] = {
    "CREATE TABLE IF NOT EXISTS users ("
    " user_id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, requests INTEGER NOT NULL DEFAULT 0)",
    "CREATE TABLE IF NOT EXISTS conversations ("
    " id TEXT PRIMARY KEY, user_id TEXT NOT NULL, title TEXT NOT NULL,"
    " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS conversations_by_user ON conversations(user_id, updated_at)",
    "CREATE TABLE IF NOT EXISTS messages ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,"
    " role TEXT NOT NULL, content TEXT NOT NULL, created_at INTEGER NOT NULL,"
    " request_id INTEGER, meta TEXT)",
    "CREATE INDEX IF NOT EXISTS messages_by_conversation ON messages(conversation_id, id)",
    "CREATE TABLE IF NOT EXISTS audit_log ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, user_id TEXT, request_id INTEGER, item INTEGER,"
    " created_at INTEGER NOT NULL)",
};

// 0 -> 1. The trigram tokenizer finds any substring of three characters or more, in any
// script (Chinese has no spaces between words for a word tokenizer to split on).
const char *const kVersion1[] = {
    "ALTER TABLE conversations ADD COLUMN settings TEXT",
    "ALTER TABLE messages ADD COLUMN active INTEGER NOT NULL DEFAULT 1",
    "ALTER TABLE messages ADD COLUMN alt_of INTEGER",
    "CREATE VIRTUAL TABLE messages_fts USING fts5("
    " content, content='messages', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN"
    " INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content); END",
    "CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN"
    " INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, old.content); END",
    "CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages BEGIN"
    " INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, old.content);"
    " INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content); END",
    "INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')",
};

// 1 -> 2. The search index is written by the history writer's indexing pass in large batches
// (storage/searchindex.h), not by a trigger per inserted message: FTS5 writes an index segment
// per statement that way, several times the CPU of the rest of an exchange's save. Messages up to
// search_index.indexed_to are in messages_fts; newer ones (the tail) are searched row by row. Deleting or
// changing a message touches the index only when the message is in it.
const char *const kVersion2[] = {
    "DROP TRIGGER messages_fts_insert",
    "DROP TRIGGER messages_fts_delete",
    "DROP TRIGGER messages_fts_update",
    "CREATE TABLE search_index (id INTEGER PRIMARY KEY CHECK (id = 1), indexed_to INTEGER NOT NULL)",
    "INSERT INTO search_index VALUES (1, COALESCE((SELECT MAX(id) FROM messages), 0))",
    "CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages"
    " WHEN old.id <= (SELECT indexed_to FROM search_index) BEGIN"
    " INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, old.content); END",
    "CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages"
    " WHEN old.id <= (SELECT indexed_to FROM search_index) BEGIN"
    " INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, old.content);"
    " INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content); END",
};

int userVersion(SqliteDb &db)
{
    const auto q = db.prepare(QStringLiteral("PRAGMA user_version"));
    return q && q->next() ? int(q->integer(0)) : -1;
}

} // namespace

bool apply(SqliteDb &db, QString *error)
{
    // A new database keeps its text as UTF-16, QString's own encoding: the history read on every
    // request then copies text instead of converting it (an existing file keeps its encoding).
    if (!db.exec("PRAGMA encoding = 'UTF-16le'", error))
        return false;
    // One writer at a time: two processes opening one new file migrate it once.
    if (!db.exec("BEGIN IMMEDIATE", error))
        return false;
    auto failed = [&] {
        db.exec("ROLLBACK");
        return false;
    };
    const int version = userVersion(db);
    if (version < 0) {
        if (error)
            *error = db.lastError();
        return failed();
    }
    if (version > Version) {
        if (error)
            *error = QStringLiteral("the history database was written by a newer LoopScope (schema %1; "
                                    "this one knows up to %2)")
                         .arg(version)
                         .arg(Version);
        return failed();
    }
    for (const char *statement : kVersion0) {
        if (!db.exec(statement, error))
            return failed();
    }
    if (version < 1) {
        for (const char *statement : kVersion1) {
            if (!db.exec(statement, error))
                return failed();
        }
    }
    if (version < 2) {
        for (const char *statement : kVersion2) {
            if (!db.exec(statement, error))
                return failed();
        }
    }
    if (version < Version
        && !db.exec(QStringLiteral("PRAGMA user_version = %1").arg(Version).toUtf8().constData(), error))
        return failed();
    if (!db.exec("COMMIT", error))
        return failed();
    return true;
}

QStringList tables()
{
    return { QStringLiteral("users"),
             QStringLiteral("conversations"),
             QStringLiteral("messages"),
             QStringLiteral("audit_log"),
             QStringLiteral("messages_fts"),
             QStringLiteral("messages_fts_data"),
             QStringLiteral("messages_fts_idx"),
             QStringLiteral("messages_fts_docsize"),
             QStringLiteral("messages_fts_config"),
             QStringLiteral("search_index"),
             QStringLiteral("sqlite_sequence") };
}

} // namespace HistorySchema
