#include "httpconnection.h"

#include "base/traceclock.h"
#include "http/httpconnectionset.h"
#include "http/httpstatus.h"
#include "http/responsechannel.h"

#include <cerrno>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

namespace {

constexpr qsizetype ReadChunk = 16 * 1024;
constexpr qint64 LingerNs = 2'000'000'000; // reading what a refused client still sends

} // namespace

HttpConnection::HttpConnection(HttpConnectionSet *set, int fd, const HttpRequestReader::Limits &limits)
    : m_set(set)
    , m_fd(fd)
    , m_reader(limits)
{
    if (set)
        m_reader.setHeadCheck(set->headCheck());
}

HttpConnection::~HttpConnection()
{
    if (m_fd >= 0) {
        if (m_dispatcher)
            m_dispatcher->unwatchFd(m_fd);
        ::close(m_fd);
    }
}

bool HttpConnection::start(EpollEventDispatcher *dispatcher, qint64 nowNs)
{
    m_dispatcher = dispatcher;
    sockaddr_storage peer {};
    socklen_t length = sizeof(peer);
    if (::getpeername(m_fd, reinterpret_cast<sockaddr *>(&peer), &length) == 0) {
        const quint16 port = peer.ss_family == AF_INET6
            ? ntohs(reinterpret_cast<const sockaddr_in6 *>(&peer)->sin6_port)
            : ntohs(reinterpret_cast<const sockaddr_in *>(&peer)->sin_port);
        m_reader.setPeer(QHostAddress(reinterpret_cast<const sockaddr *>(&peer)), port);
    }
    m_events = EPOLLIN | EPOLLRDHUP;
    startTimer(Timer::Head, nowNs);
    return dispatcher->watchFd(m_fd, m_events, this);
}

void HttpConnection::startTimer(Timer kind, qint64 nowNs)
{
    m_timer = kind;
    m_timerSinceNs = nowNs;
}

void HttpConnection::updateEvents()
{
    if (m_fd < 0)
        return;
    quint32 events = m_readEof ? 0 : EPOLLRDHUP;
    // Reading pauses while a request is in flight and the next one is already buffered in full
    // (or as much of it as any request may be): the peer's close is still reported.
    const qint64 buffered = m_in.size() - m_inUsed;
    const qint64 cap = m_reader.limits().maxHeadBytes + m_reader.limits().maxBodyBytes;
    if (!m_readEof && !(m_inFlight && buffered >= cap))
        events |= EPOLLIN;
    if (pendingOutput() > 0)
        events |= EPOLLOUT;
    if (events != m_events) {
        m_events = events;
        m_dispatcher->modifyFd(m_fd, events);
    }
}

void HttpConnection::fdEvents(quint32 e)
{
    const auto self = shared_from_this(); // a handler may close (and drop) this connection
    if (e & EPOLLOUT)
        flush();
    if (m_fd >= 0 && (e & EPOLLIN))
        readAvailable();
    if (m_fd >= 0 && (e & (EPOLLERR | EPOLLHUP))) {
        close();
        return;
    }
    if (m_fd >= 0 && (e & EPOLLRDHUP) && !(e & EPOLLIN) && m_inFlight)
        close(); // gone while its request was being answered (reading was paused)
}

void HttpConnection::readAvailable()
{
    // Reads what the kernel holds, in one or a few calls, into one buffer per loop thread; the
    // connection keeps only the bytes it was sent. (A 16 KiB buffer of its own per connection was
    // 32 MiB for the soak's 2,000 kept-alive users, and reallocated at every reconnect.)
    static thread_local QByteArray scratch(4 * ReadChunk, Qt::Uninitialized);
    for (int i = 0; i < 4; ++i) {
        const ssize_t n = ::recv(m_fd, scratch.data(), size_t(scratch.size()), 0);
        if (n > 0) {
            if (m_timer == Timer::Linger)
                continue; // a refused client's remaining bytes: read and dropped
            if (m_inUsed > 0 && m_inUsed == m_in.size()) {
                m_in.resize(0);
                m_inUsed = 0;
            }
            m_in.append(scratch.constData(), qsizetype(n));
            if (n < scratch.size())
                break; // the kernel had no more
            continue;
        }
        if (n == 0) {
            m_readEof = true;
            break;
        }
        if (errno == EAGAIN || errno == EINTR)
            break;
        close(); // ECONNRESET...
        return;
    }
    if (m_timer == Timer::Linger) {
        if (m_readEof)
            close();
        return;
    }
    processInput();
    if (m_fd < 0)
        return;
    if (m_readEof) {
        // The client closed its side. A request in flight is abandoned (its answer has no reader:
        // the pipeline is cancelled); an answer already written still goes out.
        if (m_inFlight || pendingOutput() == 0) {
            close();
            return;
        }
        m_closeAfterFlush = true;
    }
    updateEvents();
}

