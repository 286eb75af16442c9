#include "otlpobserver.h"

#include "base/threadregistry.h"
#include "base/traceclock.h"
#include "report/runexport.h"
#include "stats/latencystats.h"
#include "stats/throughputseries.h"
#include "trace/tracerecorder.h"

#include <QDateTime>
#include <QJsonArray>
#include <algorithm>

namespace {

struct Edge
{
    qint64 t;
    int delta;
    bool operator<(const Edge &o) const { return t != o.t ? t < o.t : delta < o.delta; }
};

QByteArray csvField(const QString &text)
{
    QByteArray s = text.toUtf8();
    if (s.contains(',') || s.contains('"') || s.contains('\n')) {
        s.replace("\"", "\"\"");
        s = '"' + s + '"';
    }
    return s;
}

} // namespace

OtlpObserver::OtlpObserver(qint64 maxQueuedSpans, TraceRecorder *sharedRecorder)
    : m_recorder(sharedRecorder ? nullptr : std::make_unique<TraceRecorder>())
    , m_sharedRecorder(sharedRecorder)
    , m_assembler(std::make_unique<OtlpAssembler>(recorder(), maxQueuedSpans))
{
    OtlpAssembler *assembler = m_assembler.get();
    const auto traces = [assembler](Otlp::Batch &&batch) { return assembler->enqueue(std::move(batch)); };
    m_metrics = std::make_unique<OtlpMetricStore>(assembler->unixMinusSteadyNs());
    OtlpMetricStore *store = m_metrics.get();
    // Applied clock offsets move a host's metrics with its spans.
    assembler->setCorrectionsListener(
        [store](const QHash<QString, qint64> &nsByHost) { store->setHostCorrections(nsByHost); });
    const auto metrics = [store](const Otlp::MetricBatch &batch) { return store->add(batch); };
    m_receiver = std::make_unique<OtlpReceiver>(traces);
    m_receiver->setMetricsSink(metrics);
    // Both receivers hand spans to the same assembler queue and points to the same store.
    m_grpc = std::make_unique<OtlpGrpcReceiver>(traces, metrics);
}

OtlpObserver::~OtlpObserver()
{
    stop();
}

bool OtlpObserver::start(const OtlpReceiverOptions &options, int grpcPort, QString *error)
{
    if (!m_startedNs)
        m_startedNs = TraceClock::nowNs();
    if (!m_receiver->start(options, error))
        return false;
    if (grpcPort >= 0) {
        OtlpReceiverOptions grpc = options;
        grpc.port = quint16(grpcPort);
        if (!m_grpc->start(grpc, error)) {
            m_receiver->stop();
            return false;
        }
    }
    return true;
}

void OtlpObserver::stop()
{
    m_grpc->stop();
    m_receiver->stop();
}

bool OtlpObserver::isRunning() const
{
    return m_receiver->isRunning();
}

QString OtlpObserver::batchDelayNote()
{
    return QStringLiteral(
        "Spans arrive only when they end, in batches (OTEL_BSP_SCHEDULE_DELAY, 5 s by default): "
        "the live view trails the services by that delay. Each host stamps spans with its own "
        "clock; offsets between hosts are estimated from client/server span pairs where a trace "
        "crosses hosts, and are applied (to every span and metric point of the host) only when asked: "
        "--apply-clock-offsets, or the window's Apply clock offsets. In-flight counters are derived "
        "from spans.");
}

QMap<quint16, int> OtlpObserver::maxInFlightPerLane(const QList<RequestRecord> &records)
{
    QHash<quint16, QList<Edge>> edges;
    for (const RequestRecord &r : records) {
        edges[r.loopThread].append({ r.startedNs, +1 });
        edges[r.loopThread].append({ r.respondedNs, -1 });
    }
    QMap<quint16, int> out;
    for (auto it = edges.begin(); it != edges.end(); ++it) {
        std::sort(it->begin(), it->end());
        int now = 0, peak = 0;
        for (const Edge &e : std::as_const(*it)) {
            now += e.delta;
            peak = std::max(peak, now);
        }
        out.insert(it.key(), peak);
    }
    return out;
}

