#include "historystore.h"
#include "storage/historycache.h"
#include "storage/historyconnection.h"
#include "storage/searchindex.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QSet>
#include <algorithm>

// The conversations and their messages as the /v1/conversations routes read and change them:
// small indexed queries, each prepared for one use.

namespace {

ConversationInfo conversationFrom(const SqliteStatement &q)
{
    ConversationInfo c { q.text(0), q.text(1), q.text(2), q.integer(3), q.integer(4), int(q.integer(5)), {} };
    if (!q.isNull(6))
        ConversationSettings::fromJson(QJsonDocument::fromJson(q.text(6).toUtf8()).object(), &c.settings);
    return c;
}

constexpr const char *kConversationColumns
    = "SELECT c.id, c.user_id, c.title, c.created_at, c.updated_at,"
      " (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id AND m.active = 1), c.settings"
      " FROM conversations c ";

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
    const auto q = c->prepare(
        QStringLiteral("SELECT id, role, content, created_at, request_id, meta, active, alt_of FROM messages"
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
        m.active = q->integer(6) != 0;
        m.alternativeOf = q->isNull(7) ? 0 : q->integer(7);
        out.append(m);
    }
    if (!q->done() && error)
        *error = c->lastError();
    return out;
}

bool HistoryStore::createConversation(const QString &id, const QString &userId, const QString &title,
                                      QString *error)
{
    const HistoryCache::Change change(m_cache.get(), id);
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
    const HistoryCache::Change change(m_cache.get(), id);
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

bool HistoryStore::setSettings(const QString &id, const ConversationSettings &settings, QString *error)
{
    const HistoryCache::Change change(m_cache.get(), id);
    Connection *c = connection(error);
    if (!c)
        return false;
    const auto q = c->prepare(QStringLiteral("UPDATE conversations SET settings = ?1 WHERE id = ?2"));
    const QString json = QString::fromUtf8(QJsonDocument(settings.toJson()).toJson(QJsonDocument::Compact));
    if (settings.isEmpty())
        q->bindNull(1);
    else
        q->bind(1, json);
    q->bind(2, id);
    if (!q->run()) {
        if (error)
            *error = c->lastError();
        return false;
    }
    return c->changes() > 0;
}

bool HistoryStore::activateAlternative(const QString &conversationId, qint64 messageId, QString *error)
{
    const HistoryCache::Change change(m_cache.get(), conversationId);
    Connection *c = connection(error);
    if (!c)
        return false;
    const auto q = c->prepare(QStringLiteral(
        "UPDATE messages SET active = (id = ?2) WHERE conversation_id = ?1 AND alt_of ="
        " (SELECT alt_of FROM messages WHERE id = ?2 AND conversation_id = ?1 AND alt_of IS NOT NULL)"));
    q->bind(1, conversationId);
    q->bind(2, messageId);
    if (!q->run()) {
        if (error)
            *error = c->lastError();
        return false;
    }
    return c->changes() > 0;
}

QList<SearchHit> HistoryStore::search(const QString &text, const QString &userId, int limit, QString *error)
{
    QList<SearchHit> out;
    const QString needle = text.simplified();
    if (needle.isEmpty())
        return out;
    Connection *c = connection(error);
    if (!c)
        return out;
    const QString owner = userId.isEmpty() ? QString() : QStringLiteral(" AND c.user_id = ?3");
    const QString pattern = HistoryText::likePattern(needle);
    const QString phrase = QLatin1Char('"')
        + QString(needle).replace(QLatin1Char('"'), QStringLiteral("\"\"")) + QLatin1Char('"');
    // One statement, so one snapshot: the indexed messages through the trigram index, the ones the
    // writer has not indexed yet row by row (storage/searchindex.h).
    const auto q = c->prepare(
        QStringLiteral("SELECT m.conversation_id, c.title, m.id, m.role, m.content FROM messages m"
                       " JOIN conversations c ON c.id = m.conversation_id WHERE ")
        + SearchIndex::matchCondition(SearchIndex::indexable(needle)) + owner
        + QStringLiteral(" ORDER BY c.updated_at DESC, m.id LIMIT ?2"));
    q->bind(1, phrase);
    q->bind(2, qint64(limit));
    if (!userId.isEmpty())
        q->bind(3, userId);
    q->bind(4, needle);
    QSet<QString> withMessages;
    while (q->next()) {
        out.append({ q->text(0), q->text(1), q->integer(2), q->text(3),
                     HistoryText::snippetAround(q->text(4), needle) });
        withMessages.insert(q->text(0));
    }
    if (!q->done()) {
        if (error)
            *error = c->lastError();
        return out;
    }
    // Titles too, for the conversations none of whose messages matched.
    const auto t = c->prepare(
        QStringLiteral("SELECT c.id, c.title FROM conversations c WHERE c.title LIKE ?1 ESCAPE '\\'") + owner
        + QStringLiteral(" ORDER BY c.updated_at DESC LIMIT ?2"));
    t->bind(1, pattern);
    t->bind(2, qint64(limit));
    if (!userId.isEmpty())
        t->bind(3, userId);
    while (t->next()) {
        if (!withMessages.contains(t->text(0)))
            out.append(
                { t->text(0), t->text(1), 0, QString(), HistoryText::snippetAround(t->text(1), needle) });
    }
    if (!t->done() && error)
        *error = c->lastError();
    return out;
}

// `text` with up to `context` characters either side of its first match of `needle`, on one line.
QString HistoryText::snippetAround(const QString &text, const QString &needle, int context)
{
    const QString flat = text.simplified();
    const qsizetype at = flat.indexOf(needle, 0, Qt::CaseInsensitive);
    if (at < 0)
        return HistoryStore::clip(flat, 2 * context);
    const qsizetype from = std::max<qsizetype>(0, at - context);
    const qsizetype to = std::min(flat.size(), at + needle.size() + context);
    return (from > 0 ? QStringLiteral("…") : QString()) + flat.mid(from, to - from)
        + (to < flat.size() ? QStringLiteral("…") : QString());
}

// A LIKE pattern that matches `text` literally.
QString HistoryText::likePattern(QString text)
{
    text.replace(QLatin1Char('\\'), QStringLiteral("\\\\"));
    text.replace(QLatin1Char('%'), QStringLiteral("\\%"));
    text.replace(QLatin1Char('_'), QStringLiteral("\\_"));
    return QLatin1Char('%') + text + QLatin1Char('%');
}
