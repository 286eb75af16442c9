#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QPointer>
#include <QTcpSocket>
#include <utility>
#include <vector>

// Writes one HTTP/1.1 response to a client connection, now or later, whole or streamed.
//
// Why not QHttpServerResponder: in Qt 6.4 a responder kept beyond the handler crashes when the
// client disconnects first (it holds a raw socket pointer). A deferred answer is the normal case
// here (executor and async modes), so the channel holds a QPointer and writes raw HTTP itself;
// if the client went away, writes become no-ops and gone() says so.
// Must be used on the thread that owns the socket (the worker's loop thread).
class ResponseChannel
{
public:
    using Headers = std::vector<std::pair<QByteArray, QByteArray>>;

    ResponseChannel(QTcpSocket *socket, bool keepAlive);

    bool gone() const { return m_socket.isNull() || m_socket->state() != QAbstractSocket::ConnectedState; }
    bool finished() const { return m_finished; }
    bool streaming() const { return m_streaming; } // the head of a streamed answer is out
    quint32 bytesWritten() const { return m_bytes; }
    QTcpSocket *socket() const { return m_socket.data(); }

    void send(int status, const QByteArray &body, const QByteArray &contentType, const Headers &extra = {});
    void sendJson(int status, const QJsonObject &body, const Headers &extra = {});
    void sendError(int status, const QString &code, const QString &message, const Headers &extra = {});

    // Chunked streaming (Server-Sent Events). Each chunk is pushed to the kernel at once
    // (flush), so tokens reach the client even while this thread is about to block again.
    void beginStream(const QByteArray &contentType, const Headers &extra = {});
    void writeChunk(const QByteArray &data);
    void endStream();

    static QByteArray reasonPhrase(int status);

private:
    void writeHead(int status, const QByteArray &contentType, qint64 contentLength, const Headers &extra,
                   const QByteArray &body = {});
    void write(const QByteArray &bytes);
    void finish();

    QPointer<QTcpSocket> m_socket;
    bool m_keepAlive;
    bool m_finished = false;
    bool m_streaming = false;
    quint32 m_bytes = 0;
};
