#include "dispatch.h"

#include "base/threadregistry.h"
#include "base/traceclock.h"
#include "pipeline/conversationmanager.h"
#include "pipeline/cpuwork.h"
#include "pipeline/interpreterlock.h"
#include "pipeline/processpool.h"
#include "pipeline/requesttrace.h"
#include "trace/servercounters.h"

#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>
#include <qcoro/qcorofuture.h>

namespace {

// Counter bookkeeping as scope guards: +1 now, -1 when the scope ends, whatever way it ends.
class CountedScope
{
public:
    explicit CountedScope(std::atomic<int> &counter)
        : m_counter(&counter)
    {
        m_counter->fetch_add(1, std::memory_order_relaxed);
    }
    ~CountedScope() { end(); }
    void end()
    {
        if (m_counter)
            std::exchange(m_counter, nullptr)->fetch_sub(1, std::memory_order_relaxed);
    }
    CountedScope(const CountedScope &) = delete;
    CountedScope &operator=(const CountedScope &) = delete;

private:
    std::atomic<int> *m_counter;
};

void namePoolThread(std::atomic<int> &next)
{
    thread_local bool named = false;
    if (!named) {
        ThreadRegistry::nameCurrentThread(QStringLiteral("pool-%1").arg(next.fetch_add(1)),
                                          LaneKind::PoolThread);
        named = true;
    }
}

} // namespace

Dispatcher::Dispatcher(std::shared_ptr<ConversationManager> manager, ServerCounters *counters,
                       QThreadPool *threads, ProcessPool *processes, InterpreterLock *gil)
    : m_manager(std::move(manager))
    , m_counters(counters)
    , m_threads(threads)
    , m_processes(processes)
    , m_gil(gil)
{ }

QCoro::Task<ChatResult> Dispatcher::run(DispatchMode mode, DispatchCall call)
{
    switch (mode) {
    case DispatchMode::Blocking:
        co_return blocking(call); // never suspends: the loop is held until it returns
    case DispatchMode::Executor:
        co_return co_await inExecutor(call);
    case DispatchMode::Async:
        co_return co_await async(call);
    }
    co_return ChatResult {};
}

ChatResult Dispatcher::blocking(const DispatchCall &call)
{
    // Until it returns, this worker reads, accepts and answers nothing else.
    call.trace.markStarted();
    return m_manager->chat(call.request, call.config, call.trace, call.onToken, call.cancel);
}

QCoro::Task<ChatResult> Dispatcher::inExecutor(DispatchCall call)
{
    // The pipeline runs on a pool thread; this loop serves others until the future resolves.
    auto waiting = std::make_shared<CountedScope>(m_counters->waiting);
    auto queued = std::make_shared<CountedScope>(m_counters->poolQueued);
    const int queuedSpan = call.trace.beginSpan(Phase::Queued);
    // The future is a named local, not a temporary inside the co_await: GCC 12 destroys such a
    // temporary's captures twice (found by ASan: the guards' shared count was freed early).
    // When the pool thread finished: the future was ready then, however late the loop resumes us.
    auto finishedNs = std::make_shared<std::atomic<qint64>>(0);
    QFuture<ChatResult> future
        = QtConcurrent::run(m_threads, [this, call, waiting, queued, queuedSpan, finishedNs] {
              namePoolThread(m_nextPoolThread);
              queued->end();
              waiting->end();
              CountedScope active(m_counters->poolActive);
              call.trace.endSpan(queuedSpan);
              call.trace.markStarted();
              ChatResult result = m_manager->chat(call.request, call.config, call.trace, call.onToken,
                                                  call.cancel, executorCpuStep(call.config));
              finishedNs->store(TraceClock::nowNs(), std::memory_order_release);
              return result;
          });
    ChatResult result = co_await future;
    call.trace.loopWaitSince(finishedNs->load(std::memory_order_acquire));
    co_return result;
}

QCoro::Task<ChatResult> Dispatcher::async(DispatchCall call)
{
    call.trace.markStarted();
    co_return co_await m_manager->chatAsync(call.request, call.config, call.trace, call.onToken, call.cancel);
}

void Dispatcher::prefetch(DispatchMode mode, const ChatRequest &request,
                          std::shared_ptr<const ServerConfig> config)
{
    if (DispatchPolicy::prefetchesOnLoop(mode)) {
        m_manager->prefetchAsync(request.userId, request.sessionId, *config);
        return;
    }
    m_threads->start([manager = m_manager, userId = request.userId, sessionId = request.sessionId, config] {
        manager->prefetchBlocking(userId, sessionId, *config);
    });
}

CpuStep Dispatcher::executorCpuStep(const ServerConfig &config) const
{
    if (config.executor == ExecutorKind::Processes && m_processes) {
        // run_in_executor(process_pool, heavy_computation): the step runs in a pool process.
        ProcessPool *pool = m_processes;
        return
            [pool, size = config.processPoolSize()](qint64 cpuNs, RequestTrace &trace, ChatResult *failure) {
                return pool->runCpuWork(cpuNs, size, trace, failure);
            };
    }
    if (config.gil && m_gil) {
        // CPython's thread pool: the step needs the interpreter lock.
        InterpreterLock *gil = m_gil;
        return [gil](qint64 cpuNs, RequestTrace &trace, ChatResult *) {
            CpuWork::run(cpuNs, trace, gil);
            return true;
        };
    }
    return {}; // C++ threads: on this pool thread, in parallel with the others
}
