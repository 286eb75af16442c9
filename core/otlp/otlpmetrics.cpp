#include "otlpmetrics.h"

#include "otlp/otlp_metrics.pb.h"
#include "otlpdecodeutil.h"

#include <QJsonDocument>
#include <QJsonParseError>
#include <QMap>
#include <cmath>

namespace Otlp {

using namespace detail;

namespace {

void rejectPoint(MetricBatch *batch, const QString &reason)
{
    ++batch->rejected;
    if (batch->rejectReason.isEmpty())
        batch->rejectReason = reason;
}

// Keeps the point when it can be placed in time and its numbers are numbers.
void keep(MetricBatch *batch, MetricPoint &&p)
{
    if (p.timeUnixNs == 0) {
        rejectPoint(batch, QStringLiteral("data point without a time"));
        return;
    }
    if (!std::isfinite(p.value) || !std::isfinite(p.sum) || !std::isfinite(p.min) || !std::isfinite(p.max)) {
        rejectPoint(batch, QStringLiteral("data point value is not a finite number"));
        return;
    }
    batch->points.append(std::move(p));
}

QString joinAttributes(QMap<QString, QString> &attributes)
{
    QStringList parts;
    for (auto it = attributes.constBegin(); it != attributes.constEnd(); ++it)
        parts.append(it.key() + QLatin1Char('=') + it.value());
    return parts.join(QLatin1Char(','));
}

Temporality temporalityOf(int v)
{
    return v == 1 ? Temporality::Delta : v == 2 ? Temporality::Cumulative : Temporality::Unspecified;
}

// ---- protobuf -----------------------------------------------------------------------------

template<typename Attributes> QString pbAttributes(const Attributes &list)
{
    QMap<QString, QString> map;
    for (const auto &kv : list) {
        qint64 number = 0;
        bool isNumber = false;
        map.insert(QString::fromStdString(kv.key()), pbText(kv.value(), &number, &isNumber));
    }
    return joinAttributes(map);
}

template<typename Point> void pbCommon(const Point &d, const MetricPoint &base, MetricPoint *p)
{
    *p = base;
    p->attributes = pbAttributes(d.attributes());
    p->startUnixNs = d.start_time_unix_nano();
    p->timeUnixNs = d.time_unix_nano();
}

template<typename Point> void pbHistogram(const Point &d, MetricPoint *p)
{
    p->count = d.count();
    p->hasSum = d.has_sum();
    p->sum = d.sum();
    p->hasMin = d.has_min();
    p->min = d.min();
    p->hasMax = d.has_max();
    p->max = d.max();
}

void pbMetric(const loopscope::otlp::Metric &m, int resource, MetricBatch *out)
{
    using M = loopscope::otlp::Metric;
    MetricPoint base;
    base.name = QString::fromStdString(m.name());
    base.unit = QString::fromStdString(m.unit());
    base.resource = resource;
    switch (m.data_case()) {
    case M::kGauge:
    case M::kSum: {
        const bool sum = m.data_case() == M::kSum;
        base.type = sum ? MetricType::Sum : MetricType::Gauge;
        if (sum) {
            base.temporality = temporalityOf(m.sum().aggregation_temporality());
            base.monotonic = m.sum().is_monotonic();
        }
        const auto &points = sum ? m.sum().data_points() : m.gauge().data_points();
        for (const auto &d : points) {
            MetricPoint p;
            pbCommon(d, base, &p);
            p.value = d.value_case() == loopscope::otlp::NumberDataPoint::kAsInt ? double(d.as_int())
                                                                                 : d.as_double();
            keep(out, std::move(p));
        }
        break;
    }
    case M::kHistogram:
        base.type = MetricType::Histogram;
        base.temporality = temporalityOf(m.histogram().aggregation_temporality());
        for (const auto &d : m.histogram().data_points()) {
            MetricPoint p;
            pbCommon(d, base, &p);
            pbHistogram(d, &p);
            keep(out, std::move(p));
        }
        break;
    case M::kExponentialHistogram:
        base.type = MetricType::ExponentialHistogram;
        base.temporality = temporalityOf(m.exponential_histogram().aggregation_temporality());
        for (const auto &d : m.exponential_histogram().data_points()) {
            MetricPoint p;
            pbCommon(d, base, &p);
            pbHistogram(d, &p);
            keep(out, std::move(p));
        }
        break;
    case M::kSummary:
        base.type = MetricType::Summary;
        for (const auto &d : m.summary().data_points()) {
            MetricPoint p;
            pbCommon(d, base, &p);
            p.count = d.count();
            p.sum = d.sum();
            p.hasSum = true;
            for (const auto &q : d.quantile_values())
                p.quantiles.append({ q.quantile(), q.value() });
            keep(out, std::move(p));
        }
        break;
    default:
        rejectPoint(out, QStringLiteral("metric %1 has no data").arg(base.name));
        break;
    }
}

// ---- JSON ---------------------------------------------------------------------------------

// A double as OTLP JSON may write it: a number, or a string ("NaN", "Infinity", "1.5").
bool jsonDouble(const QJsonValue &v, double *out)
{
    if (v.isDouble()) {
        *out = v.toDouble();
        return true;
    }
    if (v.isString()) {
        bool ok = false;
        *out = v.toString().toDouble(&ok);
        return ok;
    }
    return false;
}

Temporality temporalityFromJson(const QJsonValue &v)
{
    if (v.isDouble())
        return temporalityOf(v.toInt());
    const QString s = v.toString();
    if (s == QLatin1String("AGGREGATION_TEMPORALITY_DELTA"))
        return Temporality::Delta;
    if (s == QLatin1String("AGGREGATION_TEMPORALITY_CUMULATIVE"))
        return Temporality::Cumulative;
    return Temporality::Unspecified;
}

// False when a field that must be a number is something else.
bool jsonCommon(const QJsonObject &d, const MetricPoint &base, MetricPoint *p)
{
    *p = base;
    QMap<QString, QString> map;
    forEachJsonAttribute(
        d.value(QLatin1String("attributes")),
        [&](const QString &key, const QString &text, qint64, bool) { map.insert(key, text); });
    p->attributes = joinAttributes(map);
    bool ok = jsonU64(member(d, QLatin1String("startTimeUnixNano"), QLatin1String("start_time_unix_nano")),
                      &p->startUnixNs);
    ok = jsonU64(member(d, QLatin1String("timeUnixNano"), QLatin1String("time_unix_nano")), &p->timeUnixNs)
        && ok;
    return ok;
}

bool jsonHistogram(const QJsonObject &d, MetricPoint *p)
{
    bool ok = jsonU64(d.value(QLatin1String("count")), &p->count);
    const QJsonValue sum = d.value(QLatin1String("sum"));
    const QJsonValue min = d.value(QLatin1String("min"));
    const QJsonValue max = d.value(QLatin1String("max"));
    if (!sum.isUndefined() && !sum.isNull())
        ok = (p->hasSum = jsonDouble(sum, &p->sum)) && ok;
    if (!min.isUndefined() && !min.isNull())
        ok = (p->hasMin = jsonDouble(min, &p->min)) && ok;
    if (!max.isUndefined() && !max.isNull())
        ok = (p->hasMax = jsonDouble(max, &p->max)) && ok;
    return ok;
}

void jsonMetric(const QJsonObject &m, int resource, MetricBatch *out)
{
    MetricPoint base;
    base.name = m.value(QLatin1String("name")).toString();
    base.unit = m.value(QLatin1String("unit")).toString();
    base.resource = resource;
    const QString invalid = QStringLiteral("data point times must be decimal integers and values numbers");
    static const struct
    {
        const char *camel, *snake;
        MetricType type;
    } kinds[] = { { "gauge", "gauge", MetricType::Gauge },
                  { "sum", "sum", MetricType::Sum },
                  { "histogram", "histogram", MetricType::Histogram },
                  { "exponentialHistogram", "exponential_histogram", MetricType::ExponentialHistogram },
                  { "summary", "summary", MetricType::Summary } };
    for (const auto &kind : kinds) {
        const QJsonValue data = member(m, QLatin1String(kind.camel), QLatin1String(kind.snake));
        if (!data.isObject())
            continue;
        const QJsonObject o = data.toObject();
        base.type = kind.type;
        base.temporality = temporalityFromJson(
            member(o, QLatin1String("aggregationTemporality"), QLatin1String("aggregation_temporality")));
        base.monotonic = member(o, QLatin1String("isMonotonic"), QLatin1String("is_monotonic")).toBool();
        for (const QJsonValue &dv :
             member(o, QLatin1String("dataPoints"), QLatin1String("data_points")).toArray()) {
            const QJsonObject d = dv.toObject();
            MetricPoint p;
            bool ok = jsonCommon(d, base, &p);
            switch (kind.type) {
            case MetricType::Gauge:
            case MetricType::Sum: {
                const QJsonValue asInt = member(d, QLatin1String("asInt"), QLatin1String("as_int"));
                if (!asInt.isUndefined()) {
                    bool intOk = false;
                    p.value
                        = asInt.isString() ? double(asInt.toString().toLongLong(&intOk)) : asInt.toDouble();
                    ok = (asInt.isDouble() || intOk) && ok;
                } else {
                    ok = jsonDouble(member(d, QLatin1String("asDouble"), QLatin1String("as_double")),
                                    &p.value)
                        && ok;
                }
                break;
            }
            case MetricType::Histogram:
            case MetricType::ExponentialHistogram:
                ok = jsonHistogram(d, &p) && ok;
                break;
            case MetricType::Summary:
                ok = jsonHistogram(d, &p) && ok;
                for (const QJsonValue &qv :
                     member(d, QLatin1String("quantileValues"), QLatin1String("quantile_values")).toArray()) {
                    double q = 0, v = 0;
                    const QJsonObject qo = qv.toObject();
                    ok = jsonDouble(qo.value(QLatin1String("quantile")), &q)
                        && jsonDouble(qo.value(QLatin1String("value")), &v) && ok;
                    p.quantiles.append({ q, v });
                }
                break;
            }
            if (ok)
                keep(out, std::move(p));
            else
                rejectPoint(out, invalid);
        }
        return;
    }
    rejectPoint(out, QStringLiteral("metric %1 has no data").arg(base.name));
}

} // namespace

Result decodeMetrics(const QByteArray &body, Format format, MetricBatch *out, QString *error)
{
    if (body.size() > MaxBodyBytes) {
        setError(error, QStringLiteral("body larger than %1 bytes").arg(MaxBodyBytes));
        return Result::TooLarge;
    }
    return format == Format::Protobuf ? decodeMetricsProtobuf(body, out, error)
                                      : decodeMetricsJson(body, out, error);
}

Result decodeMetricsProtobuf(const QByteArray &body, MetricBatch *out, QString *error)
{
    *out = {};
    loopscope::otlp::ExportMetricsServiceRequest request;
    if (!request.ParseFromArray(body.constData(), int(body.size()))) {
        setError(error, QStringLiteral("not a protobuf ExportMetricsServiceRequest"));
        return Result::BadData;
    }
    for (const auto &rm : request.resource_metrics()) {
        const Resource resource = pbResource(rm.resource());
        const int index = int(out->resources.size());
        out->resources.append(resource);
        for (const auto &sm : rm.scope_metrics())
            for (const auto &m : sm.metrics())
                pbMetric(m, index, out);
    }
    return Result::Ok;
}

Result decodeMetricsJson(const QByteArray &body, MetricBatch *out, QString *error)
{
    *out = {};
    QJsonArray resourceMetrics;
    const Result parsed = jsonTopArray(body, QLatin1String("resourceMetrics"),
                                       QLatin1String("resource_metrics"), &resourceMetrics, error);
    if (parsed != Result::Ok)
        return parsed;
    for (const QJsonValue &rmv : std::as_const(resourceMetrics)) {
        const QJsonObject rm = rmv.toObject();
        const Resource resource = jsonResource(rm.value(QLatin1String("resource")).toObject());
        const int index = int(out->resources.size());
        out->resources.append(resource);
        for (const QJsonValue &smv :
             member(rm, QLatin1String("scopeMetrics"), QLatin1String("scope_metrics")).toArray())
            for (const QJsonValue &mv : smv.toObject().value(QLatin1String("metrics")).toArray())
                jsonMetric(mv.toObject(), index, out);
    }
    return Result::Ok;
}

QByteArray metricsSuccessBody(Format format, qint64 rejectedPoints, const QString &message)
{
    if (format == Format::Json) {
        if (rejectedPoints <= 0)
            return QByteArrayLiteral("{}");
        QJsonObject partial { { QStringLiteral("rejectedDataPoints"), QString::number(rejectedPoints) },
                              { QStringLiteral("errorMessage"), message } };
        return QJsonDocument(QJsonObject { { QStringLiteral("partialSuccess"), partial } })
            .toJson(QJsonDocument::Compact);
    }
    loopscope::otlp::ExportMetricsServiceResponse response;
    if (rejectedPoints > 0) {
        auto *partial = response.mutable_partial_success();
        partial->set_rejected_data_points(rejectedPoints);
        partial->set_error_message(message.toStdString());
    }
    const std::string bytes = response.SerializeAsString();
    return QByteArray(bytes.data(), qsizetype(bytes.size()));
}

QString metricTypeName(MetricType type)
{
    static const char *const names[] = { "gauge", "sum", "histogram", "exponential_histogram", "summary" };
    return QString::fromLatin1(names[int(type)]);
}

QString temporalityName(Temporality temporality)
{
    static const char *const names[] = { "unspecified", "delta", "cumulative" };
    return QString::fromLatin1(names[int(temporality)]);
}

} // namespace Otlp
