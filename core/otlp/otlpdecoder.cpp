#include "otlpdecoder.h"

#include "otlp/otlp_trace.pb.h"
#include "otlpdecodeutil.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <zlib.h>

namespace Otlp::detail {

void setError(QString *error, const QString &text)
{
    if (error)
        *error = text;
}

bool allZero(const QByteArray &bytes)
{
    for (char c : bytes)
        if (c != 0)
            return false;
    return true;
}

void reject(Batch *batch, const QString &reason)
{
    ++batch->rejected;
    if (batch->rejectReason.isEmpty())
        batch->rejectReason = reason;
}

// Checks ids and times; false (and counted as rejected) when the span cannot be drawn.
bool validSpan(Span &span, Batch *batch)
{
    if (span.traceId.size() != 16 || allZero(span.traceId)) {
        reject(batch, QStringLiteral("invalid trace id"));
        return false;
    }
    if (span.spanId.size() != 8 || allZero(span.spanId)) {
        reject(batch, QStringLiteral("invalid span id"));
        return false;
    }
    if (!span.parentSpanId.isEmpty() && span.parentSpanId.size() != 8) {
        reject(batch, QStringLiteral("invalid parent span id"));
        return false;
    }
    if (allZero(span.parentSpanId))
        span.parentSpanId.clear();
    if (span.startUnixNs == 0 || span.endUnixNs < span.startUnixNs) {
        reject(batch, QStringLiteral("span without a valid start and end time"));
        return false;
    }
    return true;
}

QString firstWord(const QString &statement)
{
    const QString t = statement.trimmed();
    qsizetype n = 0;
    while (n < t.size() && t.at(n).isLetter())
        ++n;
    return t.left(n).toUpper();
}

// One attribute of a span, already reduced to text and (where it is one) an integer.
void spanAttribute(Span &span, const QString &key, const QString &text, qint64 number, bool isNumber)
{
    if (key.startsWith(QLatin1String("gen_ai.")))
        span.genAi = true;
    if (key.startsWith(QLatin1String("http.")) || key.startsWith(QLatin1String("url."))
        || key == QLatin1String("server.address"))
        span.http = true;
    if (key.startsWith(QLatin1String("rpc.")))
        span.rpc = true;
    if (key == QLatin1String("http.response.status_code") || key == QLatin1String("http.status_code")) {
        span.httpStatus = int(isNumber ? number : text.toInt());
    } else if (key == QLatin1String("db.system") || key == QLatin1String("db.system.name")) {
        span.dbSystem = text;
    } else if (key == QLatin1String("db.operation") || key == QLatin1String("db.operation.name")) {
        span.dbOperation = text.toUpper();
    } else if ((key == QLatin1String("db.statement") || key == QLatin1String("db.query.text"))
               && span.dbOperation.isEmpty()) {
        span.dbOperation = firstWord(text);
    } else if (key == QLatin1String("thread.name")) {
        span.threadName = text;
    } else if (key == QLatin1String("thread.id")) {
        span.threadId = isNumber ? number : text.toLongLong();
    }
}

void resourceAttribute(Resource &resource, const QString &key, const QString &text)
{
    if (key == QLatin1String("service.name"))
        resource.serviceName = text;
    else if (key == QLatin1String("host.name"))
        resource.hostName = text;
    else if (key == QLatin1String("service.instance.id"))
        resource.instanceId = text;
    else if (key == QLatin1String("process.pid") && resource.instanceId.isEmpty())
        resource.instanceId = QStringLiteral("pid ") + text;
}

void finishResource(Resource &resource)
{
    if (resource.serviceName.isEmpty())
        resource.serviceName = QStringLiteral("unknown_service");
}

// ---- protobuf -----------------------------------------------------------------------------

QString pbText(const loopscope::otlp::AnyValue &v, qint64 *number, bool *isNumber)
{
    using V = loopscope::otlp::AnyValue;
    *isNumber = false;
    *number = 0;
    switch (v.value_case()) {
    case V::kStringValue:
        return QString::fromStdString(v.string_value());
    case V::kIntValue:
        *isNumber = true;
        *number = v.int_value();
        return QString::number(v.int_value());
    case V::kBoolValue:
        return v.bool_value() ? QStringLiteral("true") : QStringLiteral("false");
    case V::kDoubleValue:
        return QString::number(v.double_value());
    default:
        return {};
    }
}

QByteArray pbBytes(const std::string &s)
{
    return QByteArray(s.data(), qsizetype(s.size()));
}

// ---- JSON ---------------------------------------------------------------------------------

QJsonValue member(const QJsonObject &o, QLatin1String camel, QLatin1String snake)
{
    auto it = o.constFind(camel);
    if (it != o.constEnd())
        return *it;
    return o.value(snake);
}

int hexDigit(QChar c)
{
    const char16_t u = c.unicode();
    if (u >= '0' && u <= '9')
        return u - '0';
    if (u >= 'a' && u <= 'f')
        return u - 'a' + 10;
    if (u >= 'A' && u <= 'F')
        return u - 'A' + 10;
    return -1;
}

// Strict hex: an odd length or a non-hex character gives an invalid (empty, marked) id.
bool hexId(const QJsonValue &v, QByteArray *out)
{
    out->clear();
    if (v.isUndefined() || v.isNull())
        return true;
    if (!v.isString())
        return false;
    const QString s = v.toString();
    if (s.size() % 2 != 0)
        return false;
    out->resize(s.size() / 2);
    for (qsizetype i = 0; i < out->size(); ++i) {
        const int hi = hexDigit(s.at(2 * i));
        const int lo = hexDigit(s.at(2 * i + 1));
        if (hi < 0 || lo < 0) {
            out->clear();
            return false;
        }
        (*out)[i] = char(hi * 16 + lo);
    }
    return true;
}

// A 64-bit integer as OTLP JSON writes it: a decimal string, or a plain number.
bool jsonU64(const QJsonValue &v, quint64 *out)
{
    *out = 0;
    if (v.isUndefined() || v.isNull())
        return true;
    if (v.isString()) {
        bool ok = false;
        *out = v.toString().toULongLong(&ok);
        return ok;
    }
    if (v.isDouble()) {
        const double d = v.toDouble();
        if (!(d >= 0) || d > 1.8e19)
            return false;
        *out = quint64(d);
        return true;
    }
    return false;
}

QString jsonText(const QJsonObject &any, qint64 *number, bool *isNumber)
{
    *isNumber = false;
    *number = 0;
    QJsonValue v = member(any, QLatin1String("stringValue"), QLatin1String("string_value"));
    if (v.isString())
        return v.toString();
    v = member(any, QLatin1String("intValue"), QLatin1String("int_value"));
    if (!v.isUndefined()) {
        quint64 u = 0;
        if (v.isString()) {
            bool ok = false;
            *number = v.toString().toLongLong(&ok);
            *isNumber = ok;
        } else if (v.isDouble()) {
            *number = qint64(v.toDouble());
            *isNumber = true;
        } else {
            jsonU64(v, &u);
        }
        return QString::number(*number);
    }
    v = member(any, QLatin1String("boolValue"), QLatin1String("bool_value"));
    if (v.isBool())
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    v = member(any, QLatin1String("doubleValue"), QLatin1String("double_value"));
    if (v.isDouble())
        return QString::number(v.toDouble());
    return {};
}

SpanKind kindFromJson(const QJsonValue &v)
{
    int k = 0;
    if (v.isDouble()) {
        k = v.toInt();
    } else if (v.isString()) {
        static const char *const names[]
            = { "SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER",
                "SPAN_KIND_CLIENT",      "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER" };
        for (int i = 0; i < 6; ++i)
            if (v.toString() == QLatin1String(names[i]))
                k = i;
    }
    return k >= 0 && k <= 5 ? SpanKind(k) : SpanKind::Unspecified;
}

Resource pbResource(const loopscope::otlp::Resource &pb)
{
    Resource resource;
    for (const auto &kv : pb.attributes()) {
        qint64 number = 0;
        bool isNumber = false;
        resourceAttribute(resource, QString::fromStdString(kv.key()), pbText(kv.value(), &number, &isNumber));
    }
    finishResource(resource);
    return resource;
}

Resource jsonResource(const QJsonObject &json)
{
    Resource resource;
    forEachJsonAttribute(json.value(QLatin1String("attributes")),
                         [&](const QString &key, const QString &text, qint64, bool) {
                             resourceAttribute(resource, key, text);
                         });
    finishResource(resource);
    return resource;
}

Result jsonTopArray(const QByteArray &body, QLatin1String camel, QLatin1String snake, QJsonArray *out,
                    QString *error)
{
    QJsonParseError parseError {};
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject()) {
        setError(error,
                 parseError.error != QJsonParseError::NoError
                     ? QStringLiteral("invalid JSON: %1").arg(parseError.errorString())
                     : QStringLiteral("the body is not a JSON object"));
        return Result::BadData;
    }
    const QJsonValue value = member(doc.object(), camel, snake);
    if (!value.isUndefined() && !value.isNull() && !value.isArray()) {
        setError(error, QStringLiteral("%1 is not an array").arg(camel));
        return Result::BadData;
    }
    *out = value.toArray();
    return Result::Ok;
}

