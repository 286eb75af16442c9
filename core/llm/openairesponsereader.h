#pragma once

#include "llmbackend.h"
#include "ssedecoder.h"

#include <QByteArray>

// Turns the HTTP response of one chat-completions call into an LlmReply, whatever carries the
// bytes: OpenAiBackend feeds it from a QNetworkReply, tests feed it directly. It knows the wire
// format (SSE chunks, [DONE], usage, reasoning_content, error bodies) and how each outcome maps to
// LlmReply::Error; it knows nothing of sockets, threads or timeouts.
class OpenAiResponseReader
{
public:
    // stream: the request asked for a stream. secret: text to mask in provider messages (the key).
    explicit OpenAiResponseReader(bool stream, QString secret = {});

    // Response headers arrived.
    void setStatus(int httpStatus, const QByteArray &contentType);
    bool hasStatus() const { return m_status != 0; }
    int status() const { return m_status; }

    // Body bytes, split anywhere. Text deltas go to onToken (may be empty) as they complete.
    void feed(QByteArrayView bytes, const TokenSink &onToken);

    // The reply is whole ([DONE] seen) or the stream reported an error: stop reading.
    bool isComplete() const { return m_complete; }
    bool hasFirstToken() const { return m_reply.firstTokenNs != 0; }

    // The body ended. transportError is empty when the connection closed cleanly, otherwise
    // what went wrong with it (the stream was cut).
    LlmReply finish(const QString &transportError = {});
    // The call failed before or beside the response (timeout, cancel, refused connection).
    LlmReply fail(LlmReply::Error error, const QString &message);

    QString scrub(QString text) const;

private:
    void handleEvent(const SseEvent &event, const TokenSink &onToken);
    void fromBody();
    void setError(LlmReply::Error error, const QString &message);

    const bool m_stream;
    const QString m_secret;
    int m_status = 0;
    bool m_sse = false; // the body is an event stream (else one JSON document)
    bool m_complete = false;
    bool m_finishSeen = false; // a chunk carried finish_reason
    int m_deltas = 0;
    bool m_usageSeen = false;
    SseDecoder m_decoder;
    QByteArray m_body; // non-SSE bodies: JSON completions and error bodies
    LlmReply m_reply;
};
