#pragma once

#include "load/clientrecord.h"
#include "load/loadsettings.h"
#include "scenario.h"
#include "stats/latencystats.h"
#include "trace/requestrecord.h"
#include "trace/servercounters.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QSet>
#include <QStringList>

// A measured figure against the seed's, for one variant.
struct FigureCheck
{
    ExpectedFigure figure;
    double expected = 0; // at the run's time scale
    double allowed = 0; // +- this much
    double measured = 0;
    bool available = false; // the metric could be measured
    bool pass = false;
};

// Everything one variant produced: settings, both sides' records, counters and the summary.
struct VariantResult
{
    QString name;
    QString label;
    QJsonObject serverConfig; // ServerConfig::toJson (empty for an external target)
    LoadSettings load;
    qint64 startNs = 0; // TraceClock: the load's first intended send (run origin)
    qint64 endNs = 0;
    QList<ClientRecord> client;
    QList<RequestRecord> server; // joined to client by clientTag
    // Other traffic the same server handled during the run (the window's chat panel, another
    // client): not the run's, never counted in its summary, but it shaped it (a chat message can
    // occupy the blocking worker), so the run's views show it muted and labelled. Times before
    // the run's start are clipped to it.
    QList<RequestRecord> other;
    QList<CounterSample> counters;
    QStringList threadNames; // index -> name for TraceSpan::thread
    QList<ScaleEvent> scaleEvents; // the auto-scaling supervisor's decisions during the run
    QString error; // why the variant could not run
    double clientCpuSeconds = 0; // CPU time the load generator's threads used (0: not measured)

    // summary
    QMap<QString, double> metrics;
    PercentileSummary latency; // all finished requests, from the intended send time
    PercentileSummary latencyOk; // successful only
    PercentileSummary ttft;
    QMap<QString, quint64> errorsByKind;
    QJsonObject throughput; // ThroughputSeries, windowed per second

    void computeSummary();
    const RequestRecord *serverRecordFor(const ClientRecord &c) const;
    // Fills `other` from `records`: those without one of `tags` that overlap [startNs, endNs].
    void collectOther(const QList<RequestRecord> &records, const QSet<quint64> &tags);
    QJsonObject toJson() const;
    QJsonArray scaleEventsJson() const;
    static VariantResult fromJson(const QJsonObject &json);

private:
    QHash<quint64, int> m_byTag;
    void index();
};

struct RunOptions
{
    QString variant; // empty: all
    int users = 0; // > 0: override the scenario's users
    double timeScale = 1.0;
    QUrl target; // empty: the in-process server
    QString apiKey;
    QJsonObject load; // LoadSettings keys that override every variant's (model, think_s, naive, ...)
    QJsonObject server; // server keys that override every variant's (workers_min, workers_max, ...)
};

struct RunResult
{
    Scenario scenario;
    RunOptions options;
    QJsonObject machine;
    qint64 createdMs = 0; // wall clock, for the report header
    QList<VariantResult> variants;
    QList<FigureCheck> checks;

    bool passed() const;
    void evaluate(); // fills checks from scenario.expected and variants' metrics
    QJsonObject toJson() const;
    static bool fromJson(const QJsonObject &json, RunResult *out, QString *error);
    static QJsonObject machineInfo();
};

QJsonObject requestRecordToJson(const RequestRecord &r, qint64 originNs);
RequestRecord requestRecordFromJson(const QJsonObject &json, qint64 originNs);
QJsonObject counterSampleToJson(const CounterSample &s, qint64 originNs);
CounterSample counterSampleFromJson(const QJsonObject &json, qint64 originNs);
