#include "httpconnectionset.h"

#include "base/traceclock.h"
#include "http/httpconnection.h"
#include "loop/epolleventdispatcher.h"

#include <QTimer>
#include <algorithm>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

std::atomic<int> g_headerTimeoutMs { HttpConnectionSet::DefaultHeaderTimeoutMs };
std::atomic<int> g_idleTimeoutMs { HttpConnectionSet::DefaultIdleTimeoutMs };

} // namespace

void HttpConnectionSet::setHeaderTimeoutMs(int ms)
{
    g_headerTimeoutMs.store(ms > 0 ? ms : DefaultHeaderTimeoutMs, std::memory_order_relaxed);
}

int HttpConnectionSet::headerTimeoutMs()
{
    return g_headerTimeoutMs.load(std::memory_order_relaxed);
}

void HttpConnectionSet::setIdleTimeoutMs(int ms)
{
    g_idleTimeoutMs.store(ms > 0 ? ms : DefaultIdleTimeoutMs, std::memory_order_relaxed);
}

int HttpConnectionSet::idleTimeoutMs()
{
    return g_idleTimeoutMs.load(std::memory_order_relaxed);
}

HttpConnectionSet::HttpConnectionSet(Handler handler, std::atomic<int> *openCount, QObject *parent)
    : QObject(parent)
    , m_handler(std::move(handler))
    , m_openCount(openCount)
    , m_dispatcher(EpollEventDispatcher::current())
    , m_sweep(new QTimer(this))
{
    if (!m_dispatcher)
        qFatal("HttpConnectionSet: the thread's event dispatcher must be an EpollEventDispatcher");
    m_sweep->callOnTimeout(this, &HttpConnectionSet::sweep);
}

HttpConnectionSet::~HttpConnectionSet()
{
    // Closing a connection removes it from the map: take them out first.
    auto connections = std::move(m_connections);
    m_connections.clear();
    if (m_openCount)
        m_openCount->fetch_sub(int(connections.size()), std::memory_order_relaxed);
    for (auto &[raw, connection] : connections)
        connection->close();
}

void HttpConnectionSet::adopt(int fd)
{
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); // SSE tokens go out one by one
    auto connection = std::make_shared<HttpConnection>(this, fd, m_limits);
    if (!connection->start(m_dispatcher, TraceClock::nowNs()))
        return; // its destructor closes the socket
    if (m_openCount)
        m_openCount->fetch_add(1, std::memory_order_relaxed);
    m_connections.emplace(connection.get(), std::move(connection));
    if (!m_sweep->isActive()) {
        // A few sweeps per the shorter timeout: a timeout fires at most a quarter late.
        m_sweep->start(std::clamp(std::min(headerTimeoutMs(), idleMs()) / 4, 20, 1000));
    }
}

void HttpConnectionSet::handle(const HttpRequest &request, std::shared_ptr<ResponseChannel> channel)
{
    m_handler(request, std::move(channel));
}

void HttpConnectionSet::closed(HttpConnection *connection)
{
    if (m_connections.erase(connection) > 0 && m_openCount)
        m_openCount->fetch_sub(1, std::memory_order_relaxed);
    if (m_connections.empty())
        m_sweep->stop();
}

int HttpConnectionSet::idleMs() const
{
    return m_ownIdleTimeoutMs > 0 ? m_ownIdleTimeoutMs : idleTimeoutMs();
}

void HttpConnectionSet::sweep()
{
    const qint64 now = TraceClock::nowNs();
    const qint64 head = qint64(headerTimeoutMs()) * 1'000'000;
    const qint64 idle = qint64(idleMs()) * 1'000'000;
    // Closing erases from the map: collect first.
    m_expired.clear();
    for (const auto &[raw, connection] : m_connections)
        m_expired.push_back(connection);
    for (const auto &connection : m_expired)
        connection->checkTimeouts(now, head, idle);
    m_expired.clear();
}
