#pragma once

#include "base/threadregistry.h"
#include "load/clientrecord.h"
#include "load/loadsettings.h"
#include "scenario.h"
#include "stats/latencystats.h"
#include "trace/locktrack.h"
#include "trace/recordjson.h"
#include "trace/requestrecord.h"
#include "trace/servercounters.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QSet>
#include <QStringList>
#include <span>

// A measured figure against the seed's, for one variant.
struct FigureCheck
{
    ExpectedFigure figure;
    double expected = 0; // at the run's time scale
    double allowed = 0; // +- this much
    double measured = 0;
    // plus_unscaled: what did not shrink with the time scale (the short pass's figure less its
    // delays' part), and the part the run's delays alone give. The expected range runs from the
    // longer of the two to their sum.
    double unscaled = qQNaN();
    double delaysOnly = qQNaN();
    bool available = false; // the metric could be measured
    bool pass = false;
    QString notApplicable; // why the figure does not apply here ("1 core"); then pass is true

    // "≥ 3.000", "≤ 0.750" or "4.650 ± 0.200", and "makespan_s B ÷ A"-style words for a ratio.
    QString expectation(int decimals = 3) const;
    QString verdict() const; // PASS, FAIL or "not applicable: 1 core"
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
    QList<LaneKind> threadKinds; // index -> what the lane is (parallel to threadNames)
    QList<ScaleEvent> scaleEvents; // the auto-scaling supervisor's decisions during the run
    std::vector<LockHold> lockHolds; // the modelled GIL's turns during the run (run.json: gil_holds)
    QString error; // why the variant could not run
    // The same variant's metrics from a pass at a tenth of the run's time scale, run just before
    // it (only when one of its expected figures asks: plus_unscaled). Empty when not measured.
    QMap<QString, double> shortPassMetrics;
    double shortPassTimeScale = 0;
    double clientCpuSeconds = 0; // CPU time the load generator's threads used (0: not measured)

    // summary
    QMap<QString, double> metrics;
    PercentileSummary latency; // all finished requests, from the intended send time
    PercentileSummary latencyOk; // successful only
    PercentileSummary ttft;
    QMap<QString, quint64> errorsByKind;
    QJsonObject throughput; // ThroughputSeries, windowed per second

    // Counter samples are kept this long after endNs: the server settling after the last answer.
    static constexpr qint64 CounterTailNs = 100'000'000;

    void computeSummary();
    // No client records, only the server's (observed services, a recording of outside load):
    // the client-side figures (send times, late sends, offered load) were not measured.
    bool isServerSideOnly() const { return client.isEmpty() && !server.isEmpty(); }
    const RequestRecord *serverRecordFor(const ClientRecord &c) const;
    // The client/server join, once `client`, startNs and endNs are set (a scenario run and the
    // window's load runs both use it). Of the server's `records`, those whose client tag one of
    // `client`'s requests sent become `server`; the others that overlap the run become `other`
    // (clipped to startNs). Of `samples`, those from startNs to endNs + CounterTailNs become
    // `counters`.
    void joinServer(std::span<const RequestRecord> records, const QList<CounterSample> &samples);
    QJsonObject toJson() const;
    QJsonArray scaleEventsJson() const;
    QJsonArray lockHoldsJson() const;
    static VariantResult fromJson(const QJsonObject &json);

private:
    QHash<quint64, int> m_byTag;
    void index();
    // Fills `other` from `records`: those without one of `tags` that overlap [startNs, endNs].
    void collectOther(std::span<const RequestRecord> records, const QSet<quint64> &tags);
};

struct RunOptions
{
    QString variant; // empty: all
    int users = 0; // > 0: override the scenario's users
    double timeScale = 1.0;
    QUrl target; // empty: the in-process server
    QString apiKey;
    QJsonObject load; // LoadSettings keys that override every variant's (model, think_s, naive, ...)
    QJsonObject server; // server keys that override every variant's (cpu_work_s, workers_min, ...)
    // --db: the PostgreSQL server every variant uses (never written to run.json: it may hold a
    // password). Empty: SQLite, or, for a scenario that needs PostgreSQL, a throwaway cluster
    // created in scratchDir (empty: the system's temporary folder) and removed afterwards.
    QString database;
    QString scratchDir;
};

// What the machine's other processes cost over a run: for a lesson that needs several cores, the
// cores this run could use are those of its affinity mask minus those others kept busy (with
// `stress-ng --cpu 1` on 2 cores, one). From /proc/stat's ticks on the allowed CPUs, less this
// process's own CPU and its reaped children's (the pool processes).
struct MachineLoad
{
    qint64 wallNs = 0;
    qint64 busyNs = 0; // all processes', on the CPUs this process may use
    qint64 ownNs = 0; // this process's and its reaped children's

    static MachineLoad now();
    // Cores other processes kept busy from `start` to `end` (0 when unknown).
    static double othersBusyCores(const MachineLoad &start, const MachineLoad &end);
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
    static int availableCores(); // sched_getaffinity: what this process may run on
};
