#pragma once

#include "http/chatprotocol.h"
#include "http/responsechannel.h"
#include "http/servercontext.h"

#include <QObject>
#include <coroutine>
#include <deque>
#include <memory>
#include <qcoro/qcorotask.h>

class RequestTrace;

// The chat endpoints on one worker loop (/v1/chat, /v1/chat/stream, /v1/chat/completions): intake,
// token delivery and the answer; the dispatch modes themselves are in pipeline/dispatch.h. The request's
// ChatProtocol decides the bytes; the pipeline is the same. Lives on the worker's thread; every method runs
// there unless it says otherwise.
class ChatEndpoint : public QObject
{
    Q_OBJECT
public:
    ChatEndpoint(int worker, ServerContext *context, QObject *parent = nullptr);
    ~ChatEndpoint() override;

    // Takes over an admitted, validated request. The answer is written to `channel` later.
    void accept(std::shared_ptr<ResponseChannel> channel, ChatRequest request,
                std::shared_ptr<const ServerConfig> config, std::shared_ptr<RequestTrace> trace,
                std::shared_ptr<const ChatProtocol> protocol);

private:
    struct Job
    {
        std::shared_ptr<ResponseChannel> channel;
        ChatRequest request;
        std::shared_ptr<const ServerConfig> config;
        std::shared_ptr<RequestTrace> trace;
        std::shared_ptr<const ChatProtocol> protocol;
        int pollSpan = -1;
        QByteArray streamStart {}; // written with the stream's head, whenever that goes out
    };

    QCoro::Task<> serve(Job job);
    void respond(Job &job, const ChatResult &result);
    static void writeStreamed(ResponseChannel &channel, const QByteArray &start, const QByteArray &chunk);
    ReplyIdentity identity(const Job &job) const;

    // seed 2's async_worker_loop: a queue between accepting a request and handling it.
    QCoro::Task<> intakeLoop();

    const int m_worker;
    ServerContext *m_context;
    std::deque<Job> m_intake;
    bool m_intakeRunning = false;
    bool m_stopping = false;
    // The intake loop suspended until a job arrives (seed 2's `await queue.get()`).
    std::coroutine_handle<> m_intakeWaiter;
    struct IntakeWait
    {
        ChatEndpoint *endpoint;
        bool await_ready() const noexcept { return false; }
        void await_suspend(std::coroutine_handle<> consumer) const noexcept
        {
            endpoint->m_intakeWaiter = consumer;
        }
        void await_resume() const noexcept { }
    };
};
