#pragma once

#include <QAbstractEventDispatcher>
#include <atomic>
#include <queue>
#include <unordered_map>
#include <vector>

// An event dispatcher for the server's worker loops and the load generator's threads, on Linux
// epoll, with timers in a heap.
//
// Why: Qt 6.4's own dispatchers (GLib's and the UNIX one) poll() every socket of the thread on
// every pass of the loop, and keep timers in a list searched linearly on every stop. With
// 10,000 open connections and as many pending timers (seed 2's "one async worker holds thousands
// of connections"), those two linear walks were most of the server's time (measured with perf;
// docs/BENCHMARKS.md), so LoopScope's loop, not the lesson, set the makespan. epoll reports only
// the sockets that are ready, and a heap finds the next timer in O(log n), which is what asyncio
// (and so uvicorn) does too.
//
// Behaviour matches Qt's UNIX dispatcher: level-triggered socket notifiers, precise timers for
// every timer type, posted events first on every pass, wake-ups coalesced to one eventfd write.
// Every delivery carries the moment its event was ready (base/readystamp.h): a timer's due time,
// the moment epoll_wait reported the socket, the first wake-up request for posted events. What a
// handler runs after that moment, it runs late because the loop was busy (the loop_wait phase).
// Install it on a QThread before starting it: thread->setEventDispatcher(new EpollEventDispatcher).
class EpollEventDispatcher : public QAbstractEventDispatcher
{
    Q_OBJECT
public:
    explicit EpollEventDispatcher(QObject *parent = nullptr);
    ~EpollEventDispatcher() override;

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;

    void registerSocketNotifier(QSocketNotifier *notifier) override;
    void unregisterSocketNotifier(QSocketNotifier *notifier) override;

    void registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject *object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject *object) override;
    QList<TimerInfo> registeredTimers(QObject *object) const override;
    int remainingTime(int timerId) override;

    void wakeUp() override;
    void interrupt() override;

    // Raw descriptors for code that owns its sockets (the HTTP connection layer, the load
    // generator's clients): no QSocketNotifier object per socket, and the epoll events as they
    // are (EPOLLIN, EPOLLOUT, EPOLLRDHUP...). Level-triggered. The watcher is called on this
    // thread with the events that fired; it may unwatch any descriptor from inside the call.
    class FdWatcher
    {
    public:
        virtual void fdEvents(quint32 epollEvents) = 0;

    protected:
        ~FdWatcher() = default;
    };
    bool watchFd(int fd, quint32 epollEvents, FdWatcher *watcher);
    void modifyFd(int fd, quint32 epollEvents);
    void unwatchFd(int fd);
    // The calling thread's dispatcher if it is one of these, else null.
    static EpollEventDispatcher *current();

private:
    struct Notifiers
    {
        QSocketNotifier *read = nullptr;
        QSocketNotifier *write = nullptr;
        QSocketNotifier *exception = nullptr;
        quint32 events = 0;
    };
    struct Timer
    {
        qint64 intervalNs = 0;
        qint64 deadlineNs = 0;
        Qt::TimerType type = Qt::CoarseTimer;
        QObject *object = nullptr;
        quint64 generation = 0;
    };
    struct Due
    {
        qint64 deadlineNs;
        int id;
        quint64 generation;
        bool operator>(const Due &o) const { return deadlineNs > o.deadlineNs; }
    };

    void updateEpoll(int fd, const Notifiers &n, quint32 previous);
    int fireTimers();
    qint64 nextDeadlineNs();
    void compactTimers();

    int m_epoll = -1;
    int m_wakeFd = -1;
    std::atomic<int> m_wakeUps { 0 };
    std::atomic<qint64> m_wokenAtNs { 0 }; // first wake-up request since posted events last ran
    std::atomic<bool> m_interrupted { false };
    std::unordered_map<int, Notifiers> m_notifiers;
    std::unordered_map<int, FdWatcher *> m_watchers;
    std::unordered_map<int, Timer> m_timers;
    std::priority_queue<Due, std::vector<Due>, std::greater<>> m_due;
    quint64 m_nextGeneration = 1;
    std::vector<Due> m_firing;
};
