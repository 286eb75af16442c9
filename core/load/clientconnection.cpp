#include "clientconnection.h"

#include "base/traceclock.h"
#include "load/requestid.h"

#include <cerrno>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <unistd.h>

namespace {

constexpr qsizetype MaxBody = 1 << 20;

} // namespace

// http_parser's callbacks, with access to the connection.
struct ClientParserHooks
{
    static ClientConnection *of(http_parser *p) { return static_cast<ClientConnection *>(p->data); }
    static int body(http_parser *p, const char *at, size_t length)
    {
        ClientConnection *c = of(p);
        ClientRecord &r = c->record;
        r.bytes += quint32(length);
        if (!r.stream) {
            if (c->m_body.size() < MaxBody)
                c->m_body.append(at, qsizetype(length));
            return 0;
        }
        // A stream is read only as far as the generator needs it: the request id (the first
        // event's data, LoopScope's `start`) and when the first `token` event arrived. The rest is
        // counted, not decoded (bench_sse, docs/BENCHMARKS.md).
        if (c->m_streamIdRead && r.firstTokenNs)
            return 0;
        for (const SseEvent &e : c->m_sse.feed(QByteArrayView(at, qsizetype(length)))) {
            if (!c->m_streamIdRead && !e.data.isEmpty()) {
                r.serverId = requestIdIn(e.data);
                c->m_streamIdRead = true;
            }
            if (!r.firstTokenNs && e.event == "token")
                r.firstTokenNs = TraceClock::nowNs();
        }
        return 0;
    }
    static int complete(http_parser *p)
    {
        of(p)->m_messageDone = true;
        http_parser_pause(p, 1); // one response per request: anything after it is not ours
        return 0;
    }
    static const http_parser_settings &settings()
    {
        static const http_parser_settings s = [] {
            http_parser_settings t;
            http_parser_settings_init(&t);
            t.on_body = body;
            t.on_message_complete = complete;
            return t;
        }();
        return s;
    }
};

ClientConnection::ClientConnection(Owner *owner, EpollEventDispatcher *dispatcher,
                                   std::atomic<qint64> *openSockets, int user, int local)
    : user(user)
    , local(local)
    , m_owner(owner)
    , m_dispatcher(dispatcher)
    , m_openSockets(openSockets)
{ }

ClientConnection::~ClientConnection()
{
    close();
}

void ClientConnection::close()
{
    if (m_fd < 0)
        return;
    m_dispatcher->unwatchFd(m_fd);
    ::close(m_fd);
    m_fd = -1;
    m_events = 0;
    m_keepAlive = false;
    m_connecting = false;
    m_openSockets->fetch_sub(1, std::memory_order_relaxed);
}

void ClientConnection::watch(quint32 events)
{
    if (events == m_events || m_fd < 0)
        return;
    m_events = events;
    m_dispatcher->modifyFd(m_fd, events);
}

void ClientConnection::send(const Target &target, const QByteArray &bytes, const ClientRecord &r)
{
    record = r;
    busy = true;
    m_target = &target;
    m_request = &bytes;
    m_written = 0;
    m_body.truncate(0); // keeps its capacity for the next reply
    m_sse.reset();
    m_streamIdRead = false;
    m_messageDone = false;
    http_parser_init(&m_parser, HTTP_RESPONSE);
    m_parser.data = this;
    const qint64 now = TraceClock::nowNs();
    record.connectNs = now;
    if (m_fd >= 0 && m_keepAlive) {
        record.reused = true;
        record.connectedNs = now;
        writeMore();
        return;
    }
    close();
    open();
}

