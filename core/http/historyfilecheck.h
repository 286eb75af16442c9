#pragma once

#include <QString>

// Before the server takes a history database: is it LoopScope's, and can it be written?
// A file given with --db may be anything: someone else's SQLite database (LoopScope would add its
// tables to it), not SQLite at all, or read-only (every exchange would then fail with a 500).
// Each gets a clear message at start instead. A missing file is fine: it is created.
namespace HistoryFileCheck {

bool check(const QString &path, QString *error);

} // namespace HistoryFileCheck
