#include "chatprotocol.h"

#include "http/chatrequestparser.h"
#include "http/httpstatus.h"
#include "llm/openaichunk.h"
#include "llm/simulatedllm.h"
#include "llm/ssedecoder.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QUuid>
#include <algorithm>
#include <cstring>

ChatProtocol::~ChatProtocol() = default;

// ---------------------------------------------------------------------------------------------
// LoopScope's own endpoint

namespace {

// One member of a reply object, written straight into the buffer (no QJsonObject per request).
struct Field
{
    const char *key;
    enum Kind { String, Integer, Timings } kind;
    QStringView text {};
    qint64 integer = 0;
    double ttftMs = 0, totalMs = 0;
};

// Writes the identity's members and `extra` as one JSON object, keys in order: the order
// QJsonDocument wrote them in when the replies were QJsonObjects, so the bytes are unchanged.
void writeObject(QByteArray &out, const ReplyIdentity &who, std::initializer_list<Field> extra)
{
    const QString requestId = QString::number(who.requestId);
    Field fields[12] = { { "mode", Field::String, who.mode },
                         { "request_id", Field::String, requestId },
                         { "session_id", Field::String, who.sessionId },
                         { "thread", Field::String, who.thread },
                         { "worker", Field::Integer, {}, who.worker } };
    int n = 5;
    for (const Field &f : extra)
        fields[n++] = f;
    std::sort(fields, fields + n,
              [](const Field &a, const Field &b) { return std::strcmp(a.key, b.key) < 0; });
    out += '{';
    for (int i = 0; i < n; ++i) {
        const Field &f = fields[i];
        if (i)
            out += ',';
        out += '"';
        out += f.key;
        out += "\":";
        switch (f.kind) {
        case Field::String:
            JsonOut::string(out, f.text);
            break;
        case Field::Integer:
            JsonOut::number(out, f.integer);
            break;
        case Field::Timings:
            out += "{\"total_ms\":";
            JsonOut::number(out, f.totalMs);
            out += ",\"ttft_ms\":";
            JsonOut::number(out, f.ttftMs);
            out += '}';
            break;
        }
    }
    out += '}';
}

QByteArray sseEvent(const char *event, const QByteArray &json)
{
    return SseDecoder::encode(json, event);
}

} // namespace

bool NativeChatProtocol::parse(const QByteArray &body, ChatRequest *out, QString *error)
{
    if (!ChatRequestParser::parse(body, out, error))
        return false;
    out->stream = m_stream;
    return true;
}

void NativeChatProtocol::sendError(ResponseChannel &channel, int status, const QString &code,
                                   const QString &message, const ResponseChannel::Headers &extra) const
{
    channel.sendError(status, code, message, extra);
}

QByteArray NativeChatProtocol::streamStart(const ReplyIdentity &identity) const
{
    QByteArray json;
    writeObject(json, identity, {});
    return sseEvent("start", json);
}

QByteArray NativeChatProtocol::streamToken(const QString &delta) const
{
    QByteArray json;
    json.reserve(16 + delta.size());
    json += "{\"delta\":";
    JsonOut::string(json, delta);
    json += '}';
    return sseEvent("token", json);
}

QByteArray NativeChatProtocol::streamEnd(const ChatReply &reply) const
{
    QByteArray json;
    const Field timings { "timings", Field::Timings, {}, 0, reply.ttftMs, reply.totalMs };
    if (reply.result.ok) {
        writeObject(json, reply.identity,
                    { { "response", Field::String, reply.result.text },
                      { "tokens", Field::Integer, {}, reply.result.tokens },
                      timings });
    } else {
        writeObject(json, reply.identity,
                    { { "error", Field::String, reply.result.errorCode },
                      { "detail", Field::String, reply.result.errorMessage },
                      { "status", Field::Integer, {}, reply.status },
                      timings });
    }
    return sseEvent(reply.result.ok ? "done" : "error", json);
}

void NativeChatProtocol::sendReply(ResponseChannel &channel, const ChatReply &reply) const
{
    if (!reply.result.ok) {
        channel.sendError(reply.status, reply.result.errorCode, reply.result.errorMessage);
        return;
    }
    // One buffer per thread, reused: the reply's body costs no allocation once it has grown.
    static thread_local QByteArray body;
    body.resize(0);
    writeObject(body, reply.identity, { { "response", Field::String, reply.result.text } });
    body += '\n';
    channel.send(200, body, "application/json");
}

// ---------------------------------------------------------------------------------------------
// OpenAI chat completions

