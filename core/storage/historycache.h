#pragma once

#include "storage/historystore.h"

#include <QHash>
#include <QList>
#include <QSet>
#include <QString>
#include <mutex>
#include <optional>

// What HistoryStore::loadContext last read of each conversation (and which users exist), so that
// step 1 of the pipeline reads memory instead of opening a SQLite read transaction per request.
//
// Coherent with the database because everything that changes it tells the cache after its commit
// and before anyone waiting on it resumes: the writer thread appends a committed exchange to its
// conversation's entry (read-your-writes), and every other change (regenerate, edit, settings,
// rename, delete, a failed commit) drops the entry, so the next read misses and reads SQLite.
//
// A miss fills the cache without a race against the writer: the reader leaves a ticket before it
// reads (begin()), a commit touching that conversation in the meantime tears the ticket up, and
// the reader's result is kept (fill()) only if its ticket survived. While a commit is under way
// (from before it until its entry is updated) no ticket is given for its conversation: a read
// then may or may not have seen the commit, and what it read is not kept.
//
// It assumes its HistoryStore is the only writer of the database file (the server's own history;
// another process writing the same file is not seen). Bounded: past MaxEntries conversations (or
// users) an arbitrary one is dropped; a conversation keeps as many messages as the read that filled
// it asked for (the server's history_messages), at most MaxMessages: a request that asks for more
// reads SQLite. Thread-safe.
class HistoryCache
{
public:
    static constexpr int MaxEntries = 4096;
    static constexpr int MaxMessages = 200;

    // The context, if the cache can answer for these arguments exactly as loadContext would.
    std::optional<UserContext> lookup(const QString &userId, const QString &sessionId, int maxMessages);

    // A miss: the reader is about to read SQLite. Returns the ticket for fill().
    quint64 begin(const QString &userId, const QString &sessionId);
    // What the reader read (with maxMessages as the limit), kept if the ticket is still good.
    void fill(quint64 ticket, const UserContext &context, int maxMessages);

    // The writer, around each commit: committing() before it (a read that starts now may or may
    // not see the commit, so it does not fill the cache), then appended() for an ordinary exchange
    // (no regenerate, edit or settings) that was stored, or drop() for any other, and
    // committed() once the cache knows.
    void committing(const QString &sessionId);
    void committed(const QString &sessionId);
    void appended(const Exchange &exchange);
    // Anything else changed this conversation (or a commit failed): forget it.
    void drop(const QString &sessionId);
    // A change made outside the writer (the conversation routes), for as long as it lives: the
    // conversation is not cached from before it begins until after it has committed.
    class Change
    {
    public:
        Change(HistoryCache *cache, const QString &sessionId);
        ~Change();
        Change(const Change &) = delete;
        Change &operator=(const Change &) = delete;

    private:
        HistoryCache *m_cache;
        QString m_sessionId;
    };
    // Statistics for tests and benchmarks.
    quint64 hits() const;
    quint64 misses() const;

private:
    struct Entry
    {
        quint64 ticket = 0; // != 0: a reader is filling it; not usable yet
        bool exists = false;
        QString owner;
        ConversationSettings settings; // the owner's
        QList<ChatMessage> history; // the newest active messages, oldest first, at most `limit`
        int limit = 0; // what the filling read asked for (<= MaxMessages): appends keep that many
        bool complete = false; // history holds every active message of the conversation
    };
    template<typename Map> static void makeRoom(Map &map);
    static void trim(Entry &e);

    mutable std::mutex m_mutex;
    QHash<QString, Entry> m_sessions;
    QHash<QString, int> m_changing; // conversations a Change or a commit is under way for
    QSet<QString> m_knownUsers; // users that exist (a user is never deleted, so this stays true)
    quint64 m_nextTicket = 1;
    quint64 m_hits = 0;
    quint64 m_misses = 0;
};
