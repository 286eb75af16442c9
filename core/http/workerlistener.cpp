#include "workerlistener.h"

#include <QSocketNotifier>
#include <QTcpSocket>
#include <QTimer>
#include <sys/socket.h>
#include <unistd.h>

ConnectionFeeder::ConnectionFeeder(QObject *parent)
    : QTcpServer(parent)
{ }

bool ConnectionFeeder::adopt(int listenFd)
{
    if (!setSocketDescriptor(::dup(listenFd)))
        return false;
    pauseAccepting();
    return true;
}

void ConnectionFeeder::feed(QTcpSocket *socket)
{
    socket->setParent(this);
    addPendingConnection(socket); // emits pendingConnectionAvailable: the shard takes it now
}

QTcpSocket *ConnectionFeeder::nextPendingConnection()
{
    QTcpSocket *socket = QTcpServer::nextPendingConnection();
    pauseAccepting(); // the base class resumes accepting when a connection is taken
    return socket;
}

WorkerListener::WorkerListener(QObject *parent)
    : QTcpServer(parent)
{ }

WorkerListener::~WorkerListener()
{
    stopAccepting();
}

bool WorkerListener::adopt(int listenFd)
{
    // QTcpServer itself holds one duplicate so that isListening() is true (QAbstractHttpServer
    // checks it), but never accepts: it is paused, and nextPendingConnection() is ours.
    if (!setSocketDescriptor(::dup(listenFd)))
        return false;
    pauseAccepting();
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

void WorkerListener::stopAccepting()
{
    drainBacklog();
    delete m_resume;
    m_resume = nullptr;
    delete m_notifier;
    m_notifier = nullptr;
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
    }
    close();
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
    auto *socket = new QTcpSocket(this);
    if (!socket->setSocketDescriptor(fd)) {
        ::close(fd);
        delete socket;
        return true;
    }
    guardRequestSize(socket);
    if (m_pauseAfterAccept && m_pauseAfterAccept()) {
        m_notifier->setEnabled(false);
        m_resume->start();
    }
    emit connectionAccepted(socket); // the worker hands it to one of its request shards
    return true;
}

void WorkerListener::guardRequestSize(QTcpSocket *socket)
{
    // QHttpServer (6.4) buffers a whole request before the handler sees it, however large. This
    // slot runs before QHttpServer's on every readyRead, when the bytes it shows are the ones
    // that just arrived (QHttpServer consumes everything into its parse transaction each time),
    // so their sum is the size of the request being received. Past MaxRequestBytes (far over the
    // 64 KiB body limit) the client gets its 413 at once and the connection is closed, instead
    // of us storing the rest. The socket's buffer is capped too, as a backstop.
    socket->setReadBufferSize(2 * MaxRequestBytes);
    connect(socket, &QTcpSocket::readyRead, socket, [socket] {
        const qint64 total = socket->property(RequestBytesProperty).toLongLong() + socket->bytesAvailable();
        socket->setProperty(RequestBytesProperty, total);
        if (total < MaxRequestBytes)
            return;
        const QByteArray body
            = R"({"detail":"request larger than 512 KiB; the body limit is 65536 bytes","error":"payload_too_large"})"
              "\n";
        socket->write(
            "HTTP/1.1 413 Payload Too Large\r\nContent-Type: application/json\r\nConnection: close\r\n"
            "Content-Length: "
            + QByteArray::number(body.size()) + "\r\n\r\n" + body);
        socket->flush();
        socket->disconnectFromHost();
    });
}

void WorkerListener::requestDone(QTcpSocket *socket)
{
    socket->setProperty(RequestBytesProperty, 0);
}

void WorkerListener::requestArrived()
{
    if (m_resume)
        m_resume->stop();
    if (m_notifier)
        m_notifier->setEnabled(true);
}

QTcpSocket *WorkerListener::nextPendingConnection()
{
    // The base class re-enables its own (burst) accepting when a connection is taken:
    // pause it again before the event loop can run.
    QTcpSocket *socket = QTcpServer::nextPendingConnection();
    pauseAccepting();
    return socket;
}
