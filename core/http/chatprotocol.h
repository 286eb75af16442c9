#pragma once

#include "http/responsechannel.h"
#include "pipeline/conversationmanager.h"
#include "trace/requestrecord.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

// Where and how a request ran, as every reply names it ({"mode","request_id","session_id","thread",
// "worker"}: the native replies' members, the OpenAI body's "loopscope" member).
struct ReplyIdentity
{
    quint64 requestId = 0;
    QString sessionId;
    int worker = 0;
    QString thread;
    QString mode;
};

// What the pipeline answered, as a protocol writes it back.
struct ChatReply
{
    const ChatResult &result;
    int status = 200; // 200, or the error's HTTP status
    ReplyIdentity identity;
    double ttftMs = 0;
    double totalMs = 0;
};

// How one chat endpoint speaks on the wire: how a body becomes a ChatRequest, and how the
// pipeline's answer goes back (whole, or streamed as Server-Sent Events). ChatEndpoint runs the
// same pipeline in the same dispatch modes for every protocol; only these bytes differ.
// One object per request, read-only once parsed: the executor mode encodes tokens on a pool thread.
class ChatProtocol
{
public:
    virtual ~ChatProtocol();

    virtual Endpoint endpoint(bool stream) const = 0;
    // Fills `out` (including out->stream) or returns false with a message for a 400.
    virtual bool parse(const QByteArray &body, ChatRequest *out, QString *error) = 0;
    virtual void sendError(ResponseChannel &channel, int status, const QString &code, const QString &message,
                           const ResponseChannel::Headers &extra = {}) const = 0;

    // A streamed reply: streamStart() right after the head, streamToken() per delta, streamEnd()
    // last. A protocol that does not open the stream early sends its head with the first token,
    // so a model that fails before it still gets a real error status (sendReply) instead of a 200.
    virtual bool opensStreamEarly() const = 0;
    virtual QByteArray streamStart(const ReplyIdentity &identity) const = 0;
    virtual QByteArray streamToken(const QString &delta) const = 0;
    virtual QByteArray streamEnd(const ChatReply &reply) const = 0;
    // A whole reply, success or error.
    virtual void sendReply(ResponseChannel &channel, const ChatReply &reply) const = 0;
};

// LoopScope's own POST /v1/chat and /v1/chat/stream: the seeds' {user_id, session_id, message}
// -> {"response": ...}, and "start" / "token" / "done" | "error" events.
class NativeChatProtocol final : public ChatProtocol
{
public:
    explicit NativeChatProtocol(bool stream)
        : m_stream(stream)
    { }

    Endpoint endpoint(bool stream) const override { return stream ? Endpoint::ChatStream : Endpoint::Chat; }
    bool parse(const QByteArray &body, ChatRequest *out, QString *error) override;
    void sendError(ResponseChannel &channel, int status, const QString &code, const QString &message,
                   const ResponseChannel::Headers &extra = {}) const override;
    bool opensStreamEarly() const override { return true; }
    QByteArray streamStart(const ReplyIdentity &identity) const override;
    QByteArray streamToken(const QString &delta) const override;
    QByteArray streamEnd(const ChatReply &reply) const override;
    void sendReply(ResponseChannel &channel, const ChatReply &reply) const override;

private:
    const bool m_stream;
};

// POST /v1/chat/completions as OpenAI documents it, so that OpenAI clients can use LoopScope.
// The request maps onto the pipeline as: user = "user" or "openai-client"; session = the
// "session_id" / "conversation_id" extension or a fresh one; message = the last user message;
// the messages before it are the client's history. Replies are "chat.completion" objects, or
// "chat.completion.chunk" events ending with "data: [DONE]" (and a usage chunk when asked for);
// errors are {"error": {message, type, param, code}}.
class OpenAiChatProtocol final : public ChatProtocol
{
public:
    OpenAiChatProtocol();

    static constexpr const char *DefaultUser = "openai-client";
    static constexpr const char *ModelId = "loopscope"; // what GET /v1/models lists

    Endpoint endpoint(bool) const override { return Endpoint::Completions; }
    bool parse(const QByteArray &body, ChatRequest *out, QString *error) override;
    void sendError(ResponseChannel &channel, int status, const QString &code, const QString &message,
                   const ResponseChannel::Headers &extra = {}) const override;
    bool opensStreamEarly() const override { return false; }
    QByteArray streamStart(const ReplyIdentity &identity) const override;
    QByteArray streamToken(const QString &delta) const override;
    QByteArray streamEnd(const ChatReply &reply) const override;
    void sendReply(ResponseChannel &channel, const ChatReply &reply) const override;

    QString completionId() const { return m_id; }
    QString model() const { return m_model; }
    bool includeUsage() const { return m_includeUsage; }
    // The messages before the answered one: the model's context (ChatRequest::clientHistory).
    const QList<ChatMessage> &history() const { return m_history; }

    // OpenAI's error "type" for an HTTP status.
    static QString errorType(int status);
    static QByteArray errorBody(int status, const QString &code, const QString &message);
    // GET /v1/models and GET /v1/models/{id}.
    static QJsonObject modelObject(const QString &backend, qint64 createdSecs);
    static QJsonObject modelList(const QString &backend, qint64 createdSecs);

private:
    QString m_id;
    QString m_model;
    qint64 m_created = 0;
    bool m_includeUsage = false;
    int m_promptTokens = 0;
    QList<ChatMessage> m_history;
};
