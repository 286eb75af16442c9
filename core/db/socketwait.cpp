#include "socketwait.h"

#include "base/traceclock.h"

#include <QSocketNotifier>
#include <QTimer>
#include <cerrno>
#include <poll.h>

namespace SocketWait {

bool block(int fd, Want want, qint64 deadlineNs, const std::stop_token &stop)
{
    pollfd p { fd, short(want == Want::Read ? POLLIN : POLLOUT), 0 };
    const qint64 sliceMs = stop.stop_possible() ? StopCheckMs : 60'000;
    for (;;) {
        const qint64 left = deadlineNs - TraceClock::nowNs();
        if (left <= 0 || stop.stop_requested())
            return false;
        const int rc = ::poll(&p, 1, int(std::min<qint64>((left + 999'999) / 1'000'000, sliceMs)));
        if (rc > 0)
            return true; // readable, writable, or an error libpq will report
        if (rc < 0 && errno != EINTR)
            return true;
    }
}

SocketReady::~SocketReady()
{
    // Not deleted here: this may run inside the notifier's own signal (the coroutine resumed from
    // it ends the wait), and a QObject must not be deleted while it emits.
    if (m_notifier) {
        m_notifier->setEnabled(false);
        m_notifier->deleteLater();
    }
    if (m_timer) {
        m_timer->stop();
        m_timer->deleteLater();
    }
}

void SocketReady::await_suspend(std::coroutine_handle<> handle)
{
    m_handle = handle;
    m_notifier
        = new QSocketNotifier(m_fd, m_want == Want::Read ? QSocketNotifier::Read : QSocketNotifier::Write);
    QObject::connect(m_notifier, &QSocketNotifier::activated, m_notifier, [this] { finish(true); });
    const qint64 left = m_deadlineNs - TraceClock::nowNs();
    m_timer = new QTimer;
    m_timer->setSingleShot(true);
    QObject::connect(m_timer, &QTimer::timeout, m_timer, [this] { finish(false); });
    m_timer->start(int(std::clamp<qint64>((left + 999'999) / 1'000'000, 0, 24 * 3600 * 1000)));
}

void SocketReady::finish(bool ready)
{
    if (m_finished)
        return;
    m_finished = true;
    m_ready = ready;
    m_notifier->setEnabled(false);
    m_timer->stop();
    m_handle.resume();
}

} // namespace SocketWait
