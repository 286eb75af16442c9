#include "epolleventdispatcher.h"

#include "base/readystamp.h"

#include <QCoreApplication>
#include <QSocketNotifier>
#include <cerrno>
#include <ctime>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace {

qint64 monotonicNs()
{
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return qint64(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

constexpr quint32 ReadEvents = EPOLLIN | EPOLLRDHUP;
constexpr quint32 WriteEvents = EPOLLOUT;
constexpr quint32 ExceptionEvents = EPOLLPRI;

} // namespace

EpollEventDispatcher::EpollEventDispatcher(QObject *parent)
    : QAbstractEventDispatcher(parent)
    , m_epoll(epoll_create1(EPOLL_CLOEXEC))
    , m_wakeFd(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC))
{
    if (m_epoll < 0 || m_wakeFd < 0)
        qFatal("EpollEventDispatcher: cannot create epoll or eventfd: %s", strerror(errno));
    epoll_event ev {};
    ev.events = EPOLLIN;
    ev.data.fd = m_wakeFd;
    epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_wakeFd, &ev);
}

EpollEventDispatcher::~EpollEventDispatcher()
{
    ::close(m_wakeFd);
    ::close(m_epoll);
}

// ---------------------------------------------------------------------------------------------
// Sockets

void EpollEventDispatcher::updateEpoll(int fd, const Notifiers &n, quint32 previous)
{
    epoll_event ev {};
    ev.events = n.events;
    ev.data.fd = fd;
    if (n.events == 0) {
        epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, &ev); // may fail with EBADF: the fd closed first
        return;
    }
    // The kernel forgets a descriptor when it is closed, and the number can come back for a new
    // socket before its old notifiers were unregistered: fall back between ADD and MOD.
    const int op = previous == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
    if (epoll_ctl(m_epoll, op, fd, &ev) != 0) {
        if (errno == ENOENT)
            epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &ev);
        else if (errno == EEXIST)
            epoll_ctl(m_epoll, EPOLL_CTL_MOD, fd, &ev);
    }
}

void EpollEventDispatcher::registerSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    Notifiers &n = m_notifiers[fd];
    const quint32 previous = n.events;
    switch (notifier->type()) {
    case QSocketNotifier::Read:
        n.read = notifier;
        n.events |= ReadEvents;
        break;
    case QSocketNotifier::Write:
        n.write = notifier;
        n.events |= WriteEvents;
        break;
    case QSocketNotifier::Exception:
        n.exception = notifier;
        n.events |= ExceptionEvents;
        break;
    }
    if (n.events != previous)
        updateEpoll(fd, n, previous);
}

void EpollEventDispatcher::unregisterSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    auto it = m_notifiers.find(fd);
    if (it == m_notifiers.end())
        return;
    Notifiers &n = it->second;
    const quint32 previous = n.events;
    if (n.read == notifier) {
        n.read = nullptr;
        n.events &= ~ReadEvents;
    } else if (n.write == notifier) {
        n.write = nullptr;
        n.events &= ~WriteEvents;
    } else if (n.exception == notifier) {
        n.exception = nullptr;
        n.events &= ~ExceptionEvents;
    } else {
        return;
    }
    updateEpoll(fd, n, previous);
    if (n.events == 0)
        m_notifiers.erase(it);
}

EpollEventDispatcher *EpollEventDispatcher::current()
{
    return qobject_cast<EpollEventDispatcher *>(QAbstractEventDispatcher::instance());
}

bool EpollEventDispatcher::watchFd(int fd, quint32 epollEvents, FdWatcher *watcher)
{
    epoll_event ev {};
    ev.events = epollEvents;
    ev.data.fd = fd;
    if (epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &ev) != 0)
        return false;
    m_watchers[fd] = watcher;
    return true;
}

void EpollEventDispatcher::modifyFd(int fd, quint32 epollEvents)
{
    epoll_event ev {};
    ev.events = epollEvents;
    ev.data.fd = fd;
    epoll_ctl(m_epoll, EPOLL_CTL_MOD, fd, &ev);
}

