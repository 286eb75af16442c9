#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

// Decodes OTLP/HTTP trace export bodies (ExportTraceServiceRequest) into the few fields
// LoopScope draws. Protobuf through the generated lite classes (otlp_trace.proto), JSON by the
// OTLP JSON rules (hex ids, 64-bit integers as strings or numbers, enums as integers, unknown
// keys ignored), gzip through zlib with a hard cap on the inflated size.
namespace Otlp {

// A body larger than this, before or after decompression, is refused (413, as the spec
// suggests).
inline constexpr qsizetype MaxBodyBytes = 20 * 1024 * 1024;

enum class SpanKind : quint8 { Unspecified = 0, Internal, Server, Client, Producer, Consumer };

// The resource a batch of spans came from: one service instance.
struct Resource
{
    QString serviceName; // service.name ("unknown_service" when missing)
    QString hostName; // host.name
    QString instanceId; // service.instance.id, else process.pid, else empty
};

struct Span
{
    QByteArray traceId; // 16 bytes
    QByteArray spanId; // 8 bytes
    QByteArray parentSpanId; // 8 bytes, or empty for a root span
    QString name;
    SpanKind kind = SpanKind::Unspecified;
    quint64 startUnixNs = 0;
    quint64 endUnixNs = 0;
    int resource = 0; // index into Batch::resources
    int statusCode = 0; // span status: 0 unset, 1 ok, 2 error
    int httpStatus = 0; // http.response.status_code / http.status_code, 0 when absent
    QString dbSystem; // db.system / db.system.name
    QString dbOperation; // db.operation / db.operation.name, else the statement's first word
    bool genAi = false; // any gen_ai.* attribute
    bool http = false; // any http.* / url.* / server.address attribute
    bool rpc = false; // any rpc.* attribute
    QString threadName; // thread.name
    qint64 threadId = -1; // thread.id, -1 when absent
};

struct Batch
{
    QList<Resource> resources;
    QList<Span> spans;
    qint64 rejected = 0; // spans dropped for invalid ids or times
    QString rejectReason; // the first reason, for the partial-success message
};

enum class Format { Protobuf, Json };

enum class Result {
    Ok,
    TooLarge, // over MaxBodyBytes after decompression (413)
    BadData, // undecodable (400)
};

// Inflates a gzip (or zlib) stream into *out. Never allocates more than `cap` + 1 bytes: an
// output that would exceed `cap` stops with TooLarge.
Result inflate(const QByteArray &compressed, QByteArray *out, qsizetype cap = MaxBodyBytes,
               QString *error = nullptr);

Result decode(const QByteArray &body, Format format, Batch *out, QString *error);
Result decodeProtobuf(const QByteArray &body, Batch *out, QString *error);
Result decodeJson(const QByteArray &body, Batch *out, QString *error);

// The bodies of the answers, in the request's format.
QByteArray successBody(Format format, qint64 rejectedSpans = 0, const QString &message = {});
// google.rpc.Status (protobuf) or {"code":..,"message":..} (JSON).
QByteArray statusBody(Format format, int rpcCode, const QString &message);

QString spanKindName(SpanKind kind);

} // namespace Otlp
