#pragma once

#include "base/chatmessage.h"
#include "storage/historyqueries.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <coroutine>
#include <memory>
#include <mutex>
#include <optional>

class HistoryCache;

// What step 1 of the pipeline loads: the user and the conversation so far.
struct UserContext
{
    QString userId;
    QString sessionId;
    bool knownUser = false;
    bool sessionExists = false;
    QString sessionOwner; // the user who started the conversation (when it exists)
    QList<ChatMessage> history; // oldest first, at most the requested number (only the owner's)
    ConversationSettings settings; // the conversation's own (only the owner's)
    QString resentMessage; // with HistoryRewind: the user message answered again
    QString rewindError; // with HistoryRewind: why there is nothing to rewind to

    // A conversation belongs to the user who started it; anyone else is told it does not exist.
    bool sessionBelongsToOthers() const { return sessionExists && sessionOwner != userId; }
};

// One user message and the assistant's answer, saved together or not at all.
struct Exchange
{
    QString userId;
    QString sessionId;
    QString userMessage;
    QString assistantMessage;
    quint64 requestId = 0;
    QJsonObject meta;
    std::optional<ConversationSettings> settings; // stored with the conversation when set
    bool regenerate = false; // a new answer to the last user message, the old ones kept as alternatives
    qint64 truncateFrom = 0; // > 0: that message and everything after it are deleted first
};

// The conversation history in SQLite (WAL), through SQLite's own C API with the hot statements
// prepared once per connection. Thread-safe: every thread gets its own connection for reads,
// opened on first use and closed when the thread ends.
//
// Writes of exchanges go through one writer thread with group commit: SQLite has a single writer
// anyway, so instead of many threads queueing on its lock (and paying a transaction each), the
// writer commits whatever exchanges are waiting in one transaction (storage/historywriter.h).
// An exchange is saved whole or not at all, so a failed request (or a full disk) never leaves half
// an exchange behind, and one bad exchange does not fail its neighbours.
class HistoryStore : public HistoryQueries
{
public:
    explicit HistoryStore(QString path);
    ~HistoryStore() override;
    HistoryStore(const HistoryStore &) = delete;
    HistoryStore &operator=(const HistoryStore &) = delete;

    // Creates the folder and the schema. Call once before use.
    bool open(QString *error = nullptr);
    QString path() const { return m_path; }

    // Served from the HistoryCache when it can answer (a rewind always reads SQLite).
    std::optional<UserContext> loadContext(const QString &userId, const QString &sessionId, int maxMessages,
                                           QString *error = nullptr, const HistoryRewind &rewind = {});
    HistoryCache *cache() const { return m_cache.get(); }
    // The error an exchange gets when its session belongs to another user (nothing is written).
    static const QString ForeignSession;

    // Blocks the calling thread until the exchange is committed (the synchronous pipeline).
    bool saveExchange(const Exchange &exchange, QString *error = nullptr);

    // `co_await store->save(exchange)` on a thread with an event loop: suspends until the
    // exchange is committed and yields an empty string on success, else the error. The loop
    // hands the writer everything saved during one pass of the loop at once, and the writer
    // resumes all of one loop's waiters with a single queued call after its commit: no thread
    // wake-up and no QFutureWatcher per request.
    class SaveAwaiter
    {
    public:
        SaveAwaiter(HistoryStore *store, Exchange exchange)
            : m_store(store)
            , m_exchange(std::move(exchange))
        { }
        bool await_ready() const noexcept { return false; }
        void await_suspend(std::coroutine_handle<> handle);
        QString await_resume() { return std::move(m_result); }

    private:
        HistoryStore *m_store;
        Exchange m_exchange;
        QString m_result;
    };
    SaveAwaiter save(Exchange exchange) { return SaveAwaiter(this, std::move(exchange)); }
    // Test hook: caps the database size (PRAGMA max_page_count) to simulate a full disk.
    void setPageLimitForTesting(int pages);
    // Test hook: while held, the writer leaves new messages out of the search index (a search
    // still finds them, row by row). Let go, it indexes them at its next quiet moment.
    void holdSearchIndexingForTesting(bool held);
    // The id of the newest message in the search index (-1 on error; storage/searchindex.h).
    qint64 searchIndexedTo(QString *error = nullptr);
    // Appends one row to the audit log (the seeds' batched-insert example).
    bool insertAuditRow(const QString &userId, quint64 requestId, int index, QString *error = nullptr);

    QList<ConversationInfo> conversations(const QString &userId = QString(), int limit = 500,
                                          QString *error = nullptr) override;
    std::optional<ConversationInfo> conversation(const QString &id, QString *error = nullptr) override;
    QList<StoredMessage> messages(const QString &conversationId, QString *error = nullptr) override;
    bool createConversation(const QString &id, const QString &userId, const QString &title,
                            QString *error = nullptr) override;
    bool renameConversation(const QString &id, const QString &title, QString *error = nullptr) override;
    bool deleteConversation(const QString &id, QString *error = nullptr) override;
    bool setSettings(const QString &id, const ConversationSettings &settings,
                     QString *error = nullptr) override;
    bool activateAlternative(const QString &conversationId, qint64 messageId,
                             QString *error = nullptr) override;
    qint64 messageCount(QString *error = nullptr) override;
    QList<SearchHit> search(const QString &text, const QString &userId = QString(), int limit = 50,
                            QString *error = nullptr) override;
    // What this store keeps of messages that an edit replaces: nothing (they are deleted).
    static constexpr bool KeepsReplacedMessages = false;

    static QString defaultPath(); // <app data>/history.sqlite

    // The first `n` UTF-16 units of `text`, one fewer when that would cut a surrogate pair in
    // half (a lone half is not text: SQLite would store a replacement character).
    static QString clip(const QString &text, qsizetype n)
    {
        if (text.size() <= n)
            return text;
        return text.left(n > 0 && text.at(n - 1).isHighSurrogate() ? n - 1 : n);
    }

    class Connection; // one thread's SQLite connection (defined in the .cpp)

private:
    class Writer;
    class LoopBatch;
    struct Pending;
    Connection *connection(QString *error);
    Writer *writer();
    std::optional<UserContext> readContext(const QString &userId, const QString &sessionId, int maxMessages,
                                           QString *error, const HistoryRewind &rewind);

    const QString m_path;
    const quint64 m_storeId;
    const std::unique_ptr<HistoryCache> m_cache;
    std::once_flag m_writerStarted;
    std::unique_ptr<Writer> m_writer;
};
