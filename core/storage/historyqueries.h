#pragma once

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
    virtual qint64 messageCount(QString *error = nullptr) = 0;
};
