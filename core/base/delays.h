#pragma once

#include <QtGlobal>
#include <qcoro/qcorotask.h>

// The two ways the pipeline waits out a simulated delay, side by side:
// - blockFor/blockUntil hold the calling thread (time.sleep in the seeds);
// - sleepUntil suspends the coroutine on a precise timer and frees the thread (asyncio.sleep).
// Deadlines are absolute TraceClock nanoseconds, so a chain of waits never drifts.
// sleepUntil leaves its due time in ReadyStamp: a caller resumed late by a busy loop books the
// time after it as loop_wait, not as part of the wait.
namespace Delays {

void blockUntil(qint64 deadlineNs);
void blockFor(qint64 durationNs);
QCoro::Task<> sleepUntil(qint64 deadlineNs);
QCoro::Task<> sleepFor(qint64 durationNs);

// The calling thread's loop is about to end (its server stopped): every coroutine asleep in
// sleepUntil/sleepFor on this thread wakes now, and later sleeps on it return at once, so that
// what awaited them runs to its end instead of staying suspended (and leaking) forever.
void wakeSleepersForStop();

} // namespace Delays
