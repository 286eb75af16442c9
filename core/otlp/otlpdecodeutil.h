#pragma once

#include "otlpdecoder.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>

namespace loopscope::otlp {
class AnyValue;
class Resource;
} // namespace loopscope::otlp

// What the trace and metrics decoders share: resource attributes, attribute values, and the
// OTLP JSON rules (lowerCamelCase or snake_case keys, 64-bit integers as strings or numbers).
namespace Otlp::detail {

void setError(QString *error, const QString &text);
void resourceAttribute(Resource &resource, const QString &key, const QString &text);
void finishResource(Resource &resource);
// An attribute value as text; *isNumber and *number set for integers.
QString pbText(const loopscope::otlp::AnyValue &v, qint64 *number, bool *isNumber);
QJsonValue member(const QJsonObject &o, QLatin1String camel, QLatin1String snake);
bool jsonU64(const QJsonValue &v, quint64 *out);
QString jsonText(const QJsonObject &any, qint64 *number, bool *isNumber);
// The resource of a ResourceSpans / ResourceMetrics, protobuf or JSON ({"attributes": [...]}).
Resource pbResource(const loopscope::otlp::Resource &resource);
Resource jsonResource(const QJsonObject &resource);
// The top-level array of an export request body ("resourceSpans", "resourceMetrics"): BadData
// when the body is not a JSON object or the member is there but not an array.
Result jsonTopArray(const QByteArray &body, QLatin1String camel, QLatin1String snake, QJsonArray *out,
                    QString *error);
// Constant-time comparison for the bearer token.
bool sameSecret(const QByteArray &a, const QByteArray &b);
// "http://host:port" as the SDKs want it in OTEL_EXPORTER_OTLP_ENDPOINT.
QString endpointUrl(const QString &host, quint16 port);

template<typename Fn> void forEachJsonAttribute(const QJsonValue &attributes, Fn fn)
{
    const QJsonArray list = attributes.toArray();
    for (const QJsonValue &kv : list) {
        const QJsonObject o = kv.toObject();
        const QString key = o.value(QLatin1String("key")).toString();
        if (key.isEmpty())
            continue;
        qint64 number = 0;
        bool isNumber = false;
        const QString text = jsonText(o.value(QLatin1String("value")).toObject(), &number, &isNumber);
        fn(key, text, number, isNumber);
    }
}

} // namespace Otlp::detail
