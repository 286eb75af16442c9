#pragma once

#include <QStringList>

class SqliteDb;
class QString;

// The history database's tables. A new file gets the tables of LoopScope 0.2.0 and then every
// migration after them, so a new file and an upgraded 0.2.0 file take the same path. The
// version is SQLite's user_version (0.2.0 left it at 0).
namespace HistorySchema {

// 1: conversations.settings (system prompt and model settings), messages.active and alt_of
//    (regenerated answers kept as alternatives), messages_fts (search).
// 2: search_index (how far messages_fts reaches); the index is written in batches by the history
//    writer instead of by a trigger per message.
inline constexpr int Version = 2;

// Creates what is missing and migrates an older file, in one transaction. False with a message
// on failure, and for a file written by a newer LoopScope (it is left as it is).
bool apply(SqliteDb &db, QString *error);

// Every table the schema creates, SQLite's and FTS5's own included: a file with any other table
// belongs to someone else.
QStringList tables();

} // namespace HistorySchema