void ClientConnection::open()
{
    if (m_target->length == 0) {
        end(ClientError::Other); // the host was not found
        return;
    }
    m_fd = ::socket(m_target->address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (m_fd < 0) {
        end(ClientError::Other); // out of descriptors
        return;
    }
    m_openSockets->fetch_add(1, std::memory_order_relaxed);
    const int one = 1;
    ::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    m_keepAlive = true;
    const int rc = ::connect(m_fd, reinterpret_cast<const sockaddr *>(&m_target->address), m_target->length);
    if (rc != 0 && errno != EINPROGRESS) {
        const bool refused = errno == ECONNREFUSED;
        close();
        end(refused ? ClientError::Refused : ClientError::Other);
        return;
    }
    m_connecting = rc != 0;
    m_events = m_connecting ? quint32(EPOLLOUT) : quint32(EPOLLIN | EPOLLRDHUP);
    m_dispatcher->watchFd(m_fd, m_events, this);
    if (!m_connecting) {
        record.connectedNs = TraceClock::nowNs();
        writeMore();
    }
}

void ClientConnection::writeMore()
{
    const qsizetype total = m_request->size();
    while (m_written < total) {
        const ssize_t n = ::send(m_fd, m_request->constData() + m_written, size_t(total - m_written),
                                 MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            m_written += n;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            watch(EPOLLOUT | EPOLLIN | EPOLLRDHUP);
            return;
        }
        close();
        if (record.reused && !record.firstByteNs)
            resendFresh(); // the server had closed the kept-alive connection
        else
            end(ClientError::Reset);
        return;
    }
    if (!record.sentNs)
        record.sentNs = TraceClock::nowNs();
    watch(EPOLLIN | EPOLLRDHUP);
}

void ClientConnection::fdEvents(quint32 e)
{
    if (m_connecting) {
        int error = 0;
        socklen_t length = sizeof error;
        ::getsockopt(m_fd, SOL_SOCKET, SO_ERROR, &error, &length);
        if (error != 0 || (e & (EPOLLERR | EPOLLHUP))) {
            close();
            end(error == ECONNREFUSED ? ClientError::Refused : ClientError::Other);
            return;
        }
        m_connecting = false;
        record.connectedNs = TraceClock::nowNs();
        writeMore();
        return;
    }
    if ((e & EPOLLOUT) && busy && m_written < m_request->size()) {
        writeMore();
        if (m_fd < 0)
            return;
    }
    if (e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
        readAvailable();
}

void ClientConnection::readAvailable()
{
    static thread_local char buffer[64 * 1024];
    while (m_fd >= 0) {
        const ssize_t n = ::recv(m_fd, buffer, sizeof buffer, 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (!busy) {
            close(); // the server closed an idle kept-alive connection (or sent what nobody asked)
            return;
        }
        if (n <= 0) {
            // Closed or reset before the response was whole. On a kept-alive connection that had
            // answered nothing yet, the server closed it idle just as we sent: resend on a new
            // connection, as browsers and HTTP libraries do (RFC 9112, 9.3.1).
            const bool resend = record.reused && !record.firstByteNs;
            if (n == 0 && !resend)
                http_parser_execute(&m_parser, &ClientParserHooks::settings(), nullptr, 0); // EOF-framed body
            close();
            if (m_messageDone) {
                end(ClientError::None);
            } else if (resend) {
                resendFresh();
            } else {
                end(ClientError::Reset);
            }
            return;
        }
        if (!record.firstByteNs)
            record.firstByteNs = TraceClock::nowNs();
        const size_t parsed
            = http_parser_execute(&m_parser, &ClientParserHooks::settings(), buffer, size_t(n));
        if (!record.status && m_parser.status_code)
            record.status = quint16(m_parser.status_code);
        if (m_messageDone) {
            m_keepAlive = m_keepAlive && http_should_keep_alive(&m_parser) && parsed == size_t(n);
            if (!m_keepAlive)
                close();
            end(ClientError::None);
            return;
        }
        if (HTTP_PARSER_ERRNO(&m_parser) != HPE_OK || parsed != size_t(n)) {
            close();
            end(ClientError::Other);
            return;
        }
    }
}

void ClientConnection::resendFresh()
{
    record.reused = false;
    record.connectedNs = record.sentNs = 0;
    record.connectNs = TraceClock::nowNs();
    m_written = 0;
    open();
}

void ClientConnection::fail(ClientError error)
{
    close();
    end(error);
}

void ClientConnection::end(ClientError error)
{
    if (!busy)
        return;
    ClientRecord &r = record;
    r.completeNs = TraceClock::nowNs();
    if (!r.status && m_parser.status_code)
        r.status = quint16(m_parser.status_code);
    if (error == ClientError::None) {
        if (r.status >= 500)
            error = ClientError::Http5xx;
        else if (r.status >= 400)
            error = ClientError::Http4xx;
        else if (r.status < 200)
            error = ClientError::Other;
    }
    r.error = error;
    // request_id: from the JSON body (a stream's came with its `start` event).
    if (!r.stream && !m_body.isEmpty())
        r.serverId = requestIdIn(m_body);
    if (!r.stream && r.ok() && !r.firstTokenNs)
        r.firstTokenNs = r.completeNs; // the reply shows up all at once
    busy = false;
    if (error != ClientError::None)
        close();
    m_owner->requestEnded(*this, error);
}
