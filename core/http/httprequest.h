#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QHostAddress>
#include <QString>
#include <vector>

// One HTTP/1.1 request as an endpoint sees it: method, target (path and query), header fields,
// the whole body (chunked bodies already decoded) and the client's address. Read-only for
// endpoints; HttpRequestReader fills it. Its storage is reused from one request of a connection
// to the next, so an endpoint copies what it keeps beyond its own call.
class HttpRequest
{
public:
    enum class Method { Get, Head, Post, Put, Delete, Patch, Options, Other };

    Method method() const { return m_method; }
    QByteArrayView methodName() const;
    QByteArrayView target() const { return QByteArrayView(m_target); } // "/v1/x?a=b", as sent
    QByteArrayView path() const; // "/v1/x", still percent-encoded
    QByteArrayView query() const; // "a=b"
    QString queryValue(const QString &key) const; // percent-decoded; empty if absent

    // The first field with that name (case-insensitive), or an empty view.
    QByteArrayView header(QByteArrayView name) const;
    int headerCount() const { return int(m_fields.size()); }
    QByteArrayView headerName(int i) const;
    QByteArrayView headerValue(int i) const;

    const QByteArray &body() const { return m_body; }
    const QHostAddress &peerAddress() const { return m_peerAddress; }
    quint16 peerPort() const { return m_peerPort; }
    // HTTP/1.1 without "Connection: close" (or HTTP/1.0 with "Connection: keep-alive").
    bool keepAlive() const { return m_keepAlive; }

private:
    friend class HttpRequestReader;
    struct Field
    {
        int nameAt, nameSize, valueAt, valueSize;
    };

    Method m_method = Method::Other;
    unsigned m_rawMethod = 0;
    QByteArray m_target;
    QByteArray m_fieldBytes; // every name and value, back to back
    std::vector<Field> m_fields;
    QByteArray m_body;
    QHostAddress m_peerAddress;
    quint16 m_peerPort = 0;
    bool m_keepAlive = true;
};
