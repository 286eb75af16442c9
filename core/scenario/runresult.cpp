#include "runresult.h"

#include "stats/throughputseries.h"

#include <QDateTime>
#include <QJsonArray>
#include <QSysInfo>
#include <QThread>
#include <algorithm>
#include <cmath>

namespace {

// A run.json from elsewhere may be truncated, edited or hostile. Every "*_ns" number becomes a
// timestamp: one past a week (say 9e18) would overflow when re-based, and would ask the
// throughput series for billions of one-second buckets. Checked before any record is read.
constexpr double MaxRunNs = 7.0 * 24 * 3600 * 1e9;

bool checkTimes(const QJsonObject &o, const QString &where, QString *error)
{
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (it.key().endsWith(QLatin1String("_ns")) && it.value().isDouble()
            && !(std::abs(it.value().toDouble()) <= MaxRunNs)) {
            if (error)
                *error = QStringLiteral("%1: '%2' is out of range (%3; a run lasts at most a week)")
                             .arg(where, it.key())
                             .arg(it.value().toDouble());
            return false;
        }
    }
    return true;
}

bool checkVariantTimes(const QJsonObject &v, int index, QString *error)
{
    const QString where = QStringLiteral("variant %1").arg(index);
    if (!checkTimes(v, where, error))
        return false;
    const auto records = [&](const char *key, bool withSpans) {
        const QJsonArray list = v.value(QLatin1String(key)).toArray();
        for (qsizetype i = 0; i < list.size(); ++i) {
            const QJsonObject r = list.at(i).toObject();
            const QString at = QStringLiteral("%1, %2[%3]").arg(where, QLatin1String(key)).arg(i);
            if (!checkTimes(r, at, error))
                return false;
            if (!withSpans)
                continue;
            const QJsonArray spans = r.value(QLatin1String(RecordField::Spans)).toArray();
            for (qsizetype k = 0; k < spans.size(); ++k) {
                if (!checkTimes(spans.at(k).toObject(), QStringLiteral("%1.spans[%2]").arg(at).arg(k), error))
                    return false;
            }
        }
        return true;
    };
    return records("client_records", false) && records("server_records", true)
        && records("other_server_records", true) && records("counters", false);
}

QJsonObject summaryJson(const PercentileSummary &s)
{
    return LatencyStats::toJson(s);
}

// A lane's kind in run.json: "worker_loop", "pool_thread", "process", "service" or "other".
const char *const LaneKindNames[] = { "other", "worker_loop", "pool_thread", "process", "service" };

QJsonArray laneKindsJson(const QList<LaneKind> &kinds)
{
    QJsonArray a;
    for (LaneKind k : kinds)
        a.append(QLatin1String(LaneKindNames[std::min<size_t>(size_t(k), std::size(LaneKindNames) - 1)]));
    return a;
}

LaneKind laneKindFromName(const QString &name)
{
    for (size_t i = 0; i < std::size(LaneKindNames); ++i) {
        if (name == QLatin1String(LaneKindNames[i]))
            return LaneKind(i);
    }
    return LaneKind::Other;
}

// run.json files written before lanes carried their kind (no "thread_kinds") are read by the
// names the server gave its threads then ("worker-N", "pool-N"). Only this loader guesses from a
// name; everything else reads the kind.
LaneKind laneKindFromOldName(const QString &name)
{
    if (name.startsWith(QLatin1String("worker")))
        return LaneKind::WorkerLoop;
    if (name.startsWith(QLatin1String("pool")))
        return LaneKind::PoolThread;
    return LaneKind::Other;
}

} // namespace

// ------------------------------------------------------------------------------------------

void VariantResult::index()
{
    m_byTag.clear();
    for (int i = 0; i < server.size(); ++i) {
        if (server[i].clientTag)
            m_byTag.insert(server[i].clientTag, i);
    }
}

