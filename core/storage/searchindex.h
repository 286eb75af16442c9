#pragma once

#include <QString>

class SqliteDb;

// The chat search's index, written lazily (schema version 2, storage/historyschema.cpp).
//
// Messages are inserted without touching the FTS5 table: a trigger per insert made FTS5 write an
// index segment per message and merge them again, several times the CPU of the rest of the save.
// The history writer instead indexes the messages after search_index.indexed_to in batches
// (indexBatch), when it has been idle for a moment or the unindexed tail has grown long
// (TailLimit). A burst of exchanges is saved without indexing; the index catches up after it.
//
// A search reads one snapshot: messages up to indexed_to through the trigram index, the tail
// row by row with the same matching rule (containsFolded), so what it finds does not depend on
// how far the indexing has got.
namespace SearchIndex {

// The most messages one indexing transaction takes. Larger batches cost less per message
// (FTS5 writes one segment per transaction) but hold the writer from the next exchanges longer.
inline constexpr int BatchMessages = 1024;

// While exchanges keep coming, the writer indexes only once this many messages are unindexed
// (a batch at a time, after a commit): a search scans at most about this many messages row by
// row (~2 µs each here). Below it, indexing waits for the writer's next quiet moment.
inline constexpr int TailLimit = 16 * BatchMessages;

// Registers containsFolded(text, needle) on a connection: 1 when `needle` occurs in `text`,
// ignoring case the way the trigram tokenizer does (simple Unicode case folding).
bool registerFunctions(SqliteDb &db, QString *error = nullptr);

// The id of the newest message in the index (-1 on error).
qint64 indexedTo(SqliteDb &db, QString *error = nullptr);

// Whether some message is not in the index yet.
bool hasTail(SqliteDb &db);

// Indexes up to `maxMessages` of the oldest unindexed messages in one transaction (the caller
// must not be inside one). Returns how many message ids it moved past (0: the index is complete),
// or -1 on error (nothing changed).
int indexBatch(SqliteDb &db, int maxMessages = BatchMessages, QString *error = nullptr);

// The SQL condition "message m contains the needle", for a search's WHERE clause: ?1 is the
// FTS5 phrase, ?4 the raw needle. `indexable` is false for needles of fewer than three characters
// (the trigram index cannot answer them): then every message is scanned.
QString matchCondition(bool indexable);

// True when the trigram index can answer `needle` (three characters or more).
bool indexable(const QString &needle);

} // namespace SearchIndex
