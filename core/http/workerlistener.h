#pragma once

#include <QObject>
#include <functional>

class QSocketNotifier;

// Accepts connections for one worker loop from the listening socket all workers share
// (the Gunicorn picture: N workers, one port).
//
// In blocking mode it takes ONE connection each time the loop gets round to it: accepting every
// pending connection in a burst, a worker about to block would hoard connections that an idle
// worker could have served. One at a time, a blocked worker simply stops accepting and the kernel
// queue feeds the others, as with Gunicorn's sync workers. In executor and async modes a loop never
// blocks, so it takes all that is queued at each wake-up, as uvicorn does.
class WorkerListener : public QObject
{
    Q_OBJECT
public:
    explicit WorkerListener(QObject *parent = nullptr);
    ~WorkerListener() override;

    // Shares `listenFd` (not taken over; it is dup()ed).
    bool adopt(int listenFd);
    // Takes every connection already waiting in the kernel's queue (their clients have sent a
    // request and wait for it), then stops listening: a graceful stop answers them.
    // With takeBacklog false, leaves them to the other loops (the supervisor retires this one).
    void stopAccepting(bool takeBacklog = true);

    // Gunicorn's sync worker takes a connection only when it is free to serve it. When this
    // returns true after an accept (blocking mode), the listener stops accepting until a request
    // arrives on this loop (or a short grace period passes, for a client that connects but stays
    // silent): the next connection then waits in the kernel queue for whichever loop is free,
    // instead of being taken by a loop that is about to block.
    void setPauseAfterAccept(std::function<bool()> predicate) { m_pauseAfterAccept = std::move(predicate); }
    void requestArrived();

    // Each accepted socket (non-blocking) goes to this callback, which takes it over.
    void setOnAccepted(std::function<void(int fd)> callback) { m_onAccepted = std::move(callback); }

private:
    void acceptReady();
    bool acceptOne();
    void drainBacklog();

    static constexpr int MaxAcceptsPerWakeUp = 256;

    int m_fd = -1;
    QSocketNotifier *m_notifier = nullptr;
    class QTimer *m_resume = nullptr;
    std::function<bool()> m_pauseAfterAccept;
    std::function<void(int fd)> m_onAccepted;
};
