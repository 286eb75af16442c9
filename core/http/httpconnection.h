#pragma once

#include "http/httprequestreader.h"
#include "loop/epolleventdispatcher.h"

#include <QByteArray>
#include <functional>
#include <memory>

class HttpConnectionSet;
class ResponseChannel;

// One client connection of a worker loop: a non-blocking socket watched by the loop's epoll
// dispatcher, its requests read by an HttpRequestReader, its answers written with writev/send.
//
// Requests are handled one at a time, in order: while one is being answered, the bytes of the
// next (pipelining) wait in the input buffer, and reading stops when that buffer holds more than
// a request may be. While reading is paused the socket is still watched for the peer's close
// (EPOLLRDHUP), so a client that leaves is noticed however busy its connection is.
//
// Answers the kernel does not take at once wait in the output buffer and go out when the socket
// is writable (backpressure). A client that lets more than MaxPendingOutput pile up (it stopped
// reading an SSE stream) is disconnected, which cancels its request.
//
// Lives on its loop's thread; every method runs there.
class HttpConnection final : public EpollEventDispatcher::FdWatcher,
                             public std::enable_shared_from_this<HttpConnection>
{
public:
    static constexpr qint64 MaxPendingOutput = 4 * 1024 * 1024;

    HttpConnection(HttpConnectionSet *set, int fd, const HttpRequestReader::Limits &limits);
    ~HttpConnection();

    bool start(EpollEventDispatcher *dispatcher, qint64 nowNs);
    bool isOpen() const { return m_fd >= 0; }

    // For ResponseChannel: the answer to the request in flight.
    void write(QByteArrayView head, QByteArrayView body = {}, QByteArrayView tail = {});
    void finishResponse(bool keepAlive);
    qint64 pendingOutput() const { return m_out.size() - m_outSent; }
    // Called once if the connection closes while a request is in flight (the client left).
    void setOnClose(std::function<void()> callback) { m_onClose = std::move(callback); }

    // The periodic sweep of HttpConnectionSet: closes the connection if a timeout passed.
    void checkTimeouts(qint64 nowNs, qint64 headTimeoutNs, qint64 idleTimeoutNs);
    void close();

    void fdEvents(quint32 epollEvents) override;

private:
    enum class Timer { None, Head, Idle, Linger };

    void readAvailable();
    void processInput();
    void dispatch();
    void refuse(int status, const char *code, const QByteArray &detail);
    void flush();
    void updateEvents();
    void startTimer(Timer kind, qint64 nowNs);

    HttpConnectionSet *m_set;
    EpollEventDispatcher *m_dispatcher = nullptr;
    int m_fd;
    quint32 m_events = 0;
    HttpRequestReader m_reader;
    QByteArray m_in;
    qsizetype m_inUsed = 0; // bytes of m_in already given to the reader
    QByteArray m_out;
    qsizetype m_outSent = 0;
    bool m_inFlight = false; // a request was handed to the endpoint and is not answered yet
    bool m_processing = false;
    bool m_closeAfterFlush = false;
    bool m_readEof = false;
    bool m_refused = false; // answered with an error: closes after a lingering read
    Timer m_timer = Timer::None;
    qint64 m_timerSinceNs = 0;
    std::function<void()> m_onClose;
};