void EpollEventDispatcher::unwatchFd(int fd)
{
    if (m_watchers.erase(fd) > 0)
        epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, nullptr);
}

// ---------------------------------------------------------------------------------------------
// Timers: a map of live timers and a min-heap of deadlines. Stopping a timer only drops it from
// the map; its heap entry is skipped when it comes up (or when the heap is compacted).

void EpollEventDispatcher::registerTimer(int timerId, qint64 interval, Qt::TimerType timerType,
                                         QObject *object)
{
    Timer t;
    t.intervalNs = std::max<qint64>(0, interval) * 1'000'000;
    t.deadlineNs = monotonicNs() + t.intervalNs;
    t.type = timerType;
    t.object = object;
    t.generation = m_nextGeneration++;
    m_timers[timerId] = t;
    m_due.push({ t.deadlineNs, timerId, t.generation });
    if (m_due.size() > 1024 && m_due.size() > 4 * m_timers.size())
        compactTimers();
}

bool EpollEventDispatcher::unregisterTimer(int timerId)
{
    return m_timers.erase(timerId) > 0;
}

bool EpollEventDispatcher::unregisterTimers(QObject *object)
{
    bool any = false;
    for (auto it = m_timers.begin(); it != m_timers.end();) {
        if (it->second.object == object) {
            it = m_timers.erase(it);
            any = true;
        } else {
            ++it;
        }
    }
    return any;
}

QList<QAbstractEventDispatcher::TimerInfo> EpollEventDispatcher::registeredTimers(QObject *object) const
{
    QList<TimerInfo> out;
    for (const auto &[id, t] : m_timers) {
        if (t.object == object)
            out.append(TimerInfo(id, int(t.intervalNs / 1'000'000), t.type));
    }
    return out;
}

int EpollEventDispatcher::remainingTime(int timerId)
{
    auto it = m_timers.find(timerId);
    if (it == m_timers.end())
        return -1;
    return int(std::max<qint64>(0, it->second.deadlineNs - monotonicNs()) / 1'000'000);
}

void EpollEventDispatcher::compactTimers()
{
    std::vector<Due> live;
    live.reserve(m_timers.size());
    for (const auto &[id, t] : m_timers)
        live.push_back({ t.deadlineNs, id, t.generation });
    m_due = std::priority_queue<Due, std::vector<Due>, std::greater<>>(std::greater<>(), std::move(live));
}

qint64 EpollEventDispatcher::nextDeadlineNs()
{
    while (!m_due.empty()) {
        const Due &top = m_due.top();
        auto it = m_timers.find(top.id);
        if (it != m_timers.end() && it->second.generation == top.generation)
            return top.deadlineNs;
        m_due.pop(); // stopped or restarted since
    }
    return -1;
}

int EpollEventDispatcher::fireTimers()
{
    // Take every timer due now first, then deliver: a timer that a handler restarts (or a
    // zero-interval timer) fires again on the next pass, not in a loop within this one.
    const qint64 now = monotonicNs();
    m_firing.clear();
    for (qint64 d = nextDeadlineNs(); d >= 0 && d <= now; d = nextDeadlineNs()) {
        m_firing.push_back(m_due.top());
        m_due.pop();
    }
    int fired = 0;
    for (const Due &due : m_firing) {
        auto it = m_timers.find(due.id);
        if (it == m_timers.end() || it->second.generation != due.generation)
            continue; // stopped by an earlier handler of this pass
        Timer &t = it->second;
        t.deadlineNs += t.intervalNs;
        if (t.deadlineNs < now)
            t.deadlineNs = now + t.intervalNs; // late: skip the missed beats, as Qt does
        t.generation = m_nextGeneration++;
        m_due.push({ t.deadlineNs, due.id, t.generation });
        QObject *object = t.object;
        QTimerEvent event(due.id);
        ReadyStamp::Scope ready(due.deadlineNs);
        QCoreApplication::sendEvent(object, &event);
        ++fired;
    }
    return fired;
}

// ---------------------------------------------------------------------------------------------

