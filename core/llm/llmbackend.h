#pragma once

#include "base/chatmessage.h"

#include <QList>
#include <QString>
#include <atomic>
#include <functional>
#include <memory>
#include <qcoro/qcorotask.h>

struct LlmRequest
{
    QList<ChatMessage> messages;
    quint64 requestId = 0; // for reproducible simulated latencies and for logs
    bool stream = true; // the caller wants tokens as they come
    // The conversation's own model settings; unset: the backend's configuration decides.
    QString model;
    double temperature = -1; // < 0: unset
    int maxTokens = 0; // <= 0: unset
};

struct LlmReply
{
    enum class Error {
        None,
        Cancelled, // the caller stopped it
        Timeout, // connect / first-token / total timeout
        Unauthorized, // 401/403 from the provider
        RateLimited, // 429
        Upstream, // 5xx or a malformed / cut stream
        Network, // refused, reset, DNS
        BadRequest, // 400 from the provider
    };
    QString text;
    QString reasoning; // GLM's reasoning_content, when present
    int tokens = 0;
    int promptTokens = 0;
    int completionTokens = 0;
    qint64 firstTokenNs = 0;
    // When the whole reply was there: the last token's due time (simulated), or when the loop's
    // dispatcher saw the last bytes ready (OpenAI). 0: unknown. The await may resume later.
    qint64 readyNs = 0;
    Error error = Error::None;
    int upstreamStatus = 0;
    QString errorMessage;

    bool ok() const { return error == Error::None; }
};

QString llmErrorName(LlmReply::Error error);

// Called with each text delta as it arrives, on the thread that called complete()/completeAsync().
using TokenSink = std::function<void(const QString &delta)>;

// Shared flag the caller sets to stop a call (the chat window's Stop, a client that went away).
class CancelToken
{
public:
    CancelToken()
        : m_flag(std::make_shared<std::atomic<bool>>(false))
    { }
    void cancel() const { m_flag->store(true, std::memory_order_release); }
    bool isCancelled() const { return m_flag->load(std::memory_order_acquire); }

private:
    std::shared_ptr<std::atomic<bool>> m_flag;
};

// The model the pipeline talks to. One implementation, two ways to call it:
// complete() holds the calling thread until the reply is whole (the seeds' synchronous GLM SDK,
// used by the blocking and executor modes); completeAsync() never blocks its thread (async mode).
// Implementations are thread-safe: many threads call complete() at once.
class LlmBackend
{
public:
    virtual ~LlmBackend();
    virtual QString name() const = 0;
    virtual LlmReply complete(const LlmRequest &request, const TokenSink &onToken, const CancelToken &cancel)
        = 0;
    virtual QCoro::Task<LlmReply> completeAsync(LlmRequest request, TokenSink onToken, CancelToken cancel)
        = 0;
};
