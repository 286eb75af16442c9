#include "responsechannel.h"

#include <QJsonDocument>
#include <sys/socket.h>

ResponseChannel::ResponseChannel(QTcpSocket *socket, bool keepAlive)
    : m_socket(socket)
    , m_keepAlive(keepAlive)
{ }

QByteArray ResponseChannel::reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 204:
        return "No Content";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 413:
        return "Payload Too Large";
    case 415:
        return "Unsupported Media Type";
    case 422:
        return "Unprocessable Entity";
    case 429:
        return "Too Many Requests";
    case 499:
        return "Client Closed Request";
    case 500:
        return "Internal Server Error";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    case 507:
        return "Insufficient Storage";
    default:
        return "Unknown";
    }
}

void ResponseChannel::write(const QByteArray &bytes)
{
    m_bytes += quint32(bytes.size());
    if (gone())
        return;
    // Straight to the kernel when nothing of ours is still queued in the socket: QTcpSocket would
    // copy the bytes into its buffer and switch its write notifier on and off again (two epoll
    // system calls per answer, measured). What the kernel does not take goes through QTcpSocket,
    // which keeps the order and sends the rest when the socket is writable.
    qsizetype sent = 0;
    if (m_socket->bytesToWrite() == 0) {
        const ssize_t n = ::send(int(m_socket->socketDescriptor()), bytes.constData(), size_t(bytes.size()),
                                 MSG_NOSIGNAL | MSG_DONTWAIT);
        sent = n > 0 ? qsizetype(n) : 0;
    }
    if (sent < bytes.size())
        m_socket->write(bytes.constData() + sent, bytes.size() - sent);
}

void ResponseChannel::writeHead(int status, const QByteArray &contentType, qint64 contentLength,
                                const Headers &extra, const QByteArray &body)
{
    QByteArray head;
    head.reserve(256 + body.size());
    head += "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
    head += "Content-Type: " + contentType + "\r\n";
    if (contentLength >= 0)
        head += "Content-Length: " + QByteArray::number(contentLength) + "\r\n";
    else
        head += "Transfer-Encoding: chunked\r\n";
    if (!m_keepAlive)
        head += "Connection: close\r\n";
    for (const auto &[key, value] : extra)
        head += key + ": " + value + "\r\n";
    head += "\r\n";
    // Head and body leave in one write: as two, the body would wait for the head's ACK (Nagle).
    head += body;
    write(head);
}

void ResponseChannel::finish()
{
    m_finished = true;
    if (gone())
        return;
    m_socket->flush();
    if (!m_keepAlive)
        m_socket->disconnectFromHost();
}

void ResponseChannel::send(int status, const QByteArray &body, const QByteArray &contentType,
                           const Headers &extra)
{
    if (m_finished || m_streaming)
        return;
    writeHead(status, contentType, body.size(), extra, body);
    finish();
}

void ResponseChannel::sendJson(int status, const QJsonObject &body, const Headers &extra)
{
    send(status, QJsonDocument(body).toJson(QJsonDocument::Compact) + '\n', "application/json", extra);
}

void ResponseChannel::sendError(int status, const QString &code, const QString &message, const Headers &extra)
{
    // FastAPI answers {"detail": ...}; we keep that key and add a stable machine-readable code.
    sendJson(status, { { QStringLiteral("detail"), message }, { QStringLiteral("error"), code } }, extra);
}

void ResponseChannel::beginStream(const QByteArray &contentType, const Headers &extra)
{
    if (m_finished || m_streaming)
        return;
    m_streaming = true;
    Headers headers = extra;
    headers.emplace_back("Cache-Control", "no-cache");
    headers.emplace_back("X-Accel-Buffering", "no");
    writeHead(200, contentType, -1, headers);
    if (!gone())
        m_socket->flush();
}

void ResponseChannel::writeChunk(const QByteArray &data)
{
    if (!m_streaming || m_finished || data.isEmpty())
        return;
    write(QByteArray::number(data.size(), 16) + "\r\n" + data + "\r\n");
    if (!gone())
        m_socket->flush();
}

void ResponseChannel::endStream()
{
    if (!m_streaming || m_finished)
        return;
    write("0\r\n\r\n");
    finish();
}
