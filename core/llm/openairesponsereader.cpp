#include "openairesponsereader.h"

#include "base/traceclock.h"
#include "openaichunk.h"

namespace {

// Enough for any completion or error body; stops a misbehaving server from filling memory.
constexpr qsizetype MaxBodyBytes = 8 * 1024 * 1024;

LlmReply::Error errorForStatus(int status)
{
    if (status == 401 || status == 403)
        return LlmReply::Error::Unauthorized;
    if (status == 429)
        return LlmReply::Error::RateLimited;
    if (status == 408 || status == 504)
        return LlmReply::Error::Timeout;
    if (status >= 500)
        return LlmReply::Error::Upstream;
    return LlmReply::Error::BadRequest;
}

} // namespace

OpenAiResponseReader::OpenAiResponseReader(bool stream, QString secret)
    : m_stream(stream)
    , m_secret(std::move(secret))
{ }

void OpenAiResponseReader::setStatus(int httpStatus, const QByteArray &contentType)
{
    m_status = httpStatus;
    m_reply.upstreamStatus = httpStatus;
    // Only a successful event stream is read incrementally. Error bodies are JSON even when a
    // stream was asked for, and some servers ignore "stream": true and answer with one document.
    m_sse = httpStatus >= 200 && httpStatus < 300 && contentType.toLower().contains("text/event-stream");
}

void OpenAiResponseReader::feed(QByteArrayView bytes, const TokenSink &onToken)
{
    if (m_complete || bytes.isEmpty())
        return;
    if (!m_sse) {
        if (m_body.size() + bytes.size() <= MaxBodyBytes)
            m_body.append(bytes);
        return;
    }
    for (const SseEvent &event : m_decoder.feed(bytes)) {
        handleEvent(event, onToken);
        if (m_complete)
            return;
    }
}

void OpenAiResponseReader::handleEvent(const SseEvent &event, const TokenSink &onToken)
{
    const bool defaultEvent = event.event.isEmpty() || event.event == "message";
    const auto chunk = OpenAiChunk::parse(event.data);
    if (!chunk) {
        if (defaultEvent) {
            setError(LlmReply::Error::Upstream,
                     QStringLiteral("malformed stream chunk from upstream: %1")
                         .arg(scrub(event.text().left(200))));
        }
        return; // a named event we do not know (e.g. "ping"): skip it
    }
    if (chunk->done) {
        m_complete = true;
        return;
    }
    // OpenAI reports a failure inside an otherwise successful stream as a chunk holding "error".
    if (event.data.contains("\"error\"")) {
        if (const auto error = OpenAiError::parse(event.data)) {
            setError(
                LlmReply::Error::Upstream,
                QStringLiteral("upstream reported an error mid-stream: %1").arg(scrub(error->describe())));
            return;
        }
    }
    if ((!chunk->content.isEmpty() || !chunk->reasoning.isEmpty()) && m_reply.firstTokenNs == 0)
        m_reply.firstTokenNs = TraceClock::nowNs(); // reasoning counts: the model is producing
    if (!chunk->reasoning.isEmpty())
        m_reply.reasoning += chunk->reasoning;
    if (!chunk->content.isEmpty()) {
        m_reply.text += chunk->content;
        ++m_deltas;
        if (onToken)
            onToken(chunk->content);
    }
    if (!chunk->finishReason.isEmpty())
        m_finishSeen = true;
    if (chunk->hasUsage) {
        m_usageSeen = true;
        m_reply.promptTokens = chunk->promptTokens;
        m_reply.completionTokens = chunk->completionTokens;
    }
}

LlmReply OpenAiResponseReader::finish(const QString &transportError)
{
    if (m_reply.error != LlmReply::Error::None)
        return m_reply;
    if (m_status == 0) {
        setError(LlmReply::Error::Network,
                 transportError.isEmpty() ? QStringLiteral("no response from upstream") : transportError);
        return m_reply;
    }
    if (m_sse) {
        for (const SseEvent &event : m_decoder.finish()) {
            if (m_complete || m_reply.error != LlmReply::Error::None)
                break;
            handleEvent(event, {}); // a last event without its blank line; no delta is lost
        }
        if (m_reply.error != LlmReply::Error::None)
            return m_reply;
        // Older llama.cpp servers end with finish_reason and no [DONE]: accept a clean close then.
        const bool whole = m_complete || (m_finishSeen && transportError.isEmpty());
        if (!whole) {
            setError(LlmReply::Error::Upstream,
                     transportError.isEmpty()
                         ? QStringLiteral("upstream stream ended before [DONE]")
                         : QStringLiteral("upstream stream cut before [DONE]: %1").arg(transportError));
            return m_reply;
        }
    } else {
        fromBody();
        if (m_reply.error != LlmReply::Error::None)
            return m_reply;
    }
    m_reply.tokens = m_usageSeen ? m_reply.completionTokens : m_deltas;
    if (!m_usageSeen)
        m_reply.completionTokens = m_deltas;
    return m_reply;
}

void OpenAiResponseReader::fromBody()
{
    if (m_status < 200 || m_status >= 300) {
        const auto error = OpenAiError::parse(m_body);
        QString detail = error ? error->describe() : QString::fromUtf8(m_body.left(300)).simplified();
        if (detail.isEmpty())
            detail = QStringLiteral("no details");
        setError(errorForStatus(m_status),
                 QStringLiteral("upstream answered HTTP %1: %2").arg(m_status).arg(scrub(detail)));
        return;
    }
    const auto completion = OpenAiChunk::parseCompletion(m_body);
    if (!completion) {
        if (const auto error = OpenAiError::parse(m_body)) {
            setError(LlmReply::Error::Upstream,
                     QStringLiteral("upstream reported an error: %1").arg(scrub(error->describe())));
        } else {
            setError(LlmReply::Error::Upstream,
                     QStringLiteral("upstream sent a body that is not a chat completion: %1")
                         .arg(scrub(QString::fromUtf8(m_body.left(200)).simplified())));
        }
        return;
    }
    m_reply.text = completion->content;
    m_reply.reasoning = completion->reasoning;
    m_deltas = completion->content.isEmpty() ? 0 : 1;
    if (completion->hasUsage) {
        m_usageSeen = true;
        m_reply.promptTokens = completion->promptTokens;
        m_reply.completionTokens = completion->completionTokens;
    }
    // Not streamed: the first token is seen when the whole answer arrives.
    m_reply.firstTokenNs = TraceClock::nowNs();
    m_complete = true;
}

LlmReply OpenAiResponseReader::fail(LlmReply::Error error, const QString &message)
{
    if (m_reply.error == LlmReply::Error::None)
        setError(error, message);
    return m_reply;
}

void OpenAiResponseReader::setError(LlmReply::Error error, const QString &message)
{
    m_reply.error = error;
    m_reply.errorMessage = scrub(message);
    m_complete = true;
}

QString OpenAiResponseReader::scrub(QString text) const
{
    // Some providers echo the key they rejected; never let it reach a log or a report.
    if (m_secret.size() >= 4)
        text.replace(m_secret, QStringLiteral("***"));
    return text;
}