void EpollEventDispatcher::wakeUp()
{
    if (m_wokenAtNs.load(std::memory_order_relaxed) == 0) {
        qint64 none = 0;
        m_wokenAtNs.compare_exchange_strong(none, monotonicNs(), std::memory_order_relaxed);
    }
    int expected = 0;
    if (!m_wakeUps.compare_exchange_strong(expected, 1, std::memory_order_acq_rel))
        return; // a wake-up is already on its way
    const quint64 one = 1;
    [[maybe_unused]] const ssize_t n = ::write(m_wakeFd, &one, sizeof(one));
}

void EpollEventDispatcher::interrupt()
{
    m_interrupted.store(true, std::memory_order_release);
    wakeUp();
}

bool EpollEventDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags)
{
    emit awake();
    {
        ReadyStamp::Scope ready(m_wokenAtNs.exchange(0, std::memory_order_relaxed));
        QCoreApplication::sendPostedEvents();
    }

    if (m_interrupted.exchange(false, std::memory_order_acq_rel))
        return false;

    const bool timersAllowed = !(flags & QEventLoop::X11ExcludeTimers);
    const bool wait = flags & QEventLoop::WaitForMoreEvents;
    timespec timeout { 0, 0 };
    const timespec *timeoutPtr = &timeout;
    if (wait) {
        const qint64 next = timersAllowed ? nextDeadlineNs() : -1;
        if (next < 0) {
            timeoutPtr = nullptr; // nothing scheduled: sleep until a socket or a wake-up
        } else {
            const qint64 ns = std::max<qint64>(0, next - monotonicNs());
            timeout.tv_sec = time_t(ns / 1'000'000'000);
            timeout.tv_nsec = long(ns % 1'000'000'000);
        }
        emit aboutToBlock();
    }

    epoll_event events[256];
    int n = epoll_pwait2(m_epoll, events, 256, timeoutPtr, nullptr); // nanosecond timeout
    if (n < 0 && errno == ENOSYS) {
        // Kernels before 5.11: millisecond timeouts, rounded up so a timer is never early.
        const int ms
            = timeoutPtr ? int((timeout.tv_sec * 1'000'000'000 + timeout.tv_nsec + 999'999) / 1'000'000) : -1;
        n = epoll_wait(m_epoll, events, 256, ms);
    }
    if (n < 0)
        n = 0; // EINTR
    const qint64 polledNs = n > 0 ? monotonicNs() : 0; // these sockets were ready from here on
    bool didWork = false;
    const bool socketsAllowed = !(flags & QEventLoop::ExcludeSocketNotifiers);
    for (int i = 0; i < n; ++i) {
        const int fd = events[i].data.fd;
        if (fd == m_wakeFd) {
            quint64 value;
            [[maybe_unused]] const ssize_t r = ::read(m_wakeFd, &value, sizeof(value));
            m_wakeUps.store(0, std::memory_order_release);
            didWork = true;
            continue;
        }
        if (!socketsAllowed)
            continue;
        const quint32 e = events[i].events;
        // A raw watcher (looked up per event: an earlier handler of this pass may have removed it).
        if (const auto w = m_watchers.find(fd); w != m_watchers.end()) {
            ReadyStamp::Scope ready(polledNs);
            w->second->fdEvents(e);
            didWork = true;
            continue;
        }
        // Look the notifiers up again for each kind: an earlier handler may have removed them.
        auto deliver = [&](QSocketNotifier *Notifiers::*member) {
            auto it = m_notifiers.find(fd);
            if (it == m_notifiers.end() || !(it->second.*member))
                return;
            QSocketNotifier *notifier = it->second.*member;
            QEvent event(QEvent::SockAct);
            ReadyStamp::Scope ready(polledNs);
            QCoreApplication::sendEvent(notifier, &event);
            didWork = true;
        };
        if (e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
            deliver(&Notifiers::read);
        if (e & (EPOLLOUT | EPOLLHUP | EPOLLERR))
            deliver(&Notifiers::write);
        if (e & EPOLLPRI)
            deliver(&Notifiers::exception);
    }
    if (timersAllowed && fireTimers() > 0)
        didWork = true;
    return didWork;
}