namespace {

// A message's text: a plain string, or the text parts of a content array.
bool contentText(const QJsonValue &content, QString *text)
{
    if (content.isString()) {
        *text = content.toString();
        return true;
    }
    if (content.isNull() || content.isUndefined()) {
        text->clear();
        return true;
    }
    if (!content.isArray())
        return false;
    QStringList parts;
    for (const QJsonValue &part : content.toArray()) {
        const QJsonObject p = part.toObject();
        if (p.value(QLatin1String("type")).toString() == QLatin1String("text"))
            parts << p.value(QLatin1String("text")).toString();
    }
    *text = parts.join(QLatin1Char('\n'));
    return true;
}

} // namespace

OpenAiChatProtocol::OpenAiChatProtocol()
    : m_id(QStringLiteral("chatcmpl-") + QUuid::createUuid().toString(QUuid::Id128).left(24))
    , m_model(QString::fromLatin1(ModelId))
    , m_created(QDateTime::currentSecsSinceEpoch())
{ }

bool OpenAiChatProtocol::parse(const QByteArray &body, ChatRequest *out, QString *error)
{
    QJsonObject o;
    if (!ChatRequestParser::parseObject(body, &o, error))
        return false;
    ChatRequest r;
    r.userId = QString::fromLatin1(DefaultUser);
    using ChatRequestParser::readString;
    if (!readString(o, "model", false, &m_model, error) || !readString(o, "user", false, &r.userId, error)
        || !readString(o, "session_id", false, &r.sessionId, error))
        return false;
    if (r.sessionId.isEmpty() && !readString(o, "conversation_id", false, &r.sessionId, error))
        return false;
    if (m_model.isEmpty())
        m_model = QString::fromLatin1(ModelId);
    if (r.userId.trimmed().isEmpty() || r.userId.size() > 128) {
        *error = QStringLiteral("'user' must be 1 to 128 characters");
        return false;
    }
    if (r.sessionId.size() > 128) {
        *error = QStringLiteral("'session_id' must be at most 128 characters");
        return false;
    }

    const QJsonValue stream = o.value(QLatin1String("stream"));
    if (!stream.isUndefined() && !stream.isNull() && !stream.isBool()) {
        *error = QStringLiteral("'stream' must be true or false");
        return false;
    }
    r.stream = stream.toBool(false);
    const QJsonValue options = o.value(QLatin1String("stream_options"));
    if (options.isObject())
        m_includeUsage = r.stream && options.toObject().value(QLatin1String("include_usage")).toBool(false);
    const QJsonValue n = o.value(QLatin1String("n"));
    if (!n.isUndefined() && !n.isNull() && n.toInt(0) != 1) {
        *error = QStringLiteral("only n = 1 is supported");
        return false;
    }

    const QJsonValue messages = o.value(QLatin1String("messages"));
    if (!messages.isArray() || messages.toArray().isEmpty()) {
        *error = QStringLiteral("'messages' must be a non-empty array");
        return false;
    }
    QList<ChatMessage> all;
    int lastUser = -1;
    for (const QJsonValue &v : messages.toArray()) {
        const QJsonObject m = v.toObject();
        ChatMessage msg;
        msg.role = m.value(QLatin1String("role")).toString();
        if (!v.isObject() || msg.role.isEmpty()) {
            *error = QStringLiteral("messages[%1] must be an object with a 'role'").arg(all.size());
            return false;
        }
        if (!contentText(m.value(QLatin1String("content")), &msg.content)) {
            *error = QStringLiteral("messages[%1].content must be a string or an array of parts")
                         .arg(all.size());
            return false;
        }
        if (!msg.content.isValidUtf16() || !msg.role.isValidUtf16()) {
            *error = QStringLiteral(
                         "messages[%1] is not valid Unicode (it contains an unpaired UTF-16 surrogate)")
                         .arg(all.size());
            return false;
        }
        if (msg.role == QLatin1String("user"))
            lastUser = int(all.size());
        all.append(msg);
    }
    if (lastUser < 0) {
        *error = QStringLiteral("'messages' has no message with role 'user'");
        return false;
    }
    r.message = all[lastUser].content;
    if (r.message.trimmed().isEmpty()) {
        *error = QStringLiteral("the last user message has no text");
        return false;
    }
    if (r.message.toUtf8().size() > ChatRequestParser::MaxMessageBytes) {
        *error = QStringLiteral("the last user message is longer than %1 bytes")
                     .arg(ChatRequestParser::MaxMessageBytes);
        return false;
    }
    m_history = all.mid(0, lastUser);
    r.clientHistory = m_history;
    // The conversation's settings as an OpenAI client gives them: its system message,
    // temperature and max_tokens (max_completion_tokens, its newer name).
    QJsonObject given;
    if (!all.isEmpty() && all.first().role == QLatin1String("system"))
        given.insert(QStringLiteral("system_prompt"), all.first().content);
    for (const char *key : { "temperature", "max_tokens", "max_completion_tokens" }) {
        const QJsonValue v = o.value(QLatin1String(key));
        if (!v.isUndefined() && !v.isNull())
            given.insert(key[0] == 't' ? QStringLiteral("temperature") : QStringLiteral("max_tokens"), v);
    }
    if (!ConversationSettings::fromJson(given, &r.settings, error)) {
        error->replace(QStringLiteral("settings."), QString());
        return false;
    }
    r.settingsGiven = !r.settings.isEmpty();
    // An estimate for "usage": the pipeline reports the reply's tokens only.
    for (const ChatMessage &m : all)
        m_promptTokens += int(SimulatedLlm::tokenize(m.content).size());
    *out = r;
    return true;
}

