#pragma once

#include "storage/historystore.h"
#include "storage/sqlitedb.h"

// One thread's SQLite connection to a history database (HistoryStore::connection() hands them
// out, one per thread and store), and the keys of the statements prepared once per connection:
// the hot ones of the pipeline (parsing SQL again for each request costs more than running it).
class HistoryStore::Connection : public SqliteDb
{
};

namespace HistoryStatement {
enum Key {
    LoadUser,
    LoadOwner,
    LoadHistory,
    UpsertUser,
    UpsertConversation,
    TouchConversation,
    InsertMessage,
    InsertAudit,
    Begin,
    BeginRead,
    Commit,
    Rollback,
    Savepoint,
    Release,
    RollbackTo,
};
} // namespace HistoryStatement
