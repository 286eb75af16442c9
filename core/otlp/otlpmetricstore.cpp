#include "otlpmetricstore.h"

#include <QJsonObject>
#include <QMap>
#include <algorithm>

namespace {

// Multiplier from a metric's unit to milliseconds (delays) or MiB (memory).
double toMs(const QString &unit)
{
    if (unit == QLatin1String("ms"))
        return 1;
    if (unit == QLatin1String("us"))
        return 1e-3;
    if (unit == QLatin1String("ns"))
        return 1e-6;
    return 1e3; // "s", the semantic conventions' unit
}

double toMb(const QString &unit)
{
    if (unit == QLatin1String("MiBy") || unit == QLatin1String("MBy"))
        return 1;
    if (unit == QLatin1String("KiBy") || unit == QLatin1String("kBy"))
        return 1.0 / 1024;
    return 1.0 / (1024.0 * 1024.0); // "By"
}

double ms(qint64 ns)
{
    return double(ns) / 1e6;
}

QByteArray csvField(const QString &text)
{
    QByteArray s = text.toUtf8();
    if (s.contains(',') || s.contains('"') || s.contains('\n')) {
        s.replace("\"", "\"\"");
        s = '"' + s + '"';
    }
    return s;
}

QString quantileName(double q)
{
    return QStringLiteral("p%1").arg(q * 100, 0, 'g', 4);
}

} // namespace

QString OtlpMetricStore::Instance::name() const
{
    QString n = service;
    if (!host.isEmpty())
        n += QStringLiteral(" @ ") + host;
    if (!instance.isEmpty())
        n += QStringLiteral(" [") + instance + QLatin1Char(']');
    return n;
}

OtlpMetricStore::OtlpMetricStore(qint64 unixMinusSteadyNs, qint64 maxPoints)
    : m_unixMinusSteady(unixMinusSteadyNs)
    , m_maxPoints(maxPoints)
{ }

QString OtlpMetricStore::trackKey(Track track)
{
    static const char *const keys[]
        = { "loop_delay_max_ms", "loop_delay_mean_ms", "loop_delay_p99_ms", "loop_utilization",
            "cpu_pct",           "resident_mb",        "heap_used_mb" };
    return QString::fromLatin1(keys[int(track)]);
}

bool OtlpMetricStore::add(const Otlp::MetricBatch &batch)
{
    std::lock_guard lock(m_mutex);
    if (m_points > 0 && m_points + batch.points.size() > m_maxPoints)
        return false;
    for (const Otlp::MetricPoint &p : batch.points) {
        const Otlp::Resource r = batch.resources.value(p.resource);
        const QString instanceKey = r.serviceName + QChar(0) + r.hostName + QChar(0) + r.instanceId;
        auto ii = m_instanceByKey.constFind(instanceKey);
        int instance;
        if (ii == m_instanceByKey.constEnd()) {
            instance = int(m_instances.size());
            m_instances.append({ r.serviceName, r.hostName, r.instanceId });
            m_instanceByKey.insert(instanceKey, instance);
        } else {
            instance = *ii;
        }
        const QString seriesKey = QString::number(instance) + QChar(0) + p.name + QChar(0) + p.attributes;
        auto si = m_seriesByKey.constFind(seriesKey);
        if (si == m_seriesByKey.constEnd()) {
            Series s;
            s.instance = instance;
            s.name = p.name;
            s.unit = p.unit;
            s.attributes = p.attributes;
            s.type = p.type;
            s.temporality = p.temporality;
            si = m_seriesByKey.insert(seriesKey, int(m_series.size()));
            m_series.append(s);
        }
        Series &s = m_series[*si];
        Point point;
        point.tNs = qint64(p.timeUnixNs) - m_unixMinusSteady;
        point.startNs = p.startUnixNs ? qint64(p.startUnixNs) - m_unixMinusSteady : 0;
        // An export sent twice (a retry) is kept once.
        if (std::any_of(s.points.crbegin(), s.points.crbegin() + std::min<qsizetype>(4, s.points.size()),
                        [&](const Point &q) { return q.tNs == point.tNs; }))
            continue;
        point.value = p.value;
        point.count = p.count;
        point.sum = p.sum;
        point.min = p.min;
        point.max = p.max;
        point.hasSum = p.hasSum;
        point.hasMin = p.hasMin;
        point.hasMax = p.hasMax;
        point.quantiles = p.quantiles;
        // Exporters send in time order; keep the series sorted if one does not.
        auto at = s.points.end();
        while (at != s.points.begin() && (at - 1)->tNs > point.tNs)
            --at;
        s.points.insert(at, point);
        ++m_points;
    }
    ++m_version;
    return true;
}

