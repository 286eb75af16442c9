#include "skewedhosts.h"

#include <QDateTime>

namespace SkewedHosts {

quint64 t0()
{
    static const quint64 t = quint64(QDateTime::currentMSecsSinceEpoch()) * 1'000'000ULL - 20'000 * Ms;
    return t;
}

QList<Otlp::Resource> resources()
{
    return { { QStringLiteral("front"), QStringLiteral("A"), QStringLiteral("i-1") },
             { QStringLiteral("back"), QStringLiteral("B"), QStringLiteral("i-1") } };
}

namespace {
QByteArray id(char tag, int n, int size)
{
    QByteArray b(size, '\0');
    b[0] = tag;
    b[size - 1] = char(n);
    return b;
}
} // namespace

Otlp::Span span(char trace, int spanNo, int parentNo, Otlp::SpanKind kind, qint64 start, qint64 end,
                int resource)
{
    Otlp::Span s;
    s.traceId = id(trace, 1, 16);
    s.spanId = id(trace, spanNo, 8);
    if (parentNo)
        s.parentSpanId = id(trace, parentNo, 8);
    s.name = QStringLiteral("span %1").arg(spanNo);
    s.kind = kind;
    s.startUnixNs = t0() + quint64(start);
    s.endUnixNs = t0() + quint64(end);
    s.resource = resource;
    s.http = kind == Otlp::SpanKind::Client;
    return s;
}

Otlp::Batch batch(const QList<Otlp::Span> &spans)
{
    Otlp::Batch b;
    b.resources = resources();
    b.spans = spans;
    return b;
}

Otlp::Batch callFromAToB(char trace, qint64 at, qint64 asymmetry)
{
    return batch({ span(trace, 1, 0, Otlp::SpanKind::Server, at, at + 100 * Ms, 0),
                   span(trace, 2, 1, Otlp::SpanKind::Client, at + 10 * Ms, at + 90 * Ms, 0),
                   span(trace, 3, 2, Otlp::SpanKind::Server, at + SkewNs + 15 * Ms + asymmetry,
                        at + SkewNs + 85 * Ms + asymmetry, 1) });
}

Otlp::MetricBatch delays(qint64 at)
{
    Otlp::MetricBatch m;
    m.resources = resources();
    for (int host = 0; host < 2; ++host) {
        Otlp::MetricPoint p;
        p.name = QStringLiteral("nodejs.eventloop.delay.max");
        p.unit = QStringLiteral("s");
        p.resource = host;
        p.timeUnixNs = t0() + quint64(at + (host == 1 ? SkewNs : 0));
        p.value = host == 1 ? 0.3 : 0.02;
        m.points.append(p);
    }
    return m;
}

} // namespace SkewedHosts