bool sameSecret(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff |= uchar(a[i]) ^ uchar(b[i]);
    return diff == 0;
}

QString endpointUrl(const QString &hostName, quint16 port)
{
    QString host = hostName;
    if (host.isEmpty() || host == QLatin1String("*") || host == QLatin1String("0.0.0.0"))
        host = QStringLiteral("<this-host>");
    else if (host.contains(QLatin1Char(':')))
        host = QLatin1Char('[') + host + QLatin1Char(']');
    return QStringLiteral("http://%1:%2").arg(host).arg(port);
}

} // namespace Otlp::detail

namespace Otlp {

using namespace detail;

Result inflate(const QByteArray &compressed, QByteArray *out, qsizetype cap, QString *error)
{
    out->clear();
    z_stream z {};
    // 15 + 32: zlib or gzip, detected from the header.
    if (inflateInit2(&z, 15 + 32) != Z_OK) {
        setError(error, QStringLiteral("cannot start zlib"));
        return Result::BadData;
    }
    z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(compressed.constData()));
    z.avail_in = uInt(compressed.size());
    qsizetype size = 0;
    qsizetype capacity = std::min<qsizetype>(cap + 1, std::max<qsizetype>(compressed.size() * 4, 64 * 1024));
    out->resize(capacity);
    Result result = Result::Ok;
    for (;;) {
        if (size == capacity) {
            if (capacity > cap) {
                setError(error, QStringLiteral("body larger than %1 bytes after decompression").arg(cap));
                result = Result::TooLarge;
                break;
            }
            capacity = std::min<qsizetype>(cap + 1, capacity * 2);
            out->resize(capacity);
        }
        z.next_out = reinterpret_cast<Bytef *>(out->data() + size);
        z.avail_out = uInt(capacity - size);
        const int rc = ::inflate(&z, Z_NO_FLUSH);
        size = capacity - qsizetype(z.avail_out);
        if (rc == Z_STREAM_END) {
            if (size > cap) {
                setError(error, QStringLiteral("body larger than %1 bytes after decompression").arg(cap));
                result = Result::TooLarge;
            }
            break;
        }
        if (rc == Z_BUF_ERROR && z.avail_out != 0) {
            setError(error, QStringLiteral("truncated gzip body"));
            result = Result::BadData;
            break;
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            setError(
                error,
                QStringLiteral("invalid gzip body: %1").arg(QString::fromLatin1(z.msg ? z.msg : "error")));
            result = Result::BadData;
            break;
        }
        if (z.avail_in == 0 && z.avail_out != 0) {
            setError(error, QStringLiteral("truncated gzip body"));
            result = Result::BadData;
            break;
        }
    }
    inflateEnd(&z);
    if (result == Result::Ok)
        out->resize(size);
    else
        out->clear();
    return result;
}

