#pragma once

#include "otlpdecoder.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>

namespace loopscope::otlp {
class AnyValue;
}

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
