#pragma once

#include "base/conversationsettings.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <optional>

struct ConversationInfo
{
    QString id;
    QString userId;
    QString title;
    qint64 createdMs = 0;
    qint64 updatedMs = 0;
    int messageCount = 0;
    ConversationSettings settings;
};

struct StoredMessage
{
    qint64 id = 0;
    QString role;
    QString content;
    qint64 createdMs = 0;
    quint64 requestId = 0;
    QJsonObject meta; // mode, worker, thread, ttft_ms, total_ms ...
    bool active = true; // false: an answer that was regenerated (kept as an alternative)
    qint64 alternativeOf = 0; // the first answer of its group of alternatives; 0: none
};

// A message or a title that matched a search.
struct SearchHit
{
    QString conversationId;
    QString title;
    qint64 messageId = 0; // 0: the title matched
    QString role;
    QString snippet; // the matching text with some context, on one line
};

// Which part of the stored conversation a request replaces (step 1 loads what comes before it).
struct HistoryRewind
{
    qint64 fromMessageId = 0; // edit and resend: this user message and everything after it
    bool lastTurn = false; // regenerate: the answer to the last user message
};

// The text helpers both stores' searches share (storage/conversationqueries.cpp).
namespace HistoryText {
// `text` with up to `context` characters either side of its first match of `needle`, on one line.
QString snippetAround(const QString &text, const QString &needle, int context = 40);
// A LIKE pattern (escape character '\\') that matches `text` literally.
QString likePattern(QString text);
} // namespace HistoryText

// The conversation queries of the HTTP API (and so of the chat window), whichever database keeps
// the history: the SQLite file (storage/historystore.h) or a PostgreSQL server (db/pghistory.h).
class HistoryQueries
{
public:
    virtual ~HistoryQueries() = default;

    virtual QList<ConversationInfo> conversations(const QString &userId = QString(), int limit = 500,
                                                  QString *error = nullptr)
        = 0;
    virtual std::optional<ConversationInfo> conversation(const QString &id, QString *error = nullptr) = 0;
    virtual QList<StoredMessage> messages(const QString &conversationId, QString *error = nullptr) = 0;
    virtual bool createConversation(const QString &id, const QString &userId, const QString &title,
                                    QString *error = nullptr)
        = 0;
    virtual bool renameConversation(const QString &id, const QString &title, QString *error = nullptr) = 0;
    virtual bool deleteConversation(const QString &id, QString *error = nullptr) = 0;
    virtual bool setSettings(const QString &id, const ConversationSettings &settings,
                             QString *error = nullptr)
        = 0;
    // Makes one of a group of alternative answers the one that continues the conversation.
    virtual bool activateAlternative(const QString &conversationId, qint64 messageId,
                                     QString *error = nullptr)
        = 0;
    virtual qint64 messageCount(QString *error = nullptr) = 0;
    // Titles and message text containing `text` (case-insensitive), best matches first; only
    // `userId`'s conversations unless it is empty.
    virtual QList<SearchHit> search(const QString &text, const QString &userId = QString(), int limit = 50,
                                    QString *error = nullptr)
        = 0;
};
