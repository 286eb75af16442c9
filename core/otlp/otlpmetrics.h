#pragma once

#include "otlpdecoder.h"

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

// Decodes OTLP metric export bodies (ExportMetricsServiceRequest, /v1/metrics and the gRPC
// MetricsService) into one flat list of data points: gauges and sums as their value, histograms
// (explicit and exponential) and summaries as count, sum, min/max and quantiles where sent.
// Protobuf through the generated lite classes (otlp_metrics.proto), JSON by the OTLP JSON rules.
namespace Otlp {

enum class MetricType : quint8 { Gauge, Sum, Histogram, ExponentialHistogram, Summary };
enum class Temporality : quint8 { Unspecified = 0, Delta = 1, Cumulative = 2 };

struct MetricPoint
{
    QString name;
    QString unit;
    MetricType type = MetricType::Gauge;
    Temporality temporality = Temporality::Unspecified; // sums and histograms
    bool monotonic = false; // sums
    QString attributes; // "key=value" pairs sorted by key, joined by ',' ("" when none)
    int resource = 0; // index into MetricBatch::resources
    quint64 startUnixNs = 0; // start of the interval (delta) or of the series (cumulative)
    quint64 timeUnixNs = 0;
    double value = 0; // gauge / sum
    quint64 count = 0; // histogram / summary
    double sum = 0;
    bool hasSum = false;
    double min = 0, max = 0;
    bool hasMin = false, hasMax = false;
    QList<QPair<double, double>> quantiles; // summary: (quantile 0..1, value)
};

struct MetricBatch
{
    QList<Resource> resources;
    QList<MetricPoint> points;
    qint64 rejected = 0; // data points dropped (no time, not a number)
    QString rejectReason;
};

Result decodeMetrics(const QByteArray &body, Format format, MetricBatch *out, QString *error);
Result decodeMetricsProtobuf(const QByteArray &body, MetricBatch *out, QString *error);
Result decodeMetricsJson(const QByteArray &body, MetricBatch *out, QString *error);

// ExportMetricsServiceResponse (with partial_success.rejected_data_points when > 0).
QByteArray metricsSuccessBody(Format format, qint64 rejectedPoints = 0, const QString &message = {});

QString metricTypeName(MetricType type);
QString temporalityName(Temporality temporality);

} // namespace Otlp