void HttpConnection::processInput()
{
    if (m_processing)
        return;
    m_processing = true;
    while (m_fd >= 0 && !m_inFlight && !m_closeAfterFlush) {
        const HttpRequestReader::State before = m_reader.state();
        const qsizetype used = m_reader.feed(QByteArrayView(m_in).sliced(m_inUsed));
        m_inUsed += used;
        const HttpRequestReader::State state = m_reader.state();
        if (before == HttpRequestReader::State::Idle && state != HttpRequestReader::State::Idle
            && m_timer == Timer::Idle)
            startTimer(Timer::Head, TraceClock::nowNs()); // a kept-alive connection's next request
        if (state == HttpRequestReader::State::Failed) {
            refuse(m_reader.errorStatus(), m_reader.errorCode(), m_reader.errorDetail());
            break;
        }
        if (state == HttpRequestReader::State::InBody || state == HttpRequestReader::State::Complete) {
            if (m_timer == Timer::Head)
                m_timer = Timer::None; // the head is in: the rest is not timed
        }
        if (state == HttpRequestReader::State::InBody && m_reader.wantsContinue()) {
            m_reader.takeContinue();
            write("HTTP/1.1 100 Continue\r\n\r\n");
        }
        if (state != HttpRequestReader::State::Complete)
            break; // needs more bytes
        dispatch();
    }
    if (m_inUsed == m_in.size()) {
        m_in.resize(0);
        m_inUsed = 0;
    } else if (m_inUsed > 64 * 1024) {
        m_in.remove(0, m_inUsed);
        m_inUsed = 0;
    }
    m_processing = false;
}

void HttpConnection::dispatch()
{
    m_inFlight = true;
    m_timer = Timer::None;
    const HttpRequest &request = m_reader.request();
    auto channel = std::make_shared<ResponseChannel>(shared_from_this(), request.keepAlive());
    if (m_set)
        m_set->handle(request, std::move(channel));
    else
        close();
}

void HttpConnection::finishResponse(bool keepAlive)
{
    if (!m_inFlight)
        return;
    m_inFlight = false;
    m_onClose = nullptr;
    m_reader.next();
    if (m_fd < 0)
        return;
    if (!keepAlive) {
        m_closeAfterFlush = true;
        if (pendingOutput() == 0)
            close();
        return;
    }
    startTimer(Timer::Idle, TraceClock::nowNs());
    if (m_readEof && m_inUsed == m_in.size()) {
        if (pendingOutput() == 0)
            close();
        else
            m_closeAfterFlush = true;
        return;
    }
    processInput(); // a pipelined request already buffered
    if (m_fd >= 0)
        updateEvents();
}

void HttpConnection::refuse(int status, const char *code, const QByteArray &detail)
{
    // The client broke a limit or the protocol: answer, then close once the answer is out,
    // reading (and dropping) what it still sends for a moment, so that the close does not reset
    // the connection before the client has read the answer (nginx's lingering close).
    QByteArray contentType = "application/json";
    QByteArray body;
    if (m_set && m_set->errorAnswer())
        m_set->errorAnswer()(HttpRefusal { status, code, detail }, m_reader.request(), &contentType, &body);
    else
        body = HttpStatus::errorBody(QString::fromLatin1(code), QString::fromUtf8(detail));
    QByteArray head = "HTTP/1.1 " + QByteArray::number(status) + ' '
        + HttpStatus::reasonPhrase(status).toByteArray() + "\r\nContent-Type: " + contentType
        + "\r\nConnection: close\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n";
    m_refused = true;
    write(head, body);
    m_closeAfterFlush = true;
    m_in.resize(0);
    m_inUsed = 0;
    if (m_fd >= 0 && pendingOutput() == 0)
        flush();
}

