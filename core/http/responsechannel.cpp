#include "responsechannel.h"

#include "http/httpconnection.h"
#include "http/httpstatus.h"

#include <QJsonDocument>
#include <cstdio>

ResponseChannel::ResponseChannel(std::shared_ptr<HttpConnection> connection, bool keepAlive)
    : m_connection(std::move(connection))
    , m_keepAlive(keepAlive)
{ }

bool ResponseChannel::gone() const
{
    return !m_connection || !m_connection->isOpen();
}

void ResponseChannel::onGone(std::function<void()> callback)
{
    if (m_connection && !m_finished)
        m_connection->setOnClose(std::move(callback));
}

void ResponseChannel::writeHead(int status, QByteArrayView contentType, qint64 contentLength,
                                const Headers &extra, QByteArrayView body)
{
    // One buffer per thread, reused: an answer's head costs no allocation.
    static thread_local QByteArray head;
    head.resize(0);
    head += "HTTP/1.1 ";
    head += QByteArray::number(status);
    head += ' ';
    head += HttpStatus::reasonPhrase(status);
    head += "\r\nContent-Type: ";
    head += contentType;
    if (contentLength >= 0) {
        head += "\r\nContent-Length: ";
        char digits[24];
        head.append(digits,
                    std::snprintf(digits, sizeof digits, "%lld", static_cast<long long>(contentLength)));
    } else {
        head += "\r\nTransfer-Encoding: chunked";
    }
    if (!m_keepAlive)
        head += "\r\nConnection: close";
    head += "\r\n";
    for (const auto &[key, value] : extra) {
        head += key;
        head += ": ";
        head += value;
        head += "\r\n";
    }
    head += "\r\n";
    m_bytes += quint32(head.size() + body.size());
    // Head and body leave in one system call (writev).
    if (!gone())
        m_connection->write(head, body);
}

void ResponseChannel::finish()
{
    m_finished = true;
    if (m_connection)
        m_connection->finishResponse(m_keepAlive);
}

void ResponseChannel::send(int status, QByteArrayView body, QByteArrayView contentType, const Headers &extra)
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
    send(status, HttpStatus::errorBody(code, message), "application/json", extra);
}

void ResponseChannel::beginStream(QByteArrayView contentType, const Headers &extra)
{
    if (m_finished || m_streaming)
        return;
    m_streaming = true;
    Headers headers = extra;
    headers.emplace_back("Cache-Control", "no-cache");
    headers.emplace_back("X-Accel-Buffering", "no");
    writeHead(200, contentType, -1, headers);
}

void ResponseChannel::writeChunk(QByteArrayView data)
{
    if (!m_streaming || m_finished || data.isEmpty())
        return;
    char size[24];
    const int n = std::snprintf(size, sizeof size, "%llx\r\n", static_cast<unsigned long long>(data.size()));
    m_bytes += quint32(n + data.size() + 2);
    if (!gone())
        m_connection->write(QByteArrayView(size, n), data, "\r\n");
}

void ResponseChannel::endStream()
{
    if (!m_streaming || m_finished)
        return;
    m_bytes += 5;
    if (!gone())
        m_connection->write("0\r\n\r\n");
    finish();
}
