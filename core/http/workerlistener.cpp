#include "workerlistener.h"

#include "http/requestheadscanner.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSocketNotifier>
#include <QTcpSocket>
#include <QTimer>
#include <atomic>
#include <cstring>
#include <sys/ioctl.h>
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

namespace {

std::atomic<int> g_headerTimeoutMs { WorkerListener::DefaultHeaderTimeoutMs };

// Watches the bytes of one connection as they arrive, before QHttpServer (6.4) buffers them:
// QHttpServer keeps a whole request however large, and any number of header lines, with no time
// limit. This object's slot runs before QHttpServer's on every readyRead, when the bytes the
// socket shows are exactly the ones that just arrived (QHttpServer consumes everything into its
// parse transaction each time). It enforces, per request:
// - the head (request line + header fields): at most MaxHeaderFields fields and MaxHeadBytes
//   bytes, else 431 Request Header Fields Too Large;
// - the time to send the head: headerTimeoutMs() from the connection's accept (or the request's
//   first byte, on a kept-alive connection), else 408 Request Timeout (a connection that sent
//   nothing is simply closed);
// - the whole request: MaxRequestBytes (far over the 64 KiB body limit), else 413 at once,
//   instead of storing the rest.
// A refused request's bytes are discarded here so that QHttpServer never answers it as well.
class RequestGuard : public QObject
{
public:
    explicit RequestGuard(QTcpSocket *socket)
        : QObject(socket)
        , m_socket(socket)
    {
        m_timer.setSingleShot(true);
        m_timer.callOnTimeout(this, [this] { headTimedOut(); });
        m_timer.start(g_headerTimeoutMs.load(std::memory_order_relaxed));
    }

    void readyRead()
    {
        const qint64 available = m_socket->bytesAvailable();
        if (m_refused) {
            m_socket->read(available); // QHttpServer must not see a refused request
            return;
        }
        m_requestBytes += available;
        if (m_requestBytes >= WorkerListener::MaxRequestBytes) {
            refuse(413, "Payload Too Large", "payload_too_large",
                   "request larger than 512 KiB; the body limit is 65536 bytes");
            return;
        }
        if (m_head.state() != RequestHeadScanner::State::InHead || available <= 0)
            return;
        if (!m_timer.isActive())
            m_timer.start(g_headerTimeoutMs.load(std::memory_order_relaxed)); // a kept-alive request
        scanHead(m_socket->peek(available));
    }

    // A whole request was read (keep-alive): the next one starts with a fresh budget. Its clock
    // starts with its first byte; an idle kept-alive connection is not timed.
    void requestDone()
    {
        m_requestBytes = 0;
        if (m_head.state() == RequestHeadScanner::State::InHead)
            return; // a request QHttpServer completed before we saw its head end (pipelining)
        m_head.reset();
    }

private:
    void scanHead(QByteArrayView chunk)
    {
        switch (m_head.feed(chunk)) {
        case RequestHeadScanner::State::InHead:
            break;
        case RequestHeadScanner::State::Complete:
            m_timer.stop();
            break;
        case RequestHeadScanner::State::TooManyFields:
            refuseHead(QStringLiteral("more than %1 header fields").arg(WorkerListener::MaxHeaderFields));
            break;
        case RequestHeadScanner::State::TooLarge:
            refuseHead(
                QStringLiteral("the request head is larger than %1 bytes").arg(WorkerListener::MaxHeadBytes));
            break;
        }
    }

    void refuseHead(const QString &detail)
    {
        refuse(431, "Request Header Fields Too Large", "request_header_fields_too_large", detail.toUtf8());
    }

    void headTimedOut()
    {
        if (m_head.state() != RequestHeadScanner::State::InHead || m_refused)
            return;
        // Bytes the kernel holds that this loop has not read yet (it was busy, e.g. blocked in
        // blocking mode): the client was not slow, we were. Read them first, then judge.
        int unread = 0;
        if (::ioctl(int(m_socket->socketDescriptor()), FIONREAD, &unread) == 0 && unread > 0) {
            m_timer.start(100);
            return;
        }
        if (!m_head.started()) {
            m_refused = true;
            m_socket->disconnectFromHost(); // never sent a request: nothing to answer
            return;
        }
        refuse(408, "Request Timeout", "request_timeout",
               QStringLiteral("the request head did not arrive within %1 s")
                   .arg(double(g_headerTimeoutMs.load(std::memory_order_relaxed)) / 1000.0)
                   .toUtf8());
    }

    void refuse(int status, const char *reason, const char *error, const QByteArray &detail)
    {
        m_refused = true;
        m_timer.stop();
        m_socket->read(m_socket->bytesAvailable());
        const QByteArray body
            = QJsonDocument(QJsonObject { { QStringLiteral("error"), QLatin1String(error) },
                                          { QStringLiteral("detail"), QString::fromUtf8(detail) } })
                  .toJson(QJsonDocument::Compact)
            + '\n';
        m_socket->write("HTTP/1.1 " + QByteArray::number(status) + ' ' + reason
                        + "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
                        + QByteArray::number(body.size()) + "\r\n\r\n" + body);
        m_socket->flush();
        m_socket->disconnectFromHost();
    }

    QTcpSocket *const m_socket;
    QTimer m_timer;
    RequestHeadScanner m_head { WorkerListener::MaxHeaderFields, WorkerListener::MaxHeadBytes };
    qint64 m_requestBytes = 0;
    bool m_refused = false;
};

RequestGuard *guardOf(QTcpSocket *socket)
{
    return static_cast<RequestGuard *>(socket->property(WorkerListener::GuardProperty).value<QObject *>());
}

} // namespace

void WorkerListener::setHeaderTimeoutMs(int ms)
{
    g_headerTimeoutMs.store(ms > 0 ? ms : DefaultHeaderTimeoutMs, std::memory_order_relaxed);
}

int WorkerListener::headerTimeoutMs()
{
    return g_headerTimeoutMs.load(std::memory_order_relaxed);
}

void WorkerListener::guardRequestSize(QTcpSocket *socket)
{
    socket->setReadBufferSize(2 * MaxRequestBytes); // a backstop
    auto *guard = new RequestGuard(socket);
    socket->setProperty(GuardProperty, QVariant::fromValue<QObject *>(guard));
    connect(socket, &QTcpSocket::readyRead, guard, [guard] { guard->readyRead(); });
}

void WorkerListener::requestDone(QTcpSocket *socket)
{
    if (RequestGuard *guard = guardOf(socket))
        guard->requestDone();
}

void WorkerListener::requestArrived()
{
    if (m_resume)
        m_resume->stop();
    if (m_notifier)
        m_notifier->setEnabled(true);
}