const RequestRecord *VariantResult::serverRecordFor(const ClientRecord &c) const
{
    const auto it = m_byTag.constFind(c.tag);
    return it == m_byTag.constEnd() ? nullptr : &server[*it];
}

void VariantResult::computeSummary()
{
    index();
    metrics.clear();
    errorsByKind.clear();
    if (clientCpuSeconds > 0) {
        // What the simulated users cost, next to what they measured (docs/LOAD_CLIENT.md).
        metrics[QStringLiteral("client_cpu_s")] = clientCpuSeconds;
        if (!client.isEmpty())
            metrics[QStringLiteral("client_cpu_us_per_request")]
                = clientCpuSeconds * 1e6 / double(client.size());
    }
    LatencyStats all, ok, first;
    qint64 firstIntended = 0, lastIntended = 0, lastComplete = 0;
    quint64 nOk = 0, nFinished = 0, nLate = 0;
    ThroughputSeries series(startNs);
    for (const ClientRecord &c : client) {
        if (!firstIntended || c.intendedNs < firstIntended)
            firstIntended = c.intendedNs;
        lastIntended = std::max(lastIntended, c.intendedNs);
        series.addOffered(c.intendedNs);
        if (c.late)
            ++nLate;
        errorsByKind[clientErrorName(c.error)] += 1;
        if (!c.finished())
            continue;
        ++nFinished;
        lastComplete = std::max(lastComplete, c.completeNs);
        all.record(c.latencyNs());
        series.addCompletion(c.completeNs, c.latencyNs(), c.ok());
        if (c.ok()) {
            ++nOk;
            ok.record(c.latencyNs());
        }
        if (c.firstTokenNs)
            first.record(c.ttftNs());
    }
    // A run without a client side (observed services, a recording of outside load): the
    // requests are the server's records, each from its arrival (an observed one: its start) to
    // its end.
    const bool serverOnly = isServerSideOnly();
    if (serverOnly) {
        const auto arrived = [](const RequestRecord &r) { return r.arrivedNs ? r.arrivedNs : r.startedNs; };
        firstIntended = arrived(server.first());
        for (const RequestRecord &r : server) {
            if (!r.finished())
                continue;
            firstIntended = std::min(firstIntended, arrived(r));
            lastIntended = std::max(lastIntended, arrived(r));
            lastComplete = std::max(lastComplete, r.respondedNs);
            ++nFinished;
            const qint64 latencyNs = r.respondedNs - arrived(r);
            const bool success = r.status < 400;
            all.record(latencyNs);
            series.addOffered(arrived(r));
            series.addCompletion(r.respondedNs, latencyNs, success);
            if (success) {
                ++nOk;
                ok.record(latencyNs);
            }
        }
    }
    if (endNs)
        series.setRunEnd(endNs);
    latency = all.summary();
    latencyOk = ok.summary();
    ttft = first.summary();
    throughput = series.toJson();

    const double makespan = lastComplete > firstIntended ? double(lastComplete - firstIntended) / 1e9 : 0;
    const double offeredSpan = double(lastIntended - firstIntended) / 1e9;
    metrics[QStringLiteral("requests")] = serverOnly ? double(nFinished) : double(client.size());
    metrics[QStringLiteral("successful")] = double(nOk);
    metrics[QStringLiteral("errors")] = double(nFinished - nOk);
    if (!serverOnly) // client-side figures: not measured without a client side
        metrics[QStringLiteral("late_sends")] = double(nLate);
    metrics[QStringLiteral("makespan_s")] = makespan;
    if (nFinished) {
        metrics[QStringLiteral("latency_min_s")] = latency.minMs / 1e3;
        metrics[QStringLiteral("latency_mean_s")] = latency.meanMs / 1e3;
        metrics[QStringLiteral("latency_p50_s")] = latency.p50Ms / 1e3;
        metrics[QStringLiteral("latency_p95_s")] = latency.p95Ms / 1e3;
        metrics[QStringLiteral("latency_p99_s")] = latency.p99Ms / 1e3;
        metrics[QStringLiteral("latency_max_s")] = latency.maxMs / 1e3;
    }
    if (ttft.count) {
        metrics[QStringLiteral("ttft_p50_s")] = ttft.p50Ms / 1e3;
        metrics[QStringLiteral("ttft_max_s")] = ttft.maxMs / 1e3;
    }
    if (makespan > 0) {
        metrics[QStringLiteral("achieved_rps")] = double(nFinished) / makespan;
        metrics[QStringLiteral("successful_rps")] = double(nOk) / makespan;
        if (!serverOnly)
            metrics[QStringLiteral("offered_rps")]
                = offeredSpan > 0 && load.model == LoadSettings::Model::Open
                ? double(client.size()) / offeredSpan
                : double(client.size()) / makespan;
    }
    // Server side: the longest wait before a thread picked the request up, peaks, and the time
    // requests were ready to go on but their loop was busy (loop_wait: all requests', and the
    // most one request lost).
    double queueMax = 0, dbPoolWaitMax = 0, loopWaitSum = 0, loopWaitMax = 0;
    for (const RequestRecord &r : server) {
        for (int i = 0; i < r.spanCount; ++i) {
            const TraceSpan &s = r.spans[size_t(i)];
            if ((s.phase == Phase::Queued || s.phase == Phase::Poll) && s.endNs)
                queueMax = std::max(queueMax, double(s.endNs - s.startNs) / 1e9);
            if (s.phase == Phase::DbPoolWait && s.endNs)
                dbPoolWaitMax = std::max(dbPoolWaitMax, double(s.endNs - s.startNs) / 1e9);
        }
        const double loopWait = double(phaseTotalNs(r, Phase::LoopWait)) / 1e9;
        loopWaitSum += loopWait;
        loopWaitMax = std::max(loopWaitMax, loopWait);
    }
    if (!server.isEmpty()) {
        metrics[QStringLiteral("server_requests")] = double(server.size());
        metrics[QStringLiteral("server_wait_max_s")] = queueMax;
        metrics[QStringLiteral("db_pool_wait_max_s")] = dbPoolWaitMax;
        metrics[QStringLiteral("loop_wait_s")] = loopWaitSum;
        metrics[QStringLiteral("loop_wait_max_s")] = loopWaitMax;
    }
    if (!counters.isEmpty()) {
        int queued = 0, active = 0, inFlight = 0, dbBusy = 0, dbWaiting = 0, dbPool = 0;
        float lag = 0;
        for (const CounterSample &s : counters) {
            dbBusy = std::max(dbBusy, s.dbBusy);
            dbWaiting = std::max(dbWaiting, s.dbWaiting);
            dbPool = std::max(dbPool, s.dbPoolSize);
            queued = std::max(queued, s.poolQueued);
            active = std::max(active, s.poolActive);
            inFlight = std::max(inFlight, s.inFlight);
            lag = std::max(lag, s.maxLoopLagMs());
        }
        metrics[QStringLiteral("pool_queued_peak")] = queued;
        metrics[QStringLiteral("pool_active_peak")] = active;
        metrics[QStringLiteral("in_flight_peak")] = inFlight;
        metrics[QStringLiteral("loop_lag_max_s")] = double(lag) / 1e3;
        if (dbPool > 0) { // PostgreSQL's connection pool
            metrics[QStringLiteral("db_busy_peak")] = dbBusy;
            metrics[QStringLiteral("db_waiting_peak")] = dbWaiting;
        }
        // Seed 2's table rows, measured: the process's CPU utilisation over the run (% of one
        // core) and its resident memory; and the worker loops the supervisor ran.
        // The pool processes' CPU joins the process's own: the run used it (seed 1's process pool).
        double cpuSum = 0, cpuPeak = 0, poolCpuSum = 0;
        qint64 rssPeak = 0;
        int nCpu = 0, threadsPeak = 0, workersPeak = 0, workersLow = ServerCounters::MaxWorkers,
            queuePeak = 0;
        for (const CounterSample &s : counters) {
            workersPeak = std::max(workersPeak, s.workers);
            if (s.workers > 0)
                workersLow = std::min(workersLow, s.workers);
            queuePeak = std::max(queuePeak, s.acceptQueue);
            rssPeak = std::max(rssPeak, s.rssBytes);
            threadsPeak = std::max(threadsPeak, s.threads);
            if (s.tNs >= startNs && (endNs == 0 || s.tNs <= endNs) && s.threads > 0) {
                cpuSum += double(s.cpuPct) + double(s.poolCpuPct);
                cpuPeak = std::max(cpuPeak, double(s.cpuPct) + double(s.poolCpuPct));
                poolCpuSum += double(s.poolCpuPct);
                ++nCpu;
            }
        }
        if (nCpu) {
            metrics[QStringLiteral("cpu_util_pct")] = cpuSum / nCpu;
            metrics[QStringLiteral("cpu_peak_pct")] = cpuPeak;
            if (poolCpuSum > 0)
                metrics[QStringLiteral("pool_cpu_util_pct")] = poolCpuSum / nCpu;
        }
        // The server's share: the worker loops' and pool threads' CPU (the process also runs the
        // load generator and the window).
        QVector<bool> serverLane(threadNames.size());
        for (int i = 0; i < threadNames.size(); ++i)
            serverLane[i] = servesRequests(threadKinds.value(i, LaneKind::Other));
        double serverSum = 0;
        int windows = 0;
        for (const CounterSample &s : counters) {
            if (!s.laneCpu || s.tNs < startNs || (endNs != 0 && s.tNs > endNs))
                continue;
            ++windows;
            for (const LaneCpu &l : *s.laneCpu) {
                if (l.lane < serverLane.size() && serverLane[l.lane])
                    serverSum += double(l.pct);
            }
        }
        if (windows)
            metrics[QStringLiteral("server_cpu_util_pct")] = serverSum / windows;
        if (rssPeak > 0)
            metrics[QStringLiteral("rss_peak_mb")] = double(rssPeak) / (1024.0 * 1024.0);
        if (threadsPeak > 0)
            metrics[QStringLiteral("threads_peak")] = threadsPeak;
        metrics[QStringLiteral("workers_peak")] = workersPeak;
        metrics[QStringLiteral("workers_last")] = counters.last().workers;
        if (workersPeak > 0)
            metrics[QStringLiteral("workers_low")] = workersLow;
        metrics[QStringLiteral("accept_queue_peak")] = queuePeak;
    }
    if (!scaleEvents.isEmpty()) {
        int up = 0, down = 0;
        for (const ScaleEvent &e : scaleEvents)
            ++(e.kind == ScaleEvent::Kind::ScaleUp ? up : down);
        metrics[QStringLiteral("scale_ups")] = up;
        metrics[QStringLiteral("scale_downs")] = down;
    }
}

