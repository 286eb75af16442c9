#pragma once

#include <QtGlobal>

class InterpreterLock;
class RequestTrace;

// The CPU-bound step of a request (seed 2's "async does not suit CPU-bound work": image
// processing, encryption): real computation, not a sleep. It hashes a buffer until the calling
// thread has used the asked CPU time, measured on the thread's own CPU clock
// (CLOCK_THREAD_CPUTIME_ID): time the thread spends preempted or waiting does not count, so on a
// busy machine the step takes longer in wall time, as real work would.
namespace CpuWork {

// The calling thread's CPU time, nanoseconds.
qint64 threadCpuNs();

// Hashes until `cpuNs` of this thread's CPU time are used, or until `stop` (checked about every
// 50 microseconds) says so. Returns the CPU time used; `*digest` gets the hash (so the work is
// observable and cannot be optimised away).
qint64 hashFor(qint64 cpuNs, bool (*stop)(void *) = nullptr, void *stopContext = nullptr,
               quint64 *digest = nullptr);

// The traced step, run on this thread: one CpuWork span. With `gil` (the thread-pool model of
// CPython) the thread takes turns at the lock; the turns are recorded by the lock itself
// (trace/locktrack.h) and the views split the span into its waits and holds from them; the
// span's count is the number of turns it took.
void run(qint64 cpuNs, RequestTrace &trace, InterpreterLock *gil = nullptr);

} // namespace CpuWork
