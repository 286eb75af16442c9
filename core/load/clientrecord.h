#pragma once

#include <QJsonObject>
#include <QMetaType>
#include <QString>

// How a simulated request ended, as the client saw it.
enum class ClientError : quint8 {
    None, // a complete HTTP response with status 2xx
    Refused, // connect() refused
    Timeout, // no complete response within the timeout
    Reset, // connection reset or closed before the response was complete
    Http4xx, // a complete response with status 400-499
    Http5xx, // a complete response with status 500-599 (503: admission limit)
    Cancelled, // the run was stopped while the request was in flight or waiting to be sent
    Other, // host not found, protocol error, ...
};
QString clientErrorName(ClientError error);
ClientError parseClientError(const QString &text);

// Everything the load generator knows about one request. A plain value. Timestamps are
// TraceClock nanoseconds (0: never happened), the clock the in-process server uses too.
struct ClientRecord
{
    quint64 tag = 0; // sent as X-LoopScope-Client-Tag, joins the server's RequestRecord
    quint64 serverId = 0; // request_id from the response (0 if none)
    qint32 user = -1; // simulated user (open model: the connection slot)
    qint32 sequence = 0; // the user's n-th request (open model: the arrival number)
    qint64 intendedNs = 0; // when it should have been sent (latency is measured from here)
    qint64 connectNs = 0; // connect() started (equals sentNs-side reuse time on a kept-alive socket)
    qint64 connectedNs = 0; // TCP connection established (or reused)
    qint64 sentNs = 0; // request bytes handed to the kernel
    qint64 firstByteNs = 0; // first response byte read
    qint64 firstTokenNs = 0; // first SSE token event (streaming); the complete body otherwise
    qint64 completeNs = 0; // response complete, or the error noticed
    quint16 status = 0; // HTTP status (0: none)
    ClientError error = ClientError::None;
    bool late = false; // could not be sent on time (open model backlog, busy generator)
    bool reused = false; // sent on a kept-alive connection
    bool stream = false;
    quint32 bytes = 0; // response bytes (headers excluded)

    bool ok() const { return error == ClientError::None && status >= 200 && status < 300; }
    bool finished() const { return completeNs != 0; }
    qint64 latencyNs() const { return completeNs ? completeNs - intendedNs : 0; }
    qint64 sendDelayNs() const { return sentNs ? sentNs - intendedNs : 0; }
    qint64 ttftNs() const { return firstTokenNs ? firstTokenNs - intendedNs : 0; }

    // Timestamps as integer nanoseconds relative to originNs (exact round trip).
    QJsonObject toJson(qint64 originNs) const;
    static ClientRecord fromJson(const QJsonObject &json, qint64 originNs);

    // One CSV row; timestamps in ms relative to originNs with microsecond decimals.
    static QString csvHeader();
    QString toCsvRow(qint64 originNs) const;
    static bool fromCsvRow(const QString &row, qint64 originNs, ClientRecord *out);
};
Q_DECLARE_METATYPE(ClientRecord)