QJsonObject VariantResult::toJson() const
{
    QJsonArray c, s, k;
    for (const ClientRecord &r : client)
        c.append(r.toJson(startNs));
    for (const RequestRecord &r : server)
        s.append(requestRecordToJson(r, startNs));
    for (const CounterSample &x : counters)
        k.append(counterSampleToJson(x, startNs));
    QJsonArray others;
    for (const RequestRecord &r : other)
        others.append(requestRecordToJson(r, startNs));
    QJsonObject m;
    for (auto it = metrics.begin(); it != metrics.end(); ++it)
        m.insert(it.key(), it.value());
    QJsonObject e;
    for (auto it = errorsByKind.begin(); it != errorsByKind.end(); ++it)
        e.insert(it.key(), qint64(it.value()));
    QJsonObject shortPass;
    for (auto it = shortPassMetrics.begin(); it != shortPassMetrics.end(); ++it)
        shortPass.insert(it.key(), it.value());
    return { { QStringLiteral("name"), name },
             { QStringLiteral("label"), label },
             { QStringLiteral("server_config"), serverConfig },
             { QStringLiteral("load"), load.toJson() },
             { QStringLiteral("load_model"), LoadSettings::modelName(load.model) },
             { QStringLiteral("duration_ns"), endNs - startNs },
             { QStringLiteral("error"), error },
             { QStringLiteral("client_cpu_s"), clientCpuSeconds },
             { QStringLiteral("metrics"), m },
             { QStringLiteral("short_pass_metrics"), shortPass },
             { QStringLiteral("short_pass_time_scale"), shortPassTimeScale },
             { QStringLiteral("outcomes"), e },
             { QStringLiteral("latency"), summaryJson(latency) },
             { QStringLiteral("latency_successful"), summaryJson(latencyOk) },
             { QStringLiteral("ttft"), summaryJson(ttft) },
             { QStringLiteral("throughput"), throughput },
             { QStringLiteral("thread_names"), QJsonArray::fromStringList(threadNames) },
             { QStringLiteral("thread_kinds"), laneKindsJson(threadKinds) },
             { QStringLiteral("client_records"), c },
             { QStringLiteral("server_records"), s },
             { QStringLiteral("other_server_records"), others },
             { QStringLiteral("counters"), k },
             { QStringLiteral("scale_events"), scaleEventsJson() },
             { QStringLiteral("gil_holds"), lockHoldsJson() } };
}

