#pragma once

#include "otlpmetrics.h"

#include <QHash>
#include <QJsonArray>
#include <QList>
#include <QString>
#include <mutex>

// The observed services' own metrics (OTLP /v1/metrics and the gRPC MetricsService), one series
// per instance, metric name and attribute set, on LoopScope's time axis. Thread-safe: the
// receivers' threads add, the window and the exporters read. The runtime conventions map to
// LoopScope's tracks (Track): the event-loop delay and utilisation Node's runtime
// instrumentation sends, the process's CPU (from process.cpu.time, cumulative or delta) and its
// resident and heap memory. Every other metric is kept by name (metrics.csv, run.json).
class OtlpMetricStore
{
public:
    // unixMinusSteadyNs: this machine's wall clock minus TraceClock (OtlpAssembler's), so metric
    // times land on the spans' time axis.
    explicit OtlpMetricStore(qint64 unixMinusSteadyNs, qint64 maxPoints = 2'000'000);

    // False (nothing kept) when the store holds maxPoints already: the receiver answers "retry".
    bool add(const Otlp::MetricBatch &batch);

    enum class Track : quint8 {
        LoopDelayMax, // ms, nodejs.eventloop.delay.max
        LoopDelayMean, // ms, nodejs.eventloop.delay.mean
        LoopDelayP99, // ms, nodejs.eventloop.delay.p99
        LoopUtilization, // 0..1, nodejs.eventloop.utilization
        CpuPercent, // % of one core, the rate of process.cpu.time
        ResidentMb, // process.memory.usage
        HeapUsedMb, // v8js.memory.heap.used, summed over the heap spaces
    };
    static constexpr int TrackCount = 7;
    static QString trackKey(Track track); // "loop_delay_max_ms", ... (run.json, reports)

    struct Instance
    {
        QString service;
        QString host;
        QString instance;
        QString name() const; // "chat @ host-a [pid 12]", as ObservedLane::name() without thread
    };
    struct Sample
    {
        qint64 tNs = 0; // TraceClock
        double value = 0;
    };

    QList<Instance> instances() const;
    QList<Sample> track(int instance, Track track) const;
    // Every metric name an instance sent, sorted.
    QStringList names(int instance) const;
    // One metric (all its attribute sets summed at each time) of one instance, as sent.
    QList<Sample> series(int instance, const QString &name) const;
    quint64 pointCount() const;
    // The clock corrections the assembler applies to the spans (ns subtracted per host name,
    // OtlpAssembler::setCorrectionsListener): every read below moves the points by the same
    // amount, so a host's metrics stay where its spans are. Empty: times as sent.
    void setHostCorrections(const QHash<QString, qint64> &nsByHost);
    // Changes whenever data arrives (for the live views).
    quint64 version() const;

    // metrics.csv: service,host,instance,time_ms,name,value; one row per data point (a histogram
    // or summary as name.count, name.sum, name.min, name.max and name.pNN where sent). time_ms
    // is from originNs (TraceClock).
    QByteArray csv(qint64 originNs) const;
    // run.json machine.otlp.metrics: per instance its tracks ([t_ms, value] from originNs), their
    // peaks, and every series by name with its type, temporality, unit and points.
    QJsonArray toJson(qint64 originNs) const;

private:
    struct Point
    {
        qint64 tNs = 0;
        qint64 startNs = 0;
        double value = 0;
        quint64 count = 0;
        double sum = 0, min = 0, max = 0;
        bool hasSum = false, hasMin = false, hasMax = false;
        QList<QPair<double, double>> quantiles;
    };
    struct Series
    {
        int instance = 0;
        QString name;
        QString unit;
        QString attributes;
        Otlp::MetricType type = Otlp::MetricType::Gauge;
        Otlp::Temporality temporality = Otlp::Temporality::Unspecified;
        QList<Point> points;
    };
    QList<Sample> trackLocked(int instance, Track track) const;
    QList<Sample> sumByTime(int instance, const QString &name, double scale, bool rate) const;
    qint64 correctionNs(int instance) const;

    const qint64 m_unixMinusSteady;
    const qint64 m_maxPoints;
    mutable std::mutex m_mutex;
    QList<Instance> m_instances;
    QHash<QString, int> m_instanceByKey;
    QList<Series> m_series;
    QHash<QString, int> m_seriesByKey;
    QHash<QString, qint64> m_hostCorrections;
    qint64 m_points = 0;
    quint64 m_version = 0;
};
