#include "openaichunk.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace {

std::optional<QJsonObject> parseObject(QByteArrayView bytes)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes.toByteArray(), &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return std::nullopt;
    return doc.object();
}

// Token counts arrive as numbers; a few servers send them as strings.
int toInt(const QJsonValue &v)
{
    if (v.isString())
        return v.toString().toInt();
    return v.toInt();
}

void readUsage(const QJsonObject &o, OpenAiChunk &chunk)
{
    const QJsonValue usage = o.value(QLatin1String("usage"));
    if (!usage.isObject())
        return;
    const QJsonObject u = usage.toObject();
    chunk.hasUsage = true;
    chunk.promptTokens = toInt(u.value(QLatin1String("prompt_tokens")));
    chunk.completionTokens = toInt(u.value(QLatin1String("completion_tokens")));
    chunk.totalTokens = u.contains(QLatin1String("total_tokens"))
        ? toInt(u.value(QLatin1String("total_tokens")))
        : chunk.promptTokens + chunk.completionTokens;
}

QString valueText(const QJsonValue &v)
{
    if (v.isString())
        return v.toString();
    if (v.isDouble())
        return QString::number(v.toDouble(), 'g', 15);
    return {};
}

} // namespace

std::optional<OpenAiChunk> OpenAiChunk::parse(QByteArrayView data)
{
    if (data.trimmed() == "[DONE]") {
        OpenAiChunk chunk;
        chunk.done = true;
        return chunk;
    }
    const auto o = parseObject(data);
    if (!o)
        return std::nullopt;
    OpenAiChunk chunk;
    chunk.id = o->value(QLatin1String("id")).toString();
    chunk.model = o->value(QLatin1String("model")).toString();
    const QJsonArray choices = o->value(QLatin1String("choices")).toArray();
    if (!choices.isEmpty()) {
        const QJsonObject choice = choices.first().toObject();
        // A chunk carries "delta"; a whole completion sent where a chunk was expected carries "message".
        const QJsonObject delta = choice.contains(QLatin1String("delta"))
            ? choice.value(QLatin1String("delta")).toObject()
            : choice.value(QLatin1String("message")).toObject();
        chunk.content = delta.value(QLatin1String("content")).toString();
        chunk.reasoning = delta.value(QLatin1String("reasoning_content")).toString();
        chunk.finishReason = choice.value(QLatin1String("finish_reason")).toString();
    }
    readUsage(*o, chunk);
    return chunk;
}

std::optional<OpenAiChunk> OpenAiChunk::parseCompletion(QByteArrayView body)
{
    const auto o = parseObject(body);
    if (!o || !o->value(QLatin1String("choices")).isArray())
        return std::nullopt;
    return parse(body);
}

std::optional<OpenAiError> OpenAiError::parse(QByteArrayView body)
{
    const auto o = parseObject(body);
    if (!o)
        return std::nullopt;
    OpenAiError e;
    const QJsonValue error = o->value(QLatin1String("error"));
    if (error.isObject()) {
        const QJsonObject eo = error.toObject();
        e.message = eo.value(QLatin1String("message")).toString();
        e.type = valueText(eo.value(QLatin1String("type")));
        e.code = valueText(eo.value(QLatin1String("code")));
    } else if (error.isString()) {
        e.message = error.toString(); // {"error": "model not found"} (Ollama's native API style)
    } else if (o->contains(QLatin1String("message"))) {
        e.message = o->value(QLatin1String("message")).toString();
    } else if (o->value(QLatin1String("detail")).isString()) {
        e.message = o->value(QLatin1String("detail")).toString(); // FastAPI-style servers
    } else {
        return std::nullopt;
    }
    return e;
}

QString OpenAiError::describe() const
{
    QStringList extra;
    if (!type.isEmpty())
        extra << QStringLiteral("type: %1").arg(type);
    if (!code.isEmpty())
        extra << QStringLiteral("code: %1").arg(code);
    if (extra.isEmpty())
        return message;
    return QStringLiteral("%1 (%2)").arg(message, extra.join(QStringLiteral(", ")));
}