QJsonArray VariantResult::lockHoldsJson() const
{
    // The modelled GIL's turns: [thread, asked, held from, held to], ns from the run start (-1: not
    // yet).
    QJsonArray a;
    for (const LockHold &h : lockHolds)
        a.append(QJsonArray { h.thread, h.askedNs - startNs, h.startNs ? h.startNs - startNs : -1,
                              h.endNs ? h.endNs - startNs : -1 });
    return a;
}

QJsonArray VariantResult::scaleEventsJson() const
{
    QJsonArray a;
    for (const ScaleEvent &e : scaleEvents)
        a.append(QJsonObject { { QStringLiteral("t_ns"), e.tNs - startNs },
                               { QStringLiteral("kind"), ScaleEvent::kindName(e.kind) },
                               { QStringLiteral("reason"), e.reason },
                               { QStringLiteral("workers"), e.workers } });
    return a;
}

void VariantResult::joinServer(std::span<const RequestRecord> records, const QList<CounterSample> &samples)
{
    QSet<quint64> tags;
    for (const ClientRecord &c : std::as_const(client)) {
        if (c.tag != 0)
            tags.insert(c.tag);
    }
    server.clear();
    for (const RequestRecord &r : records) {
        if (r.clientTag != 0 && tags.contains(r.clientTag))
            server.push_back(r);
    }
    collectOther(records, tags);
    counters.clear();
    const qint64 to = std::max(endNs, startNs) + CounterTailNs;
    for (const CounterSample &s : samples) {
        if (s.tNs >= startNs && s.tNs <= to)
            counters.push_back(s);
    }
    index();
}

