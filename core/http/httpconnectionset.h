#pragma once

#include "http/httprequestreader.h"

#include <QObject>
#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

class EpollEventDispatcher;
class HttpConnection;
class HttpRequest;
class QTimer;
class ResponseChannel;

// Every HTTP connection of one worker loop, and the clocks they run on:
// - the request head must arrive within headerTimeoutMs() of the connection's accept (or of the
//   request's first byte, on a kept-alive connection): else 408 Request Timeout, as nginx's
//   client_header_timeout; a connection that never sent a byte is simply closed;
// - a kept-alive connection idle between requests closes after idleTimeoutMs() (5 s, uvicorn's
//   --timeout-keep-alive default).
// The pipeline's own time is never timed: a request in flight keeps its connection.
// Lives on its loop's thread. Needs that thread's dispatcher to be an EpollEventDispatcher.
class HttpConnectionSet : public QObject
{
    Q_OBJECT
public:
    using Handler = std::function<void(const HttpRequest &, std::shared_ptr<ResponseChannel>)>;

    static constexpr int DefaultHeaderTimeoutMs = 60'000;
    static constexpr int DefaultIdleTimeoutMs = 5'000;
    // Process-wide; tests shorten them. 0 or less restores the default.
    static void setHeaderTimeoutMs(int ms);
    static int headerTimeoutMs();
    static void setIdleTimeoutMs(int ms);
    static int idleTimeoutMs();

    HttpConnectionSet(Handler handler, std::atomic<int> *openCount, QObject *parent = nullptr);
    ~HttpConnectionSet() override;

    // Set before the first adopt(): the request limits (the chat server's by default), a check of
    // every request's head before its body is read, and how the layer's own refusals (400, 408,
    // 413, 431 and the head check's) are written: by default a JSON HttpStatus::errorBody.
    void setLimits(const HttpRequestReader::Limits &limits) { m_limits = limits; }
    void setHeadCheck(HttpRequestReader::HeadCheck check) { m_headCheck = std::move(check); }
    using ErrorAnswer = std::function<void(const HttpRefusal &refusal, const HttpRequest &head,
                                           QByteArray *contentType, QByteArray *body)>;
    void setErrorAnswer(ErrorAnswer answer) { m_errorAnswer = std::move(answer); }
    // This set's idle keep-alive timeout instead of the process-wide idleTimeoutMs() (0: that one).
    void setOwnIdleTimeoutMs(int ms) { m_ownIdleTimeoutMs = std::max(0, ms); }

    // Takes over an accepted, non-blocking socket.
    void adopt(int fd);
    int count() const { return int(m_connections.size()); }

    // For HttpConnection.
    void handle(const HttpRequest &request, std::shared_ptr<ResponseChannel> channel);
    void closed(HttpConnection *connection);
    const HttpRequestReader::HeadCheck *headCheck() const { return m_headCheck ? &m_headCheck : nullptr; }
    const ErrorAnswer &errorAnswer() const { return m_errorAnswer; }

private:
    void sweep();
    int idleMs() const;

    Handler m_handler;
    std::atomic<int> *m_openCount;
    EpollEventDispatcher *m_dispatcher;
    QTimer *m_sweep;
    HttpRequestReader::Limits m_limits;
    HttpRequestReader::HeadCheck m_headCheck;
    ErrorAnswer m_errorAnswer;
    int m_ownIdleTimeoutMs = 0;
    std::unordered_map<HttpConnection *, std::shared_ptr<HttpConnection>> m_connections;
    std::vector<std::shared_ptr<HttpConnection>> m_expired; // reused by sweep()
};
