#pragma once

#include "base/dispatchmode.h"
#include "trace/requestrecord.h"

#include <QString>

// The policies that follow from a dispatch mode, asked by the HTTP layer (accept, prefetch, token
// delivery), the views and the reports (which spans hold a thread). Pure functions, so that the
// report and scenario code can use them without the executors. The dispatch itself: dispatch.h.

// Which executor the Executor mode hands the pipeline to (seed 1's ThreadPool vs ProcessPool).
enum class ExecutorKind : quint8 {
    Threads, // ThreadPoolExecutor: light, fast to start; under CPython, limited by the GIL
    Processes, // ProcessPoolExecutor: heavy, slow to start; bypasses the GIL
};

QString executorKindName(ExecutorKind kind);
bool parseExecutorKind(const QString &text, ExecutorKind *kind);

namespace DispatchPolicy {

// Accept policy: a loop that runs the pipeline inline cannot serve two requests at once, so it
// takes one connection at a time (Gunicorn's sync worker); the other modes accept freely.
bool acceptsOneAtATime(DispatchMode mode);
// Prefetch policy: asyncio.create_task(prefetch(...)) on the loop in async mode; a fire-and-
// forget pool job in the others (a blocking prefetch on the loop would block it twice).
bool prefetchesOnLoop(DispatchMode mode);
// Tokens are produced on another thread than the loop that owns the socket (executor mode):
// they must be handed to the loop, not written directly.
bool tokensOffLoop(DispatchMode mode);

// Whether the thread that ran a span of `phase` could do nothing else meanwhile: the blocking
// modes' waits, and CPU work in every mode (async included: that is the lesson).
bool holdsThread(DispatchMode mode, Phase phase);

} // namespace DispatchPolicy
