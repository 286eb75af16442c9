#pragma once

#include "http/responsechannel.h"
#include "http/servercontext.h"

#include <QObject>

#include <qcoro/qcorotask.h>

#include <deque>
#include <memory>

class RequestTrace;

// POST /v1/chat and /v1/chat/stream on one worker loop: the three dispatch modes.
// Lives on the worker's thread; every method runs there unless it says otherwise.
class ChatEndpoint : public QObject
{
    Q_OBJECT
public:
    ChatEndpoint(int worker, ServerContext *context, QObject *parent = nullptr);
    ~ChatEndpoint() override;

    // Takes over an admitted, validated request. The answer is written to `channel` later.
    void accept(std::shared_ptr<ResponseChannel> channel, ChatRequest request,
                std::shared_ptr<const ServerConfig> config, std::shared_ptr<RequestTrace> trace);

private:
    struct Job
    {
        std::shared_ptr<ResponseChannel> channel;
        ChatRequest request;
        std::shared_ptr<const ServerConfig> config;
        std::shared_ptr<RequestTrace> trace;
        int pollSpan = -1;
    };

    QCoro::Task<> serve(Job job);
    ChatResult runOnThisLoop(Job &job, const TokenSink &sink, const CancelToken &cancel);
    QCoro::Task<ChatResult> runInExecutor(Job &job, const TokenSink &sink, const CancelToken &cancel);
    QCoro::Task<ChatResult> runAsync(Job &job, const TokenSink &sink, const CancelToken &cancel);
    void respond(Job &job, const ChatResult &result);
    QJsonObject identity(const Job &job) const;

    // seed 2's async_worker_loop: a queue between accepting a request and handling it.
    QCoro::Task<> intakeLoop();

    const int m_worker;
    ServerContext *m_context;
    std::deque<Job> m_intake;
    bool m_intakeRunning = false;
    bool m_stopping = false;
    class QTimer *m_intakeWake = nullptr;
};