Result decode(const QByteArray &body, Format format, Batch *out, QString *error)
{
    if (body.size() > MaxBodyBytes) {
        setError(error, QStringLiteral("body larger than %1 bytes").arg(MaxBodyBytes));
        return Result::TooLarge;
    }
    return format == Format::Protobuf ? decodeProtobuf(body, out, error) : decodeJson(body, out, error);
}

Result decodeProtobuf(const QByteArray &body, Batch *out, QString *error)
{
    *out = {};
    loopscope::otlp::ExportTraceServiceRequest request;
    if (!request.ParseFromArray(body.constData(), int(body.size()))) {
        setError(error, QStringLiteral("not a protobuf ExportTraceServiceRequest"));
        return Result::BadData;
    }
    for (const auto &rs : request.resource_spans()) {
        const Resource resource = pbResource(rs.resource());
        const int resourceIndex = int(out->resources.size());
        out->resources.append(resource);
        for (const auto &ss : rs.scope_spans()) {
            for (const auto &s : ss.spans()) {
                Span span;
                span.traceId = pbBytes(s.trace_id());
                span.spanId = pbBytes(s.span_id());
                span.parentSpanId = pbBytes(s.parent_span_id());
                span.name = QString::fromStdString(s.name());
                span.kind = s.kind() >= 0 && s.kind() <= 5 ? SpanKind(s.kind()) : SpanKind::Unspecified;
                span.startUnixNs = s.start_time_unix_nano();
                span.endUnixNs = s.end_time_unix_nano();
                span.resource = resourceIndex;
                span.statusCode = s.status().code();
                for (const auto &kv : s.attributes()) {
                    qint64 number = 0;
                    bool isNumber = false;
                    const QString text = pbText(kv.value(), &number, &isNumber);
                    spanAttribute(span, QString::fromStdString(kv.key()), text, number, isNumber);
                }
                if (validSpan(span, out))
                    out->spans.append(std::move(span));
            }
        }
    }
    return Result::Ok;
}

