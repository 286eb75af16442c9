#pragma once

#include <QtGlobal>
#include <coroutine>
#include <stop_token>

class QSocketNotifier;
class QTimer;

// The one place where the database drivers wait for their connection's socket, in the two ways
// the lesson compares:
// - block() holds the calling thread in poll() (psycopg2: nothing else runs on that thread);
// - `co_await SocketReady(...)` suspends the coroutine and puts the socket on the calling thread's
//   event dispatcher (the worker loop's epoll), so the loop serves other requests meanwhile
//   (asyncpg).
// Both give up at an absolute TraceClock deadline and then return false.
namespace SocketWait {

enum class Want : quint8 { Read, Write };

// `stop` (optional): a stop requested by another thread ends the wait too (false), within
// StopCheckMs; the server's start uses it so that closing the window never waits for a connect.
bool block(int fd, Want want, qint64 deadlineNs, const std::stop_token &stop = {});
constexpr int StopCheckMs = 20;

class SocketReady
{
public:
    SocketReady(int fd, Want want, qint64 deadlineNs)
        : m_fd(fd)
        , m_want(want)
        , m_deadlineNs(deadlineNs)
    { }
    ~SocketReady();
    // Copied (by GCC 12's co_await of a temporary) only before it suspends: no notifier yet.
    SocketReady(const SocketReady &other)
        : SocketReady(other.m_fd, other.m_want, other.m_deadlineNs)
    { }
    SocketReady &operator=(const SocketReady &) = delete;

    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> handle);
    bool await_resume() const noexcept { return m_ready; }

private:
    void finish(bool ready);

    int m_fd;
    Want m_want;
    qint64 m_deadlineNs;
    QSocketNotifier *m_notifier = nullptr;
    QTimer *m_timer = nullptr;
    std::coroutine_handle<> m_handle;
    bool m_ready = false;
    bool m_finished = false;
};

} // namespace SocketWait
