#pragma once

#include "llmbackend.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QString>
#include <optional>

// The JSON of the OpenAI chat-completions wire format, in both directions: what we read from a
// provider (stream chunks, whole completions, error bodies) and what we write, both as a client
// (the request body) and as a server (our own /v1/chat/completions). Keeping reader and writers
// side by side lets the tests feed one into the other.

// One piece of a reply: a streamed "chat.completion.chunk", or a whole "chat.completion".
struct OpenAiChunk
{
    bool done = false; // the "data: [DONE]" sentinel
    QString id;
    QString model;
    QString content; // choices[0].delta.content (message.content for a whole completion)
    QString reasoning; // GLM's / DeepSeek's reasoning_content
    QString finishReason; // "stop", "length", ...; empty while the stream goes on
    bool hasUsage = false;
    int promptTokens = 0;
    int completionTokens = 0;
    int totalTokens = 0;

    // One SSE data payload. nullopt when it is neither [DONE] nor a JSON object.
    static std::optional<OpenAiChunk> parse(QByteArrayView data);
    // A non-streamed response body ({"object":"chat.completion", "choices":[{"message":...}]}).
    static std::optional<OpenAiChunk> parseCompletion(QByteArrayView body);
};

// An error as providers report it: {"error":{"message","type","code"}}. Lenient about the
// variants seen in the wild: code as number or string, "error" as a bare string.
struct OpenAiError
{
    QString message;
    QString type;
    QString code;

    static std::optional<OpenAiError> parse(QByteArrayView body);
    QString describe() const; // "message (type: x, code: y)"
};

// Writers of the wire format.
namespace OpenAiWire {

// The client's request body: {"model","messages","stream","temperature","max_tokens","stream_options"}.
// temperature < 0 and maxTokens <= 0 leave them out (the provider's defaults); usage is asked
// for only when streaming,
// because OpenAI rejects stream_options on a non-streamed request.
QByteArray requestBody(const QString &model, const QList<ChatMessage> &messages, bool stream,
                       double temperature, int maxTokens = 0);

// One "data: {chunk}" payload of our server's stream (without the SSE framing: see SseDecoder::encode).
// The first chunk of a stream should carry role "assistant" (pass withRole); finishReason empty
// writes null.
QByteArray makeChunk(const QString &id, const QString &model, qint64 created, const QString &deltaText,
                     const QString &finishReason = {}, bool withRole = false);
// The last chunk when the client asked for stream_options.include_usage: empty choices, usage set.
QByteArray makeUsageChunk(const QString &id, const QString &model, qint64 created, int promptTokens,
                          int completionTokens);
// A whole non-streamed "chat.completion" object.
QJsonObject makeCompletion(const QString &id, const QString &model, qint64 created, const QString &text,
                           const QString &finishReason, int promptTokens, int completionTokens);
// {"error":{"message","type","code"}}; code empty writes null.
QByteArray makeError(const QString &message, const QString &type, const QString &code = {});

// The stream's end sentinel, as a data payload.
inline QByteArray doneMarker()
{
    return QByteArrayLiteral("[DONE]");
}

} // namespace OpenAiWire