void VariantResult::collectOther(std::span<const RequestRecord> records, const QSet<quint64> &tags)
{
    other.clear();
    const qint64 end = std::max(endNs, startNs);
    for (RequestRecord r : records) {
        if ((r.clientTag != 0 && tags.contains(r.clientTag)) || r.arrivedNs == 0 || r.arrivedNs > end
            || (r.respondedNs != 0 && r.respondedNs < startNs))
            continue;
        const auto clip = [this](qint64 &ns) {
            if (ns != 0 && ns < startNs)
                ns = startNs;
        };
        clip(r.arrivedNs);
        clip(r.startedNs);
        clip(r.firstTokenNs);
        for (int i = 0; i < r.spanCount; ++i) {
            clip(r.spans[size_t(i)].startNs);
            clip(r.spans[size_t(i)].endNs);
        }
        other.push_back(r);
    }
}

VariantResult VariantResult::fromJson(const QJsonObject &j)
{
    // Reloaded runs are re-based on a zero origin: every timestamp is relative to the run start.
    VariantResult v;
    v.name = j.value(QStringLiteral("name")).toString();
    v.label = j.value(QStringLiteral("label")).toString();
    v.serverConfig = j.value(QStringLiteral("server_config")).toObject();
    v.load = LoadSettings::fromJson(j.value(QStringLiteral("load")).toObject());
    v.startNs = 1; // a non-zero origin keeps "0 = never happened" meaningful
    v.endNs = v.startNs + j.value(QStringLiteral("duration_ns")).toInteger();
    v.error = j.value(QStringLiteral("error")).toString();
    v.clientCpuSeconds = j.value(QStringLiteral("client_cpu_s")).toDouble();
    const QJsonObject shortPass = j.value(QStringLiteral("short_pass_metrics")).toObject();
    for (auto it = shortPass.begin(); it != shortPass.end(); ++it)
        v.shortPassMetrics.insert(it.key(), it.value().toDouble());
    v.shortPassTimeScale = j.value(QStringLiteral("short_pass_time_scale")).toDouble();
    for (const QJsonValue &x : j.value(QStringLiteral("client_records")).toArray())
        v.client.append(ClientRecord::fromJson(x.toObject(), v.startNs));
    for (const QJsonValue &x : j.value(QStringLiteral("server_records")).toArray())
        v.server.append(requestRecordFromJson(x.toObject(), v.startNs));
    for (const QJsonValue &x : j.value(QStringLiteral("other_server_records")).toArray())
        v.other.append(requestRecordFromJson(x.toObject(), v.startNs));
    for (const QJsonValue &x : j.value(QStringLiteral("counters")).toArray())
        v.counters.append(counterSampleFromJson(x.toObject(), v.startNs));
    for (const QJsonValue &x : j.value(QStringLiteral("thread_names")).toArray())
        v.threadNames.append(x.toString());
    const QJsonArray kinds = j.value(QStringLiteral("thread_kinds")).toArray();
    for (qsizetype i = 0; i < v.threadNames.size(); ++i)
        v.threadKinds.append(i < kinds.size() ? laneKindFromName(kinds.at(i).toString())
                                              : laneKindFromOldName(v.threadNames.at(i)));
    for (const QJsonValue &x : j.value(QStringLiteral("scale_events")).toArray()) {
        const QJsonObject e = x.toObject();
        ScaleEvent ev;
        ev.tNs = e.value(QStringLiteral("t_ns")).toInteger() + v.startNs;
        ev.kind = e.value(QStringLiteral("kind")).toString() == QLatin1String("scale_down")
            ? ScaleEvent::Kind::ScaleDown
            : ScaleEvent::Kind::ScaleUp;
        ev.reason = e.value(QStringLiteral("reason")).toString();
        ev.workers = e.value(QStringLiteral("workers")).toInt();
        v.scaleEvents.append(ev);
    }
    for (const QJsonValue &x : j.value(QStringLiteral("gil_holds")).toArray()) {
        const QJsonArray h = x.toArray();
        if (h.size() != 4)
            continue;
        const auto at = [&](int i) {
            const qint64 t = h.at(i).toInteger(-1);
            return t < 0 ? qint64(0) : t + v.startNs;
        };
        v.lockHolds.push_back({ at(1), at(2), at(3), quint16(h.at(0).toInt()) });
    }
    v.computeSummary();
    return v;
}

