#pragma once

class SqliteDb;
class QString;

// The history database's tables: created in a new file, brought up to date in an existing one.
namespace HistorySchema {

// Creates what is missing. False with a message on failure.
bool apply(SqliteDb &db, QString *error);

} // namespace HistorySchema