QList<OtlpMetricStore::Instance> OtlpMetricStore::instances() const
{
    std::lock_guard lock(m_mutex);
    return m_instances;
}

quint64 OtlpMetricStore::pointCount() const
{
    std::lock_guard lock(m_mutex);
    return quint64(m_points);
}

quint64 OtlpMetricStore::version() const
{
    std::lock_guard lock(m_mutex);
    return m_version;
}

void OtlpMetricStore::setHostCorrections(const QHash<QString, qint64> &nsByHost)
{
    std::lock_guard lock(m_mutex);
    if (m_hostCorrections == nsByHost)
        return;
    m_hostCorrections = nsByHost;
    ++m_version;
}

qint64 OtlpMetricStore::correctionNs(int instance) const
{
    return m_hostCorrections.isEmpty() ? 0 : m_hostCorrections.value(m_instances[instance].host);
}

QStringList OtlpMetricStore::names(int instance) const
{
    std::lock_guard lock(m_mutex);
    QStringList out;
    for (const Series &s : m_series)
        if (s.instance == instance && !out.contains(s.name))
            out.append(s.name);
    std::sort(out.begin(), out.end());
    return out;
}

QList<OtlpMetricStore::Sample> OtlpMetricStore::series(int instance, const QString &name) const
{
    std::lock_guard lock(m_mutex);
    return sumByTime(instance, name, 1, false);
}

QList<OtlpMetricStore::Sample> OtlpMetricStore::track(int instance, Track track) const
{
    std::lock_guard lock(m_mutex);
    return trackLocked(instance, track);
}

// The series `name` of `instance` (every attribute set), scaled by `scale` x the unit's factor
// and summed where several attribute sets share a time; with `rate`, per second of the interval
// (a cumulative series from one point to the next, a delta one over its own interval).
QList<OtlpMetricStore::Sample> OtlpMetricStore::sumByTime(int instance, const QString &name, double scale,
                                                          bool rate) const
{
    QMap<qint64, double> byTime;
    const qint64 shift = correctionNs(instance);
    for (const Series &s : m_series) {
        if (s.instance != instance || s.name != name)
            continue;
        for (qsizetype i = 0; i < s.points.size(); ++i) {
            const Point &p = s.points[i];
            const double v
                = s.type == Otlp::MetricType::Gauge || s.type == Otlp::MetricType::Sum ? p.value : p.sum;
            if (!rate) {
                byTime[p.tNs - shift] += v * scale;
                continue;
            }
            if (s.temporality == Otlp::Temporality::Delta) {
                if (p.startNs > 0 && p.tNs > p.startNs)
                    byTime[p.tNs - shift] += v / (double(p.tNs - p.startNs) / 1e9) * scale;
                continue;
            }
            if (i == 0)
                continue;
            const Point &q = s.points[i - 1];
            const double pv
                = s.type == Otlp::MetricType::Gauge || s.type == Otlp::MetricType::Sum ? q.value : q.sum;
            if (p.tNs > q.tNs && v >= pv) // a smaller value: the counter restarted
                byTime[p.tNs - shift] += (v - pv) / (double(p.tNs - q.tNs) / 1e9) * scale;
        }
    }
    QList<Sample> out;
    out.reserve(byTime.size());
    for (auto it = byTime.constBegin(); it != byTime.constEnd(); ++it)
        out.append({ it.key(), it.value() });
    return out;
}

QList<OtlpMetricStore::Sample> OtlpMetricStore::trackLocked(int instance, Track track) const
{
    const auto unitOf = [&](const QString &name) {
        for (const Series &s : m_series)
            if (s.instance == instance && s.name == name)
                return s.unit;
        return QString();
    };
    const auto delay = [&](const char *name) {
        const QString n = QLatin1String(name);
        return sumByTime(instance, n, toMs(unitOf(n)), false);
    };
    switch (track) {
    case Track::LoopDelayMax:
        return delay("nodejs.eventloop.delay.max");
    case Track::LoopDelayMean:
        return delay("nodejs.eventloop.delay.mean");
    case Track::LoopDelayP99:
        return delay("nodejs.eventloop.delay.p99");
    case Track::LoopUtilization:
        return sumByTime(instance, QStringLiteral("nodejs.eventloop.utilization"), 1, false);
    case Track::CpuPercent:
        return sumByTime(instance, QStringLiteral("process.cpu.time"), 100, true);
    case Track::ResidentMb: {
        const QString n = QStringLiteral("process.memory.usage");
        return sumByTime(instance, n, toMb(unitOf(n)), false);
    }
    case Track::HeapUsedMb: {
        const QString n = QStringLiteral("v8js.memory.heap.used");
        return sumByTime(instance, n, toMb(unitOf(n)), false);
    }
    }
    return {};
}

