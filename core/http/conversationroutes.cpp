#include "conversationroutes.h"

#include "http/chatrequestparser.h"
#include "http/responsechannel.h"
#include "storage/historystore.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QUuid>

namespace ConversationRoutes {

namespace {

QJsonObject conversationJson(const ConversationInfo &c)
{
    return { { QStringLiteral("id"), c.id },
             { QStringLiteral("user_id"), c.userId },
             { QStringLiteral("title"), c.title },
             { QStringLiteral("created_at_ms"), double(c.createdMs) },
             { QStringLiteral("updated_at_ms"), double(c.updatedMs) },
             { QStringLiteral("messages"), c.messageCount },
             { QStringLiteral("settings"), c.settings.toJson() } };
}

QJsonObject messageJson(const StoredMessage &m)
{
    QJsonObject o { { QStringLiteral("id"), double(m.id) },
                    { QStringLiteral("role"), m.role },
                    { QStringLiteral("content"), m.content },
                    { QStringLiteral("created_at_ms"), double(m.createdMs) },
                    { QStringLiteral("request_id"), QString::number(m.requestId) },
                    { QStringLiteral("meta"), m.meta },
                    { QStringLiteral("active"), m.active } };
    if (m.alternativeOf > 0)
        o.insert(QStringLiteral("alternative_of"), double(m.alternativeOf));
    return o;
}

// The body's optional "settings" object; false with a message for a 400.
bool readSettings(const QJsonObject &o, bool *given, ConversationSettings *out, QString *error)
{
    const QJsonValue v = o.value(QLatin1String("settings"));
    *given = !v.isUndefined() && !v.isNull();
    if (!*given)
        return true;
    if (!v.isObject()) {
        *error = QStringLiteral("field 'settings' must be an object");
        return false;
    }
    return ConversationSettings::fromJson(v.toObject(), out, error);
}

} // namespace

void handle(const QByteArray &method, const QStringList &parts, const QUrlQuery &query,
            const QByteArray &body, HistoryQueries *store, ResponseChannel &channel)
{
    QString error;
    auto storageFailed = [&] { channel.sendError(500, QStringLiteral("storage_error"), error); };
    auto notFound = [&](const QString &what) {
        error.isEmpty() ? channel.sendError(404, QStringLiteral("not_found"), what) : storageFailed();
    };
    auto invalid
        = [&](const QString &why) { channel.sendError(400, QStringLiteral("invalid_request"), why); };
    if (body.size() > ChatRequestParser::MaxBodyBytes)
        return channel.sendError(413, QStringLiteral("payload_too_large"),
                                 QStringLiteral("request body is %1 bytes; the limit is %2")
                                     .arg(body.size())
                                     .arg(ChatRequestParser::MaxBodyBytes));
    const QString user = query.queryItemValue(QStringLiteral("user_id"), QUrl::FullyDecoded);
    if (parts.size() == 2) {
        if (method == "GET") {
            const auto list = store->conversations(user, 500, &error);
            if (!error.isEmpty())
                return storageFailed();
            QJsonArray items;
            for (const auto &c : list)
                items.append(conversationJson(c));
            channel.sendJson(200, { { QStringLiteral("conversations"), items } });
        } else if (method == "POST") {
            QJsonObject o;
            QString owner;
            QString title = QStringLiteral("New chat");
            QString why;
            bool given = false;
            ConversationSettings settings;
            if (!ChatRequestParser::parseObject(body, &o, &why)
                || !ChatRequestParser::readString(o, "user_id", true, &owner, &why)
                || !ChatRequestParser::readString(o, "title", false, &title, &why)
                || !readSettings(o, &given, &settings, &why))
                return invalid(why);
            if (owner.trimmed().isEmpty())
                return invalid(QStringLiteral("field 'user_id' is required"));
            title = HistoryStore::clip(title, 200);
            const QString id = QUuid::createUuid().toString(QUuid::WithoutBraces);
            if (!store->createConversation(id, owner, title, &error)
                || (given && !store->setSettings(id, settings, &error)))
                return storageFailed();
            channel.sendJson(201, conversationJson(*store->conversation(id)));
        } else {
            channel.sendError(405, QStringLiteral("method_not_allowed"), QStringLiteral("use GET or POST"),
                              { { "Allow", "GET, POST" } });
        }
        return;
    }
    const QString id = parts[2];
    if (parts.size() == 3 && id == QLatin1String("search") && method == "GET") {
        const QString text = query.queryItemValue(QStringLiteral("q"), QUrl::FullyDecoded);
        if (text.trimmed().isEmpty())
            return invalid(QStringLiteral("parameter 'q' (the text to look for) is required"));
        const auto hits = store->search(text, user, 100, &error);
        if (!error.isEmpty())
            return storageFailed();
        QJsonArray items;
        for (const SearchHit &h : hits) {
            QJsonObject o { { QStringLiteral("conversation_id"), h.conversationId },
                            { QStringLiteral("title"), h.title },
                            { QStringLiteral("snippet"), h.snippet } };
            if (h.messageId > 0) {
                o.insert(QStringLiteral("message_id"), double(h.messageId));
                o.insert(QStringLiteral("role"), h.role);
            }
            items.append(o);
        }
        channel.sendJson(200, { { QStringLiteral("query"), text }, { QStringLiteral("results"), items } });
        return;
    }
    if (parts.size() == 3 && method == "GET") {
        const auto c = store->conversation(id, &error);
        if (!c)
            return notFound(QStringLiteral("no conversation %1").arg(id));
        channel.sendJson(200, conversationJson(*c));
        return;
    }
    if (parts.size() == 4 && parts[3] == QLatin1String("messages") && method == "GET") {
        if (!store->conversation(id, &error))
            return notFound(QStringLiteral("no conversation %1").arg(id));
        QJsonArray items;
        for (const StoredMessage &m : store->messages(id, &error))
            items.append(messageJson(m));
        channel.sendJson(
            200, { { QStringLiteral("conversation_id"), id }, { QStringLiteral("messages"), items } });
        return;
    }
    if (parts.size() == 5 && parts[3] == QLatin1String("messages") && method == "PATCH") {
        QJsonObject o;
        QString why;
        if (!ChatRequestParser::parseObject(body, &o, &why))
            return invalid(why);
        if (o.value(QLatin1String("active")) != QJsonValue(true))
            return invalid(
                QStringLiteral("send {\"active\": true} to make this alternative answer the current one"));
        bool number = false;
        const qint64 messageId = parts[4].toLongLong(&number);
        if (!number || !store->activateAlternative(id, messageId, &error))
            return notFound(QStringLiteral("no alternative answer %1 in conversation %2").arg(parts[4], id));
        channel.sendJson(
            200,
            { { QStringLiteral("conversation_id"), id }, { QStringLiteral("active"), double(messageId) } });
        return;
    }
    if (parts.size() == 3 && method == "PATCH") {
        QJsonObject o;
        QString title;
        QString why;
        bool given = false;
        ConversationSettings settings;
        if (!ChatRequestParser::parseObject(body, &o, &why)
            || !ChatRequestParser::readString(o, "title", false, &title, &why)
            || !readSettings(o, &given, &settings, &why))
            return invalid(why);
        const bool rename = o.contains(QLatin1String("title"));
        title = title.trimmed();
        if (rename && title.isEmpty())
            return invalid(QStringLiteral("field 'title' must be a non-empty string"));
        if (!rename && !given)
            return invalid(QStringLiteral("nothing to change: send 'title' and/or 'settings'"));
        if ((rename && !store->renameConversation(id, HistoryStore::clip(title, 200), &error))
            || (given && !store->setSettings(id, settings, &error)))
            return notFound(QStringLiteral("no conversation %1").arg(id));
        channel.sendJson(200, conversationJson(*store->conversation(id)));
        return;
    }
    if (parts.size() == 3 && method == "DELETE") {
        if (!store->deleteConversation(id, &error))
            return notFound(QStringLiteral("no conversation %1").arg(id));
        channel.sendJson(200, { { QStringLiteral("deleted"), id } });
        return;
    }
    channel.sendError(404, QStringLiteral("not_found"),
                      QStringLiteral("no route for /%1").arg(parts.join(QLatin1Char('/'))));
}

} // namespace ConversationRoutes
