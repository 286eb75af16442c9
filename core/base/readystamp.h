#pragma once

#include <QtGlobal>

// When the thing a coroutine awaited became ready (TraceClock ns), for the loop_wait phase.
//
// asyncio keeps a ready queue: a timer that is due, or a socket epoll reported readable, makes its
// coroutine runnable, but the coroutine runs only when the loop gets to it. The gap is the loop's
// fault, not the awaited thing's. Whoever hands an event to a coroutine stamps the moment it was
// ready on the running thread: the epoll dispatcher (a timer's due time, the moment epoll_wait
// reported a socket, the first wake-up request for posted events) and Delays::sleepUntil (the
// sleep's due time). The resumed coroutine reads current() right after its co_await, while the
// stamping event is still being handled; 0 means nobody stamped (another dispatcher).
namespace ReadyStamp {

inline thread_local qint64 t_readyNs = 0;

inline void set(qint64 readyNs) noexcept
{
    t_readyNs = readyNs;
}

inline qint64 current() noexcept
{
    return t_readyNs;
}

// Sets the stamp for one delivery and clears it afterwards (the dispatcher's deliveries).
class Scope
{
public:
    explicit Scope(qint64 readyNs) noexcept { set(readyNs); }
    ~Scope() { set(0); }
    Scope(const Scope &) = delete;
    Scope &operator=(const Scope &) = delete;
};

} // namespace ReadyStamp
