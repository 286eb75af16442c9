#pragma once

#include "llm/llmbackend.h"

#include <QFuture>
#include <QJsonObject>
#include <QString>

#include <memory>
#include <optional>

struct ConversationInfo
{
    QString id;
    QString userId;
    QString title;
    qint64 createdMs = 0;
    qint64 updatedMs = 0;
    int messageCount = 0;
};

struct StoredMessage
{
    qint64 id = 0;
    QString role;
    QString content;
    qint64 createdMs = 0;
    quint64 requestId = 0;
    QJsonObject meta; // mode, worker, thread, ttft_ms, total_ms ...
};

// What step 1 of the pipeline loads: the user and the conversation so far.
struct UserContext
{
    QString userId;
    QString sessionId;
    bool knownUser = false;
    QList<ChatMessage> history; // oldest first, at most the requested number
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
};

// The conversation history in SQLite (WAL). Thread-safe: every thread gets its own connection for
// reads, opened on first use and closed when the thread ends.
//
// Writes of exchanges go through one writer thread with group commit: SQLite has a single writer
// anyway, so instead of many threads queueing on its lock (and paying a transaction each), the
// writer commits whatever exchanges are waiting in one transaction, each inside its own SAVEPOINT.
// An exchange is saved whole or not at all, so a failed request (or a full disk) never leaves half
// an exchange behind, and one bad exchange does not fail its neighbours.
class HistoryStore
{
public:
    explicit HistoryStore(QString path);
    ~HistoryStore();
    HistoryStore(const HistoryStore &) = delete;
    HistoryStore &operator=(const HistoryStore &) = delete;

    // Creates the folder and the schema. Call once before use.
    bool open(QString *error = nullptr);
    QString path() const { return m_path; }

    std::optional<UserContext> loadContext(const QString &userId, const QString &sessionId,
                                           int maxMessages, QString *error = nullptr);
    // Blocks the calling thread until the exchange is committed (the synchronous pipeline).
    bool saveExchange(const Exchange &exchange, QString *error = nullptr);
    // Returns at once; the future carries an empty string on success, else the error.
    QFuture<QString> saveExchangeAsync(const Exchange &exchange);
    // Test hook: caps the database size (PRAGMA max_page_count) to simulate a full disk.
    void setPageLimitForTesting(int pages);
    // Appends one row to the audit log (the seeds' batched-insert example).
    bool insertAuditRow(const QString &userId, quint64 requestId, int index, QString *error = nullptr);

    QList<ConversationInfo> conversations(const QString &userId = QString(), int limit = 500,
                                          QString *error = nullptr);
    std::optional<ConversationInfo> conversation(const QString &id, QString *error = nullptr);
    QList<StoredMessage> messages(const QString &conversationId, QString *error = nullptr);
    bool createConversation(const QString &id, const QString &userId, const QString &title,
                            QString *error = nullptr);
    bool renameConversation(const QString &id, const QString &title, QString *error = nullptr);
    bool deleteConversation(const QString &id, QString *error = nullptr);
    qint64 messageCount(QString *error = nullptr);

    static QString defaultPath(); // <app data>/history.sqlite

    class Connection; // one thread's SQLite connection (defined in the .cpp)

private:
    class Writer;
    Connection *connection(QString *error);

    const QString m_path;
    const quint64 m_storeId;
    std::unique_ptr<Writer> m_writer;
};