// ------------------------------------------------------------------------------------------

bool RunResult::passed() const
{
    return std::all_of(checks.begin(), checks.end(), [](const FigureCheck &c) { return c.pass; });
}

QJsonObject RunResult::machineInfo()
{
    return { { QStringLiteral("host"), QSysInfo::machineHostName() },
             { QStringLiteral("os"), QSysInfo::prettyProductName() },
             { QStringLiteral("kernel"), QSysInfo::kernelVersion() },
             { QStringLiteral("cpu_arch"), QSysInfo::currentCpuArchitecture() },
             { QStringLiteral("cores"), QThread::idealThreadCount() },
             { QStringLiteral("cores_available"), availableCores() },
             { QStringLiteral("qt"), QString::fromLatin1(qVersion()) } };
}

QJsonObject RunResult::toJson() const
{
    QJsonArray vs, cs;
    for (const VariantResult &v : variants)
        vs.append(v.toJson());
    for (const FigureCheck &c : checks) {
        cs.append(QJsonObject {
            { QStringLiteral("variant"), c.figure.variant },
            { QStringLiteral("metric"), c.figure.metric },
            { QStringLiteral("expected"), c.expected },
            { QStringLiteral("allowed"), c.allowed },
            { QStringLiteral("measured"), c.measured },
            { QStringLiteral("unscaled_s"), qIsNaN(c.unscaled) ? QJsonValue() : QJsonValue(c.unscaled) },
            { QStringLiteral("available"), c.available },
            { QStringLiteral("pass"), c.pass },
            { QStringLiteral("not_applicable"), c.notApplicable },
            { QStringLiteral("ratio_to"), c.figure.ratioTo },
            { QStringLiteral("note"), c.figure.note } });
    }
    return { { QStringLiteral("format"), QStringLiteral("loopscope-run") },
             { QStringLiteral("version"), 1 },
             { QStringLiteral("created"), QDateTime::fromMSecsSinceEpoch(createdMs).toString(Qt::ISODate) },
             { QStringLiteral("scenario"), scenario.raw },
             { QStringLiteral("options"),
               QJsonObject { { QStringLiteral("variant"), options.variant },
                             { QStringLiteral("users"), options.users },
                             { QStringLiteral("time_scale"), options.timeScale },
                             { QStringLiteral("target"), options.target.toString() },
                             { QStringLiteral("load"), options.load } } },
             { QStringLiteral("machine"), machine },
             { QStringLiteral("passed"), passed() },
             { QStringLiteral("checks"), cs },
             { QStringLiteral("variants"), vs } };
}