QByteArray OtlpMetricStore::csv(qint64 originNs) const
{
    std::lock_guard lock(m_mutex);
    QByteArray out = "service,host,instance,time_ms,name,value\n";
    for (const Series &s : m_series) {
        const Instance &in = m_instances[s.instance];
        const QByteArray prefix
            = csvField(in.service) + ',' + csvField(in.host) + ',' + csvField(in.instance) + ',';
        const QString name
            = s.attributes.isEmpty() ? s.name : s.name + QLatin1Char('{') + s.attributes + QLatin1Char('}');
        const qint64 shift = correctionNs(s.instance);
        const auto row = [&](const Point &p, const QString &n, double v) {
            out += prefix + QByteArray::number(ms(p.tNs - shift - originNs), 'f', 3) + ',' + csvField(n) + ','
                + QByteArray::number(v, 'g', 10) + '\n';
        };
        for (const Point &p : s.points) {
            if (s.type == Otlp::MetricType::Gauge || s.type == Otlp::MetricType::Sum) {
                row(p, name, p.value);
                continue;
            }
            row(p, name + QStringLiteral(".count"), double(p.count));
            if (p.hasSum)
                row(p, name + QStringLiteral(".sum"), p.sum);
            if (p.hasMin)
                row(p, name + QStringLiteral(".min"), p.min);
            if (p.hasMax)
                row(p, name + QStringLiteral(".max"), p.max);
            for (const auto &q : p.quantiles)
                row(p, name + QLatin1Char('.') + quantileName(q.first), q.second);
        }
    }
    return out;
}

QJsonArray OtlpMetricStore::toJson(qint64 originNs) const
{
    std::lock_guard lock(m_mutex);
    QJsonArray out;
    for (int i = 0; i < m_instances.size(); ++i) {
        const Instance &in = m_instances[i];
        QJsonObject tracks, peaks;
        for (int t = 0; t < TrackCount; ++t) {
            const QList<Sample> samples = trackLocked(i, Track(t));
            if (samples.isEmpty())
                continue;
            QJsonArray points;
            double peak = samples.first().value;
            for (const Sample &s : samples) {
                points.append(QJsonArray { ms(s.tNs - originNs), s.value });
                peak = std::max(peak, s.value);
            }
            tracks.insert(trackKey(Track(t)), points);
            peaks.insert(trackKey(Track(t)), peak);
        }
        QJsonArray series;
        const qint64 shift = correctionNs(i);
        for (const Series &s : m_series) {
            if (s.instance != i)
                continue;
            QJsonArray points;
            const bool number = s.type == Otlp::MetricType::Gauge || s.type == Otlp::MetricType::Sum;
            for (const Point &p : s.points) {
                QJsonArray row { ms(p.tNs - shift - originNs), number ? p.value : double(p.count) };
                if (!number)
                    row.append(p.hasSum ? QJsonValue(p.sum) : QJsonValue());
                points.append(row);
            }
            series.append(
                QJsonObject { { QStringLiteral("name"), s.name },
                              { QStringLiteral("attributes"), s.attributes },
                              { QStringLiteral("unit"), s.unit },
                              { QStringLiteral("type"), Otlp::metricTypeName(s.type) },
                              { QStringLiteral("temporality"), Otlp::temporalityName(s.temporality) },
                              { QStringLiteral("points"), points } });
        }
        out.append(QJsonObject { { QStringLiteral("service"), in.service },
                                 { QStringLiteral("host"), in.host },
                                 { QStringLiteral("instance"), in.instance },
                                 { QStringLiteral("name"), in.name() },
                                 { QStringLiteral("clock_correction_ms"), ms(shift) },
                                 { QStringLiteral("peaks"), peaks },
                                 { QStringLiteral("tracks"), tracks },
                                 { QStringLiteral("series"), series } });
    }
    return out;
}
