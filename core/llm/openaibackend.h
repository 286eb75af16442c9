#pragma once

#include "llmbackend.h"
#include "providerpreset.h"

#include <QNetworkRequest>
#include <memory>
#include <mutex>

class QThread;
class QObject;

// A real model behind any OpenAI-compatible chat-completions endpoint (GLM, OpenAI, Ollama,
// llama.cpp server, LM Studio, ...). There is exactly one implementation of the call, the
// coroutine exchange(): it builds the request, reads the stream through OpenAiResponseReader,
// enforces the timeouts and honours the CancelToken. The two entry points only decide where it runs:
// - completeAsync() runs it on the caller's own event loop and suspends, never blocking (async mode);
// - complete() runs it on this backend's I/O thread and holds the caller until the reply is whole,
//   handing it the tokens on its own thread (the seeds' synchronous SDK; blocking and executor modes).
// The backend must outlive the calls made on it.
class OpenAiBackend final : public LlmBackend
{
public:
    explicit OpenAiBackend(OpenAiConfig config);
    ~OpenAiBackend() override;

    QString name() const override { return QStringLiteral("openai"); }
    LlmReply complete(const LlmRequest &request, const TokenSink &onToken,
                      const CancelToken &cancel) override;
    QCoro::Task<LlmReply> completeAsync(LlmRequest request, TokenSink onToken, CancelToken cancel) override;

    const OpenAiConfig &config() const { return m_config; }

    // {baseUrl}/chat/completions (a base URL that already ends in it is taken as is).
    static QUrl endpoint(const QString &baseUrl);
    // The HTTP request both entry points send, headers included (the key as a Bearer token).
    static QNetworkRequest networkRequest(const OpenAiConfig &config, bool stream);
    // The messages sent: the config's system prompt first unless the request brings its own.
    static QList<ChatMessage> messagesFor(const OpenAiConfig &config, const LlmRequest &request);

    // How often a waiting call looks at its CancelToken and its deadlines.
    static constexpr int PollIntervalMs = 25;

private:
    static QCoro::Task<LlmReply> exchange(OpenAiConfig config, LlmRequest request, TokenSink onToken,
                                          CancelToken cancel);
    QObject *ioContext();

    const OpenAiConfig m_config;
    std::once_flag m_ioStarted;
    std::unique_ptr<QThread> m_ioThread;
    QObject *m_ioContext = nullptr; // lives on m_ioThread; the coroutines of complete() run there
};