bool RunResult::fromJson(const QJsonObject &j, RunResult *out, QString *error)
{
    if (j.value(QStringLiteral("format")).toString() != QLatin1String("loopscope-run")) {
        if (error)
            *error = QStringLiteral("not a LoopScope run.json");
        return false;
    }
    RunResult r;
    if (!Scenario::fromJson(j.value(QStringLiteral("scenario")).toObject(), &r.scenario, error))
        return false;
    const QJsonObject o = j.value(QStringLiteral("options")).toObject();
    r.options.variant = o.value(QStringLiteral("variant")).toString();
    r.options.users = o.value(QStringLiteral("users")).toInt();
    r.options.timeScale = o.value(QStringLiteral("time_scale")).toDouble(1.0);
    r.options.target = QUrl(o.value(QStringLiteral("target")).toString());
    r.options.load = o.value(QStringLiteral("load")).toObject();
    r.machine = j.value(QStringLiteral("machine")).toObject();
    r.createdMs = QDateTime::fromString(j.value(QStringLiteral("created")).toString(), Qt::ISODate)
                      .toMSecsSinceEpoch();
    const QJsonArray variants = j.value(QStringLiteral("variants")).toArray();
    for (qsizetype i = 0; i < variants.size(); ++i) {
        if (!checkVariantTimes(variants.at(i).toObject(), int(i), error))
            return false;
    }
    for (const QJsonValue &v : variants)
        r.variants.append(VariantResult::fromJson(v.toObject()));
    r.evaluate();
    *out = r;
    return true;
}
