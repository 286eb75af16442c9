#pragma once

#include "llm/llmbackend.h"
#include "pipeline/dispatchpolicy.h"
#include "trace/requestrecord.h"

#include <QString>
#include <QtGlobal>
#include <atomic>
#include <functional>
#include <memory>
#include <qcoro/qcorotask.h>

class ConversationManager;
class InterpreterLock;
class ProcessPool;
class QThreadPool;
class RequestTrace;
struct ChatRequest;
struct ChatResult;
struct ServerConfig;
struct ServerCounters;

// Dispatch in one place: how a request's pipeline is run (the seeds' three ways of serving it),
// and the policies that follow from that choice. The HTTP layer asks these; it decides nothing.

// DispatchMode itself is in base/dispatchmode.h (records and run files carry it); ExecutorKind and
// the policies, pure functions that reports and scenarios ask too, are in pipeline/dispatchpolicy.h.

// How the pipeline runs its CPU-bound step when not on the calling thread (the executor's GIL
// model or a pool process). Returns false and fills `failure` when the executor failed.
using CpuStep = std::function<bool(qint64 cpuNs, RequestTrace &trace, ChatResult *failure)>;

// One call of the pipeline, as the endpoint hands it over. References: the caller keeps them
// alive until the returned task finishes.
struct DispatchCall
{
    const ChatRequest &request;
    const ServerConfig &config;
    RequestTrace &trace;
    const TokenSink &onToken;
    const CancelToken &cancel;
};

class Dispatcher
{
public:
    Dispatcher(std::shared_ptr<ConversationManager> manager, ServerCounters *counters, QThreadPool *threads,
               ProcessPool *processes, InterpreterLock *gil);

    // The mode's function below; a blocking call completes before this returns.
    QCoro::Task<ChatResult> run(DispatchMode mode, DispatchCall call);

    // Seed 1, "pseudo-async": response = conversation_manager.chat(...) right on the event loop.
    ChatResult blocking(const DispatchCall &call);
    // Seed 1's fix: await loop.run_in_executor(pool, conversation_manager.chat, ...).
    QCoro::Task<ChatResult> inExecutor(DispatchCall call);
    // Seed 2: await conversation_manager.chat_async(...); every wait is a co_await.
    QCoro::Task<ChatResult> async(DispatchCall call);

    // asyncio.create_task(prefetch_user_history(user_id)): warm the cache, do not wait.
    void prefetch(DispatchMode mode, const ChatRequest &request, std::shared_ptr<const ServerConfig> config);

private:
    // How the executor's pipeline runs its CPU-bound step: with the modelled GIL on a pool
    // thread, or shipped to a pool process.
    CpuStep executorCpuStep(const ServerConfig &config) const;

    std::shared_ptr<ConversationManager> m_manager;
    ServerCounters *m_counters;
    QThreadPool *m_threads;
    ProcessPool *m_processes;
    InterpreterLock *m_gil;
    std::atomic<int> m_nextPoolThread { 0 };
};