QString OpenAiChatProtocol::errorType(int status)
{
    switch (status) {
    case 401:
        return QStringLiteral("authentication_error");
    case 403:
        return QStringLiteral("permission_error");
    case 404:
        return QStringLiteral("not_found_error");
    case 429:
        return QStringLiteral("rate_limit_error");
    default:
        return status >= 500 ? QStringLiteral("server_error") : QStringLiteral("invalid_request_error");
    }
}

QByteArray OpenAiChatProtocol::errorBody(int status, const QString &code, const QString &message)
{
    return OpenAiWire::makeError(message, errorType(status), code) + '\n';
}

void OpenAiChatProtocol::sendError(ResponseChannel &channel, int status, const QString &code,
                                   const QString &message, const ResponseChannel::Headers &extra) const
{
    channel.send(status, errorBody(status, code, message), "application/json", extra);
}

QByteArray OpenAiChatProtocol::streamStart(const ReplyIdentity &) const
{
    return SseDecoder::encode(OpenAiWire::makeChunk(m_id, m_model, m_created, {}, {}, true));
}

QByteArray OpenAiChatProtocol::streamToken(const QString &delta) const
{
    return SseDecoder::encode(OpenAiWire::makeChunk(m_id, m_model, m_created, delta));
}

QByteArray OpenAiChatProtocol::streamEnd(const ChatReply &reply) const
{
    if (!reply.result.ok) {
        // The head (200) is out already: OpenAI's clients raise on an "error" event. No [DONE].
        return SseDecoder::encode(OpenAiWire::makeError(reply.result.errorMessage, errorType(reply.status),
                                                        reply.result.errorCode));
    }
    QByteArray out
        = SseDecoder::encode(OpenAiWire::makeChunk(m_id, m_model, m_created, {}, QStringLiteral("stop")));
    if (m_includeUsage)
        out += SseDecoder::encode(
            OpenAiWire::makeUsageChunk(m_id, m_model, m_created, m_promptTokens, reply.result.tokens));
    out += SseDecoder::encode(OpenAiWire::doneMarker());
    return out;
}

void OpenAiChatProtocol::sendReply(ResponseChannel &channel, const ChatReply &reply) const
{
    if (!reply.result.ok) {
        sendError(channel, reply.status, reply.result.errorCode, reply.result.errorMessage);
        return;
    }
    // The object OpenAiWire::makeCompletion describes, plus "loopscope" (where and how it ran;
    // clients ignore it), written straight into a reused buffer with the keys in the order
    // QJsonDocument wrote them (the bytes are what the QJsonObject of the same members gave).
    static thread_local QByteArray body;
    body.resize(0);
    const qint64 completionTokens = reply.result.tokens;
    body += "{\"choices\":[{\"finish_reason\":\"stop\",\"index\":0,\"logprobs\":null,\"message\":{"
            "\"content\":";
    JsonOut::string(body, reply.result.text);
    body += ",\"role\":\"assistant\"}}],\"created\":";
    JsonOut::number(body, m_created);
    body += ",\"id\":";
    JsonOut::string(body, m_id);
    body += ",\"loopscope\":";
    writeObject(body, reply.identity, {});
    body += ",\"model\":";
    JsonOut::string(body, m_model);
    body += ",\"object\":\"chat.completion\",\"usage\":{\"completion_tokens\":";
    JsonOut::number(body, completionTokens);
    body += ",\"prompt_tokens\":";
    JsonOut::number(body, qint64(m_promptTokens));
    body += ",\"total_tokens\":";
    JsonOut::number(body, m_promptTokens + completionTokens);
    body += "}}\n";
    channel.send(200, body, "application/json");
}

QJsonObject OpenAiChatProtocol::modelObject(const QString &backend, qint64 createdSecs)
{
    return { { QStringLiteral("id"), QString::fromLatin1(ModelId) },
             { QStringLiteral("object"), QStringLiteral("model") },
             { QStringLiteral("created"), createdSecs },
             { QStringLiteral("owned_by"), QStringLiteral("loopscope") },
             { QStringLiteral("backend"), backend } };
}

QJsonObject OpenAiChatProtocol::modelList(const QString &backend, qint64 createdSecs)
{
    return { { QStringLiteral("object"), QStringLiteral("list") },
             { QStringLiteral("data"), QJsonArray { modelObject(backend, createdSecs) } } };
}