void HttpConnection::write(QByteArrayView head, QByteArrayView body, QByteArrayView tail)
{
    if (m_fd < 0)
        return;
    if (pendingOutput() == 0) {
        // Nothing of ours is queued: straight to the kernel, head and body in one call.
        iovec parts[3] = { { const_cast<char *>(head.data()), size_t(head.size()) },
                           { const_cast<char *>(body.data()), size_t(body.size()) },
                           { const_cast<char *>(tail.data()), size_t(tail.size()) } };
        msghdr msg {};
        msg.msg_iov = parts;
        msg.msg_iovlen = tail.isEmpty() ? (body.isEmpty() ? 1 : 2) : 3;
        const ssize_t n = ::sendmsg(m_fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno != EAGAIN && errno != EINTR) {
            close();
            return;
        }
        qsizetype sent = std::max<ssize_t>(n, 0);
        m_out.resize(0);
        m_outSent = 0;
        for (QByteArrayView part : { head, body, tail }) {
            if (sent >= part.size()) {
                sent -= part.size();
                continue;
            }
            m_out.append(part.sliced(sent));
            sent = 0;
        }
    } else {
        m_out.append(head);
        m_out.append(body);
        m_out.append(tail);
    }
    if (pendingOutput() > MaxPendingOutput) {
        close(); // the client stopped reading: it is not waiting for this answer any more
        return;
    }
    if (pendingOutput() > 0)
        updateEvents();
}

void HttpConnection::flush()
{
    while (m_fd >= 0 && pendingOutput() > 0) {
        const ssize_t n = ::send(m_fd, m_out.constData() + m_outSent, size_t(pendingOutput()),
                                 MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            m_outSent += n;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            break;
        close();
        return;
    }
    if (m_fd < 0)
        return;
    if (pendingOutput() == 0) {
        m_out.resize(0);
        m_outSent = 0;
        if (m_closeAfterFlush && !m_inFlight) {
            if (m_timer != Timer::Linger && m_refused) {
                ::shutdown(m_fd, SHUT_WR);
                startTimer(Timer::Linger, TraceClock::nowNs());
            } else if (m_timer != Timer::Linger) {
                close();
                return;
            }
        }
    }
    updateEvents();
}

void HttpConnection::checkTimeouts(qint64 nowNs, qint64 headTimeoutNs, qint64 idleTimeoutNs)
{
    if (m_fd < 0 || m_timer == Timer::None)
        return;
    const qint64 limit = m_timer == Timer::Head ? headTimeoutNs
        : m_timer == Timer::Idle                ? idleTimeoutNs
                                                : LingerNs;
    if (nowNs - m_timerSinceNs < limit)
        return;
    if (m_timer == Timer::Linger) {
        close();
        return;
    }
    // Bytes the kernel holds that this loop has not read yet (it was busy, e.g. blocked in
    // blocking mode): the client was not slow, we were. Read them first, then judge.
    int unread = 0;
    if (::ioctl(m_fd, FIONREAD, &unread) == 0 && unread > 0)
        return;
    if (m_timer == Timer::Idle || m_reader.state() == HttpRequestReader::State::Idle) {
        close(); // nothing (more) was asked: nothing to answer
        return;
    }
    m_timer = Timer::None;
    refuse(408, "request_timeout",
           "the request head did not arrive within " + QByteArray::number(double(headTimeoutNs) / 1e9)
               + " s");
}

void HttpConnection::close()
{
    if (m_fd < 0)
        return;
    const auto self = shared_from_this();
    if (m_dispatcher)
        m_dispatcher->unwatchFd(m_fd);
    ::close(m_fd);
    m_fd = -1;
    m_out = QByteArray();
    m_in = QByteArray();
    if (auto onClose = std::exchange(m_onClose, nullptr))
        onClose(); // the client left before its answer: the pipeline is cancelled
    if (HttpConnectionSet *set = std::exchange(m_set, nullptr))
        set->closed(this);
}