namespace OpenAiWire {

QByteArray requestBody(const QString &model, const QList<ChatMessage> &messages, bool stream,
                       double temperature, int maxTokens)
{
    QJsonArray list;
    for (const ChatMessage &m : messages)
        list.append(
            QJsonObject { { QStringLiteral("role"), m.role }, { QStringLiteral("content"), m.content } });
    QJsonObject body { { QStringLiteral("model"), model },
                       { QStringLiteral("messages"), list },
                       { QStringLiteral("stream"), stream } };
    if (temperature >= 0)
        body.insert(QStringLiteral("temperature"), temperature);
    if (maxTokens > 0)
        body.insert(QStringLiteral("max_tokens"), maxTokens);
    if (stream)
        body.insert(QStringLiteral("stream_options"),
                    QJsonObject { { QStringLiteral("include_usage"), true } });
    return QJsonDocument(body).toJson(QJsonDocument::Compact);
}

QByteArray makeChunk(const QString &id, const QString &model, qint64 created, const QString &deltaText,
                     const QString &finishReason, bool withRole)
{
    QJsonObject delta;
    if (withRole)
        delta.insert(QStringLiteral("role"), QStringLiteral("assistant"));
    if (!deltaText.isEmpty() || (withRole && finishReason.isEmpty()))
        delta.insert(QStringLiteral("content"), deltaText);
    const QJsonObject choice { { QStringLiteral("index"), 0 },
                               { QStringLiteral("delta"), delta },
                               { QStringLiteral("logprobs"), QJsonValue::Null },
                               { QStringLiteral("finish_reason"),
                                 finishReason.isEmpty() ? QJsonValue(QJsonValue::Null)
                                                        : QJsonValue(finishReason) } };
    const QJsonObject chunk { { QStringLiteral("id"), id },
                              { QStringLiteral("object"), QStringLiteral("chat.completion.chunk") },
                              { QStringLiteral("created"), created },
                              { QStringLiteral("model"), model },
                              { QStringLiteral("choices"), QJsonArray { choice } } };
    return QJsonDocument(chunk).toJson(QJsonDocument::Compact);
}

QByteArray makeUsageChunk(const QString &id, const QString &model, qint64 created, int promptTokens,
                          int completionTokens)
{
    const QJsonObject chunk { { QStringLiteral("id"), id },
                              { QStringLiteral("object"), QStringLiteral("chat.completion.chunk") },
                              { QStringLiteral("created"), created },
                              { QStringLiteral("model"), model },
                              { QStringLiteral("choices"), QJsonArray() },
                              { QStringLiteral("usage"),
                                QJsonObject {
                                    { QStringLiteral("prompt_tokens"), promptTokens },
                                    { QStringLiteral("completion_tokens"), completionTokens },
                                    { QStringLiteral("total_tokens"), promptTokens + completionTokens } } } };
    return QJsonDocument(chunk).toJson(QJsonDocument::Compact);
}

QJsonObject makeCompletion(const QString &id, const QString &model, qint64 created, const QString &text,
                           const QString &finishReason, int promptTokens, int completionTokens)
{
    const QJsonObject message { { QStringLiteral("role"), QStringLiteral("assistant") },
                                { QStringLiteral("content"), text } };
    const QJsonObject choice { { QStringLiteral("index"), 0 },
                               { QStringLiteral("message"), message },
                               { QStringLiteral("logprobs"), QJsonValue::Null },
                               { QStringLiteral("finish_reason"), finishReason } };
    return { { QStringLiteral("id"), id },
             { QStringLiteral("object"), QStringLiteral("chat.completion") },
             { QStringLiteral("created"), created },
             { QStringLiteral("model"), model },
             { QStringLiteral("choices"), QJsonArray { choice } },
             { QStringLiteral("usage"),
               QJsonObject { { QStringLiteral("prompt_tokens"), promptTokens },
                             { QStringLiteral("completion_tokens"), completionTokens },
                             { QStringLiteral("total_tokens"), promptTokens + completionTokens } } } };
}

QByteArray makeError(const QString &message, const QString &type, const QString &code)
{
    const QJsonObject error { { QStringLiteral("message"), message },
                              { QStringLiteral("type"), type },
                              { QStringLiteral("param"), QJsonValue::Null },
                              { QStringLiteral("code"),
                                code.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(code) } };
    return QJsonDocument(QJsonObject { { QStringLiteral("error"), error } }).toJson(QJsonDocument::Compact);
}

} // namespace OpenAiWire
