#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

class HttpConnection;

// Writes the answer to one HTTP/1.1 request, now or later, whole or streamed (chunked, for
// Server-Sent Events). If the client went away, writes become no-ops and gone() says so.
// Must be used on the thread of the request's loop.
class ResponseChannel
{
public:
    using Headers = std::vector<std::pair<QByteArray, QByteArray>>;

    ResponseChannel(std::shared_ptr<HttpConnection> connection, bool keepAlive);

    bool gone() const;
    bool finished() const { return m_finished; }
    bool streaming() const { return m_streaming; } // the head of a streamed answer is out
    quint32 bytesWritten() const { return m_bytes; }
    // The connection closes once this answer is out, whatever the request asked for.
    void closeAfterAnswer() { m_keepAlive = false; }
    // Called (on the loop) if the client disconnects before the answer is finished.
    void onGone(std::function<void()> callback);

    void send(int status, QByteArrayView body, QByteArrayView contentType, const Headers &extra = {});
    void sendJson(int status, const QJsonObject &body, const Headers &extra = {});
    void sendError(int status, const QString &code, const QString &message, const Headers &extra = {});

    // Chunked streaming (Server-Sent Events): each chunk goes to the kernel at once.
    void beginStream(QByteArrayView contentType, const Headers &extra = {});
    void writeChunk(QByteArrayView data);
    void endStream();

private:
    void writeHead(int status, QByteArrayView contentType, qint64 contentLength, const Headers &extra,
                   QByteArrayView body = {});
    void finish();

    std::shared_ptr<HttpConnection> m_connection;
    bool m_keepAlive;
    bool m_finished = false;
    bool m_streaming = false;
    quint32 m_bytes = 0;
};
