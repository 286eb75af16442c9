#include "historystore.h"
#include "storage/historyconnection.h"

#include <QDateTime>
#include <QJsonDocument>

// The conversations and their messages as the /v1/conversations routes read and change them:
// small indexed queries, each prepared for one use.

namespace {

ConversationInfo conversationFrom(const SqliteStatement &q)
{
    return { q.text(0), q.text(1), q.text(2), q.integer(3), q.integer(4), int(q.integer(5)) };
}

constexpr const char *kConversationColumns
    = "SELECT c.id, c.user_id, c.title, c.created_at, c.updated_at,"
      " (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id) FROM conversations c ";

} // namespace

QList<ConversationInfo> HistoryStore::conversations(const QString &userId, int limit, QString *error)
{
    QList<ConversationInfo> out;
    Connection *c = connection(error);
    if (!c)
        return out;
    const auto q = c->prepare(QLatin1String(kConversationColumns)
                              + (userId.isEmpty() ? QString() : QStringLiteral("WHERE c.user_id = ?1 "))
                              + QStringLiteral("ORDER BY c.updated_at DESC LIMIT ?2"));
    if (!userId.isEmpty())
        q->bind(1, userId);
    q->bind(2, qint64(limit));
    while (q->next())
        out.append(conversationFrom(*q));
    if (!q->done() && error)
        *error = c->lastError();
    return out;
}

std::optional<ConversationInfo> HistoryStore::conversation(const QString &id, QString *error)
{
    Connection *c = connection(error);
    if (!c)
        return std::nullopt;
    const auto q = c->prepare(QLatin1String(kConversationColumns) + QStringLiteral("WHERE c.id = ?1"));
    q->bind(1, id);
    if (q->next())
        return conversationFrom(*q);
    if (!q->done() && error)
        *error = c->lastError();
    return std::nullopt;
}

QList<StoredMessage> HistoryStore::messages(const QString &conversationId, QString *error)
{
    QList<StoredMessage> out;
    Connection *c = connection(error);
    if (!c)
        return out;
    const auto q
        = c->prepare(QStringLiteral("SELECT id, role, content, created_at, request_id, meta FROM messages"
                                    " WHERE conversation_id = ?1 ORDER BY id"));
    q->bind(1, conversationId);
    while (q->next()) {
        StoredMessage m;
        m.id = q->integer(0);
        m.role = q->text(1);
        m.content = q->text(2);
        m.createdMs = q->integer(3);
        m.requestId = quint64(q->integer(4));
        if (!q->isNull(5))
            m.meta = QJsonDocument::fromJson(q->text(5).toUtf8()).object();
        out.append(m);
    }
    if (!q->done() && error)
        *error = c->lastError();
    return out;
}

bool HistoryStore::createConversation(const QString &id, const QString &userId, const QString &title,
                                      QString *error)
{
    Connection *c = connection(error);
    if (!c)
        return false;
    const auto q
        = c->prepare(QStringLiteral("INSERT INTO conversations(id, user_id, title, created_at, updated_at)"
                                    " VALUES(?1, ?2, ?3, ?4, ?4)"));
    q->bind(1, id);
    q->bind(2, userId);
    q->bind(3, title);
    q->bind(4, QDateTime::currentMSecsSinceEpoch());
    if (!q->run()) {
        if (error)
            *error = c->lastError();
        return false;
    }
    return true;
}

bool HistoryStore::renameConversation(const QString &id, const QString &title, QString *error)
{
    Connection *c = connection(error);
    if (!c)
        return false;
    const auto q = c->prepare(QStringLiteral("UPDATE conversations SET title = ?1 WHERE id = ?2"));
    q->bind(1, title);
    q->bind(2, id);
    if (!q->run()) {
        if (error)
            *error = c->lastError();
        return false;
    }
    return c->changes() > 0;
}

bool HistoryStore::deleteConversation(const QString &id, QString *error)
{
    Connection *c = connection(error);
    if (!c)
        return false;
    const auto q = c->prepare(QStringLiteral("DELETE FROM conversations WHERE id = ?1"));
    q->bind(1, id);
    if (!q->run()) {
        if (error)
            *error = c->lastError();
        return false;
    }
    return c->changes() > 0;
}

qint64 HistoryStore::messageCount(QString *error)
{
    Connection *c = connection(error);
    if (!c)
        return -1;
    const auto q = c->prepare(QStringLiteral("SELECT COUNT(*) FROM messages"));
    if (!q->next()) {
        if (error)
            *error = c->lastError();
        return -1;
    }
    return q->integer(0);
}