RunResult OtlpObserver::buildRun() const
{
    m_assembler->drain();
    const qint64 now = TraceClock::nowNs();
    RunResult run;
    // Written like a scenario file, so run.json reopens (Scenario::fromJson reads it back).
    const QJsonObject label { { QStringLiteral("en"), QStringLiteral("Observed services (OTLP)") },
                              { QStringLiteral("zh"), QStringLiteral("观测到的服务（OTLP）") } };
    const QJsonObject raw {
        { QStringLiteral("name"), QStringLiteral("observe") },
        { QStringLiteral("title"),
          QJsonObject { { QStringLiteral("en"), QStringLiteral("Observed services (OpenTelemetry)") },
                        { QStringLiteral("zh"), QStringLiteral("观测到的服务（OpenTelemetry）") } } },
        { QStringLiteral("explanation"),
          QJsonObject { { QStringLiteral("en"), batchDelayNote() },
                        { QStringLiteral("zh"),
                          QStringLiteral(
                              "跨度在结束时才被导出并分批发送（OTEL_BSP_SCHEDULE_DELAY，默认 5 "
                              "秒），所以实时视图会滞后；每台主机使用自己的时钟，主机之间的偏差由跨主机的客户"
                              "端/服务端跨度估算，"
                              "只有在要求时（--apply-clock-offsets 或窗口中的“应用时钟偏差”）才校正到该主机的"
                              "全部跨度和指标上；并发计数由跨度推算。") } } },
        { QStringLiteral("variants"),
          QJsonArray { QJsonObject { { QStringLiteral("name"), QStringLiteral("observed") },
                                     { QStringLiteral("label"), label } } } },
    };
    QString scenarioError;
    Scenario::fromJson(raw, &run.scenario, &scenarioError);
    const ScenarioVariant sv = run.scenario.variants.value(0);
    run.createdMs = QDateTime::currentMSecsSinceEpoch();
    run.machine = RunResult::machineInfo();

    VariantResult v;
    v.name = QStringLiteral("observed");
    v.label = sv.labelEn.isEmpty() ? QStringLiteral("Observed services (OTLP)") : sv.labelEn;
    const QList<ObservedLane> observedLanes = m_assembler->lanes();
    QSet<quint16> laneSet;
    for (const ObservedLane &lane : observedLanes)
        laneSet.insert(lane.lane);
    for (const RequestRecord &r : recorder()->readFrom(recorder()->firstAvailable())) {
        if (laneSet.contains(r.loopThread) && r.finished())
            v.server.append(r);
    }
    std::sort(v.server.begin(), v.server.end(),
              [](const RequestRecord &a, const RequestRecord &b) { return a.startedNs < b.startedNs; });
    v.startNs = m_startedNs ? m_startedNs : now;
    v.endNs = now;
    for (const RequestRecord &r : std::as_const(v.server)) {
        v.startNs = std::min(v.startNs, r.startedNs);
        v.endNs = std::max(v.endNs, r.respondedNs);
    }
    // A sender whose clock is far off must not stretch the run over days: at most 10 minutes
    // before the observation started and after it ended (those requests draw outside).
    constexpr qint64 slack = 600'000'000'000LL;
    v.startNs = std::max(v.startNs, (m_startedNs ? m_startedNs : now) - slack);
    v.endNs = std::min(v.endNs, now + slack);
    v.threadNames = ThreadRegistry::names();
    v.threadKinds = ThreadRegistry::kinds(); // the service lanes stay services when the run reopens

    // In-flight requests over time, derived from the spans (100 Hz like the server's sampler).
    QList<Edge> edges;
    for (const RequestRecord &r : std::as_const(v.server)) {
        edges.append({ r.startedNs, +1 });
        edges.append({ r.respondedNs, -1 });
    }
    std::sort(edges.begin(), edges.end());
    constexpr qint64 step = 10'000'000;
    qsizetype e = 0;
    int inFlight = 0, peak = 0;
    quint64 completed = 0, failed = 0;
    QList<RequestRecord> byEnd = v.server;
    std::sort(byEnd.begin(), byEnd.end(),
              [](const RequestRecord &a, const RequestRecord &b) { return a.respondedNs < b.respondedNs; });
    qsizetype done = 0;
    for (qint64 t = v.startNs; t <= v.endNs && v.counters.size() < 2'000'000; t += step) {
        int stepPeak = inFlight;
        while (e < edges.size() && edges[e].t <= t) {
            inFlight += edges[e].delta;
            stepPeak = std::max(stepPeak, inFlight);
            ++e;
        }
        while (done < byEnd.size() && byEnd[done].respondedNs <= t) {
            if (byEnd[done].status < 400)
                ++completed;
            else
                ++failed;
            ++done;
        }
        peak = std::max(peak, stepPeak);
        CounterSample s;
        s.tNs = t;
        s.inFlight = stepPeak;
        s.completed = completed;
        s.failed = failed;
        v.counters.append(s);
    }

    // The services' own event-loop delay (max per export interval) in the counters' per-loop lag,
    // one "loop" per instance that sends it, so the lag plots and the reports draw it: each sample
    // takes the value of the interval it falls in.
    QList<QList<OtlpMetricStore::Sample>> lag;
    for (int i = 0; i < m_metrics->instances().size() && lag.size() < ServerCounters::MaxWorkers; ++i) {
        QList<OtlpMetricStore::Sample> t = m_metrics->track(i, OtlpMetricStore::Track::LoopDelayMax);
        if (!t.isEmpty())
            lag.append(t);
    }
    if (!lag.isEmpty()) {
        QList<qsizetype> at(lag.size(), 0);
        for (CounterSample &s : v.counters) {
            s.workers = int(lag.size());
            for (qsizetype i = 0; i < lag.size(); ++i) {
                while (at[i] < lag[i].size() && lag[i][at[i]].tNs < s.tNs)
                    ++at[i];
                if (at[i] < lag[i].size() && (at[i] > 0 || lag[i][0].tNs - s.tNs < 1'000'000'000))
                    s.loopLagMs[size_t(i)] = float(lag[i][at[i]].value);
            }
        }
    }

    // The summary of a run without a client side comes from the server records
    // (VariantResult::computeSummary), so run.json re-renders the same with `loopscope report`.
    v.computeSummary();
    const OtlpAssembler::Stats stats = m_assembler->stats();
    v.metrics[QStringLiteral("observed_spans")] = double(stats.spans);
    v.metrics[QStringLiteral("observed_services")] = stats.services;
    v.metrics[QStringLiteral("observed_instances")] = stats.instances;
    v.metrics[QStringLiteral("max_in_flight_derived")] = peak;
    // The services' own runtime figures: the largest over the instances that sent them.
    const QJsonArray metricInstances = m_metrics->toJson(v.startNs);
    for (const QJsonValue &in : metricInstances) {
        const QJsonObject peaks = in.toObject().value(QStringLiteral("peaks")).toObject();
        for (auto it = peaks.constBegin(); it != peaks.constEnd(); ++it) {
            const QString key = QStringLiteral("observed_") + it.key();
            v.metrics[key] = std::max(v.metrics.value(key, it.value().toDouble()), it.value().toDouble());
        }
    }

    QJsonArray lanes;
    const QMap<quint16, int> perLane = maxInFlightPerLane(v.server);
    QMap<QString, int> perService;
    for (const ObservedLane &lane : observedLanes) {
        const int maxInFlight = perLane.value(lane.lane);
        perService[lane.service] = std::max(perService.value(lane.service), maxInFlight);
        lanes.append(QJsonObject { { QStringLiteral("lane"), lane.lane },
                                   { QStringLiteral("name"), lane.name() },
                                   { QStringLiteral("service"), lane.service },
                                   { QStringLiteral("host"), lane.host },
                                   { QStringLiteral("instance"), lane.instance },
                                   { QStringLiteral("thread"), lane.thread },
                                   { QStringLiteral("max_in_flight"), maxInFlight } });
    }
    QJsonObject services;
    for (auto it = perService.constBegin(); it != perService.constEnd(); ++it)
        services.insert(it.key(), it.value());
    QJsonObject corrections;
    const QHash<QString, qint64> applied = m_assembler->appliedCorrectionsNs();
    for (auto it = applied.constBegin(); it != applied.constEnd(); ++it)
        corrections.insert(it.key(), double(it.value()) / 1e6);
    QJsonArray offsets;
    for (const ClockOffset &o : m_assembler->offsets())
        offsets.append(QJsonObject { { QStringLiteral("from_host"), o.fromHost },
                                     { QStringLiteral("to_host"), o.toHost },
                                     { QStringLiteral("offset_ms"), o.offsetMs },
                                     { QStringLiteral("samples"), o.samples } });
    const OtlpReceiver::Stats rs = m_receiver->stats();
    run.machine.insert(
        QStringLiteral("otlp"),
        QJsonObject { { QStringLiteral("endpoint"), m_receiver->endpoint() },
                      { QStringLiteral("export_requests"), double(rs.requests) },
                      { QStringLiteral("rejected_spans"), double(rs.rejectedSpans) },
                      { QStringLiteral("spans_waiting_for_their_request"), double(stats.waitingSpans) },
                      { QStringLiteral("counters"), QStringLiteral("derived from spans") },
                      { QStringLiteral("lanes"), lanes },
                      { QStringLiteral("max_in_flight_per_service"), services },
                      { QStringLiteral("clock_offsets"), offsets },
                      { QStringLiteral("clock_offsets_applied"), m_assembler->applyClockOffsets() },
                      // ms subtracted from each host's span and metric times (when applied)
                      { QStringLiteral("clock_corrections_ms"), corrections },
                      { QStringLiteral("grpc_endpoint"), m_grpc->port() ? m_grpc->endpoint() : QString() },
                      { QStringLiteral("grpc_export_requests"), double(m_grpc->stats().requests) },
                      { QStringLiteral("metric_points"), double(m_metrics->pointCount()) },
                      { QStringLiteral("metrics"), metricInstances },
                      { QStringLiteral("note"), batchDelayNote() } });
    run.variants.append(v);
    return run;
}

QByteArray OtlpObserver::requestsCsv(const RunResult &run)
{
    QHash<quint16, QJsonObject> lanes;
    for (const QJsonValue &l :
         run.machine.value(QStringLiteral("otlp")).toObject().value(QStringLiteral("lanes")).toArray())
        lanes.insert(quint16(l.toObject().value(QStringLiteral("lane")).toInt()), l.toObject());
    QByteArray out = "service,host,instance,lane,request_id,start_ms,end_ms,duration_ms,status,phases\n";
    for (const VariantResult &v : run.variants) {
        for (const RequestRecord &r : v.server) {
            const QJsonObject lane = lanes.value(r.loopThread);
            QStringList phases;
            for (int i = 0; i < r.spanCount; ++i)
                phases.append(phaseName(r.spans[size_t(i)].phase));
            out += csvField(lane.value(QStringLiteral("service")).toString()) + ','
                + csvField(lane.value(QStringLiteral("host")).toString()) + ','
                + csvField(lane.value(QStringLiteral("instance")).toString()) + ','
                + csvField(v.threadNames.value(r.loopThread)) + ',' + QByteArray::number(r.id) + ','
                + RunExport::fixed3(TraceClock::nsToMs(r.startedNs - v.startNs)) + ','
                + RunExport::fixed3(TraceClock::nsToMs(r.respondedNs - v.startNs)) + ','
                + RunExport::fixed3(TraceClock::nsToMs(r.respondedNs - r.startedNs)) + ','
                + QByteArray::number(r.status) + ',' + csvField(phases.join(QLatin1Char(' '))) + '\n';
        }
    }
    return out;
}

QByteArray OtlpObserver::metricsCsv(const RunResult &run) const
{
    return m_metrics->csv(run.variants.isEmpty() ? m_startedNs : run.variants.first().startNs);
}

QString OtlpObserver::summaryLine(double spansPerSecond) const
{
    const OtlpAssembler::Stats s = m_assembler->stats();
    return QStringLiteral("%1 spans/s  %2 requests  %3 services  %4 instances  (%5 spans, %6 waiting, "
                          "%7 metric points)")
        .arg(spansPerSecond, 0, 'f', 0)
        .arg(s.requests)
        .arg(s.services)
        .arg(s.instances)
        .arg(s.spans)
        .arg(s.waitingSpans)
        .arg(m_metrics->pointCount());
}
