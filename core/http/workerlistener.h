#pragma once

#include <QTcpServer>
#include <functional>

class QSocketNotifier;

// Hands connections that a WorkerListener accepted to one QAbstractHttpServer (a RequestShard).
// QAbstractHttpServer only takes connections from a listening QTcpServer: this one holds a
// duplicate of the shared listening socket so that it counts as listening, but never accepts.
class ConnectionFeeder : public QTcpServer
{
    Q_OBJECT
public:
    explicit ConnectionFeeder(QObject *parent = nullptr);
    bool adopt(int listenFd);
    void feed(QTcpSocket *socket);
    QTcpSocket *nextPendingConnection() override;
};

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
    // A whole request was read from `socket`: its size guard starts again (keep-alive).
    static void requestDone(QTcpSocket *socket);

    // Limits on what a client may send before QHttpServer buffers it (see guardRequestSize):
    // the whole request (413), the request head (431, as h11/uvicorn's 16 KiB and Apache's 100
    // fields) and the time to send the head (408, nginx's client_header_timeout).
    static constexpr qint64 MaxRequestBytes = 512 * 1024;
    static constexpr qint64 MaxHeadBytes = 16 * 1024;
    static constexpr int MaxHeaderFields = 100;
    static constexpr int DefaultHeaderTimeoutMs = 60'000;
    // Process-wide; tests shorten it. 0 or less restores the default.
    static void setHeaderTimeoutMs(int ms);
    static int headerTimeoutMs();
    static constexpr const char *GuardProperty = "loopscopeRequestGuard";

signals:
    void connectionAccepted(QTcpSocket *socket);

private:
    void acceptReady();
    bool acceptOne();
    void drainBacklog();
    void guardRequestSize(QTcpSocket *socket);

    static constexpr int MaxAcceptsPerWakeUp = 256;

    int m_fd = -1;
    QSocketNotifier *m_notifier = nullptr;
    class QTimer *m_resume = nullptr;
    std::function<bool()> m_pauseAfterAccept;
};
