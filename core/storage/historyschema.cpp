#include "historyschema.h"

#include "storage/sqlitedb.h"

#include <QString>

namespace HistorySchema {

namespace {

const char *const kSchema[] = {
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

} // namespace

bool apply(SqliteDb &db, QString *error)
{
    // A new database keeps its text as UTF-16, QString's own encoding: the history read on every
    // request then copies text instead of converting it (an existing file keeps its encoding).
    if (!db.exec("PRAGMA encoding = 'UTF-16le'", error))
        return false;
    for (const char *statement : kSchema) {
        if (!db.exec(statement, error))
            return false;
    }
    return true;
}

} // namespace HistorySchema
