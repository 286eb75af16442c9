#include "workerlistener.h"

#include <QSocketNotifier>
#include <QTimer>
#include <sys/socket.h>
#include <unistd.h>

WorkerListener::WorkerListener(QObject *parent)
    : QObject(parent)
{ }

WorkerListener::~WorkerListener()
{
    stopAccepting();
}

bool WorkerListener::adopt(int listenFd)
{
    m_fd = ::dup(listenFd);
    if (m_fd < 0)
        return false;
    m_notifier = new QSocketNotifier(qintptr(m_fd), QSocketNotifier::Read, this);
    m_resume = new QTimer(this);
    m_resume->setSingleShot(true);
    m_resume->setInterval(50);
    connect(m_resume, &QTimer::timeout, this, &WorkerListener::requestArrived);
    connect(m_notifier, &QSocketNotifier::activated, this, &WorkerListener::acceptReady);
    return true;
}

void WorkerListener::drainBacklog()
{
    // Connections the kernel already completed are clients that sent a request and wait for
    // it: take them all now, so that a graceful stop answers them instead of resetting them.
    while (m_fd >= 0 && acceptOne()) { }
}

void WorkerListener::stopAccepting(bool takeBacklog)
{
    if (takeBacklog)
        drainBacklog();
    delete m_resume;
    m_resume = nullptr;
    delete m_notifier;
    m_notifier = nullptr;
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
    }
}

void WorkerListener::acceptReady()
{
    // Blocking mode takes one connection and pauses (see the header). Otherwise a loop takes
    // everything the kernel has queued, as uvicorn (asyncio) does: a burst of thousands of
    // connections then drains in a few wake-ups instead of one wake-up per connection, and the
    // kernel's accept queue never overflows into dropped SYNs and client retries. Bounded per
    // wake-up so that a flood of connections cannot starve the requests already accepted.
    if (m_pauseAfterAccept && m_pauseAfterAccept()) {
        acceptOne();
        return;
    }
    for (int i = 0; i < MaxAcceptsPerWakeUp && m_notifier && m_notifier->isEnabled() && acceptOne(); ++i) { }
}

bool WorkerListener::acceptOne()
{
    const int fd = ::accept4(m_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0)
        return false; // another worker won the race (EAGAIN), or a transient error (EMFILE...)
    if (m_pauseAfterAccept && m_pauseAfterAccept()) {
        m_notifier->setEnabled(false);
        m_resume->start();
    }
    if (m_onAccepted)
        m_onAccepted(fd); // the worker's connection set takes it over
    else
        ::close(fd);
    return true;
}

void WorkerListener::requestArrived()
{
    if (m_resume)
        m_resume->stop();
    if (m_notifier)
        m_notifier->setEnabled(true);
}
