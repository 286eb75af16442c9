#include "dispatchpolicy.h"

QString executorKindName(ExecutorKind kind)
{
    return kind == ExecutorKind::Processes ? QStringLiteral("process") : QStringLiteral("thread");
}

bool parseExecutorKind(const QString &text, ExecutorKind *kind)
{
    for (ExecutorKind k : { ExecutorKind::Threads, ExecutorKind::Processes }) {
        if (text.compare(executorKindName(k), Qt::CaseInsensitive) == 0) {
            *kind = k;
            return true;
        }
    }
    return false;
}

namespace DispatchPolicy {

bool acceptsOneAtATime(DispatchMode mode)
{
    return mode == DispatchMode::Blocking;
}

bool prefetchesOnLoop(DispatchMode mode)
{
    return mode == DispatchMode::Async;
}

bool tokensOffLoop(DispatchMode mode)
{
    return mode == DispatchMode::Executor;
}

bool holdsThread(DispatchMode mode, Phase phase)
{
    switch (phase) {
    case Phase::CpuWork:
    case Phase::GilWait:
        return true;
    case Phase::DbRead:
    case Phase::Llm:
    case Phase::DbWrite:
    case Phase::Prefetch:
        return mode != DispatchMode::Async;
    default:
        return false;
    }
}

} // namespace DispatchPolicy