Result decodeJson(const QByteArray &body, Batch *out, QString *error)
{
    *out = {};
    QJsonArray resourceSpans;
    const Result parsed = jsonTopArray(body, QLatin1String("resourceSpans"), QLatin1String("resource_spans"),
                                       &resourceSpans, error);
    if (parsed != Result::Ok)
        return parsed;
    for (const QJsonValue &rsv : std::as_const(resourceSpans)) {
        const QJsonObject rs = rsv.toObject();
        const Resource resource = jsonResource(rs.value(QLatin1String("resource")).toObject());
        const int resourceIndex = int(out->resources.size());
        out->resources.append(resource);
        QJsonArray scopes = member(rs, QLatin1String("scopeSpans"), QLatin1String("scope_spans")).toArray();
        if (scopes.isEmpty())
            scopes = rs.value(QLatin1String("instrumentationLibrarySpans")).toArray();
        for (const QJsonValue &ssv : scopes) {
            for (const QJsonValue &sv : ssv.toObject().value(QLatin1String("spans")).toArray()) {
                const QJsonObject s = sv.toObject();
                Span span;
                bool ok
                    = hexId(member(s, QLatin1String("traceId"), QLatin1String("trace_id")), &span.traceId);
                ok = hexId(member(s, QLatin1String("spanId"), QLatin1String("span_id")), &span.spanId) && ok;
                ok = hexId(member(s, QLatin1String("parentSpanId"), QLatin1String("parent_span_id")),
                           &span.parentSpanId)
                    && ok;
                ok = jsonU64(
                         member(s, QLatin1String("startTimeUnixNano"), QLatin1String("start_time_unix_nano")),
                         &span.startUnixNs)
                    && ok;
                ok = jsonU64(member(s, QLatin1String("endTimeUnixNano"), QLatin1String("end_time_unix_nano")),
                             &span.endUnixNs)
                    && ok;
                if (!ok) {
                    reject(out, QStringLiteral("span ids must be hex strings and times decimal integers"));
                    continue;
                }
                span.name = s.value(QLatin1String("name")).toString();
                span.kind = kindFromJson(s.value(QLatin1String("kind")));
                span.resource = resourceIndex;
                span.statusCode
                    = s.value(QLatin1String("status")).toObject().value(QLatin1String("code")).toInt();
                forEachJsonAttribute(
                    s.value(QLatin1String("attributes")),
                    [&](const QString &key, const QString &text, qint64 number, bool isNumber) {
                        spanAttribute(span, key, text, number, isNumber);
                    });
                if (validSpan(span, out))
                    out->spans.append(std::move(span));
            }
        }
    }
    return Result::Ok;
}

QByteArray successBody(Format format, qint64 rejectedSpans, const QString &message)
{
    if (format == Format::Json) {
        if (rejectedSpans <= 0)
            return QByteArrayLiteral("{}");
        QJsonObject partial { { QStringLiteral("rejectedSpans"), QString::number(rejectedSpans) },
                              { QStringLiteral("errorMessage"), message } };
        return QJsonDocument(QJsonObject { { QStringLiteral("partialSuccess"), partial } })
            .toJson(QJsonDocument::Compact);
    }
    loopscope::otlp::ExportTraceServiceResponse response;
    if (rejectedSpans > 0) {
        auto *partial = response.mutable_partial_success();
        partial->set_rejected_spans(rejectedSpans);
        partial->set_error_message(message.toStdString());
    }
    const std::string bytes = response.SerializeAsString();
    return QByteArray(bytes.data(), qsizetype(bytes.size()));
}

QByteArray statusBody(Format format, int rpcCode, const QString &message)
{
    if (format == Format::Json)
        return QJsonDocument(QJsonObject { { QStringLiteral("code"), rpcCode },
                                           { QStringLiteral("message"), message } })
            .toJson(QJsonDocument::Compact);
    loopscope::otlp::RpcStatus status;
    status.set_code(rpcCode);
    status.set_message(message.toStdString());
    const std::string bytes = status.SerializeAsString();
    return QByteArray(bytes.data(), qsizetype(bytes.size()));
}

QString spanKindName(SpanKind kind)
{
    static const char *const names[]
        = { "unspecified", "internal", "server", "client", "producer", "consumer" };
    return QString::fromLatin1(names[int(kind)]);
}

} // namespace Otlp
