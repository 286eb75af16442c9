#include "runresult.h"

#include "stats/throughputseries.h"

#include <QDateTime>
#include <QJsonArray>
#include <QSysInfo>
#include <QThread>
#include <cmath>

namespace {

qint64 rel(qint64 ns, qint64 o)
{
    return ns ? ns - o : -1;
}
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
            const QJsonArray spans = r.value(QLatin1String("spans")).toArray();
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

qint64 unrel(const QJsonValue &v, qint64 o)
{
    const qint64 r = v.toInteger(-1);
    return r < 0 ? 0 : r + o;
}

QJsonObject summaryJson(const PercentileSummary &s)
{
    return LatencyStats::toJson(s);
}

} // namespace

QJsonObject requestRecordToJson(const RequestRecord &r, qint64 o)
{
    QJsonArray spans;
    for (int i = 0; i < r.spanCount; ++i) {
        const TraceSpan &s = r.spans[size_t(i)];
        spans.append(QJsonObject { { QStringLiteral("phase"), phaseName(s.phase) },
                                   { QStringLiteral("start_ns"), rel(s.startNs, o) },
                                   { QStringLiteral("end_ns"), rel(s.endNs, o) },
                                   { QStringLiteral("thread"), int(s.thread) },
                                   { QStringLiteral("index"), int(s.index) },
                                   { QStringLiteral("count"), qint64(s.count) } });
    }
    return { { QStringLiteral("id"), QString::number(r.id) },
             { QStringLiteral("client_tag"), QString::number(r.clientTag) },
             { QStringLiteral("arrived_ns"), rel(r.arrivedNs, o) },
             { QStringLiteral("started_ns"), rel(r.startedNs, o) },
             { QStringLiteral("first_token_ns"), rel(r.firstTokenNs, o) },
             { QStringLiteral("responded_ns"), rel(r.respondedNs, o) },
             { QStringLiteral("worker"), int(r.worker) },
             { QStringLiteral("mode"), dispatchModeName(r.mode) },
             { QStringLiteral("endpoint"), int(r.endpoint) },
             { QStringLiteral("status"), int(r.status) },
             { QStringLiteral("loop_thread"), int(r.loopThread) },
             { QStringLiteral("request_bytes"), qint64(r.requestBytes) },
             { QStringLiteral("response_bytes"), qint64(r.responseBytes) },
             { QStringLiteral("tokens"), qint64(r.tokens) },
             { QStringLiteral("user"), r.userId() },
             { QStringLiteral("spans"), spans } };
}

RequestRecord requestRecordFromJson(const QJsonObject &j, qint64 o)
{
    RequestRecord r;
    r.id = j.value(QStringLiteral("id")).toString().toULongLong();
    r.clientTag = j.value(QStringLiteral("client_tag")).toString().toULongLong();
    r.arrivedNs = unrel(j.value(QStringLiteral("arrived_ns")), o);
    r.startedNs = unrel(j.value(QStringLiteral("started_ns")), o);
    r.firstTokenNs = unrel(j.value(QStringLiteral("first_token_ns")), o);
    r.respondedNs = unrel(j.value(QStringLiteral("responded_ns")), o);
    r.worker = qint8(j.value(QStringLiteral("worker")).toInt());
    parseDispatchMode(j.value(QStringLiteral("mode")).toString(), &r.mode);
    r.endpoint = Endpoint(j.value(QStringLiteral("endpoint")).toInt());
    r.status = quint16(j.value(QStringLiteral("status")).toInt());
    r.loopThread = quint16(j.value(QStringLiteral("loop_thread")).toInt());
    r.requestBytes = quint32(j.value(QStringLiteral("request_bytes")).toInteger());
    r.responseBytes = quint32(j.value(QStringLiteral("response_bytes")).toInteger());
    r.tokens = quint32(j.value(QStringLiteral("tokens")).toInteger());
    r.setUserId(j.value(QStringLiteral("user")).toString().toUtf8());
    for (const QJsonValue &v : j.value(QStringLiteral("spans")).toArray()) {
        if (r.spanCount >= RequestRecord::MaxSpans)
            break;
        const QJsonObject s = v.toObject();
        TraceSpan &t = r.spans[r.spanCount++];
        const QString phase = s.value(QStringLiteral("phase")).toString();
        for (int p = 0; p < PhaseCount; ++p) {
            if (phaseName(Phase(p)) == phase)
                t.phase = Phase(p);
        }
        t.startNs = unrel(s.value(QStringLiteral("start_ns")), o);
        t.endNs = unrel(s.value(QStringLiteral("end_ns")), o);
        t.thread = quint16(s.value(QStringLiteral("thread")).toInt());
        t.index = quint8(s.value(QStringLiteral("index")).toInt());
        t.count = quint32(s.value(QStringLiteral("count")).toInteger(1));
    }
    return r;
}

QJsonObject counterSampleToJson(const CounterSample &s, qint64 o)
{
    QJsonArray lag;
    for (int i = 0; i < s.workers && i < ServerCounters::MaxWorkers; ++i)
        lag.append(double(s.loopLagMs[size_t(i)]));
    return { { QStringLiteral("t_ns"), s.tNs - o },
             { QStringLiteral("in_flight"), s.inFlight },
             { QStringLiteral("waiting"), s.waiting },
             { QStringLiteral("pool_active"), s.poolActive },
             { QStringLiteral("pool_max"), s.poolMax },
             { QStringLiteral("pool_queued"), s.poolQueued },
             { QStringLiteral("connections"), s.connections },
             { QStringLiteral("completed"), qint64(s.completed) },
             { QStringLiteral("failed"), qint64(s.failed) },
             { QStringLiteral("rejected"), qint64(s.rejected) },
             { QStringLiteral("workers"), s.workers },
             { QStringLiteral("loop_lag_ms"), lag } };
}

CounterSample counterSampleFromJson(const QJsonObject &j, qint64 o)
{
    CounterSample s;
    s.tNs = j.value(QStringLiteral("t_ns")).toInteger() + o;
    s.inFlight = j.value(QStringLiteral("in_flight")).toInt();
    s.waiting = j.value(QStringLiteral("waiting")).toInt();
    s.poolActive = j.value(QStringLiteral("pool_active")).toInt();
    s.poolMax = j.value(QStringLiteral("pool_max")).toInt();
    s.poolQueued = j.value(QStringLiteral("pool_queued")).toInt();
    s.connections = j.value(QStringLiteral("connections")).toInt();
    s.completed = quint64(j.value(QStringLiteral("completed")).toInteger());
    s.failed = quint64(j.value(QStringLiteral("failed")).toInteger());
    s.rejected = quint64(j.value(QStringLiteral("rejected")).toInteger());
    s.workers = j.value(QStringLiteral("workers")).toInt();
    const QJsonArray lag = j.value(QStringLiteral("loop_lag_ms")).toArray();
    for (int i = 0; i < lag.size() && i < ServerCounters::MaxWorkers; ++i)
        s.loopLagMs[size_t(i)] = float(lag[i].toDouble());
    return s;
}

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
    // A run without a client side (observed services, OTLP): the requests are the server's
    // records, each from its start to its end.
    const bool serverOnly = client.isEmpty() && !server.isEmpty();
    if (serverOnly) {
        firstIntended = server.first().startedNs;
        for (const RequestRecord &r : server) {
            if (!r.finished())
                continue;
            firstIntended = std::min(firstIntended, r.startedNs);
            lastIntended = std::max(lastIntended, r.startedNs);
            lastComplete = std::max(lastComplete, r.respondedNs);
            ++nFinished;
            const qint64 latencyNs = r.respondedNs - r.startedNs;
            const bool success = r.status < 400;
            all.record(latencyNs);
            series.addOffered(r.startedNs);
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
        metrics[QStringLiteral("offered_rps")] = offeredSpan > 0 && load.model == LoadSettings::Model::Open
            ? double(client.size()) / offeredSpan
            : double(client.size()) / makespan;
    }
    // Server side: the longest wait before a thread picked the request up, and peaks.
    double queueMax = 0;
    for (const RequestRecord &r : server) {
        for (int i = 0; i < r.spanCount; ++i) {
            const TraceSpan &s = r.spans[size_t(i)];
            if ((s.phase == Phase::Queued || s.phase == Phase::Poll) && s.endNs)
                queueMax = std::max(queueMax, double(s.endNs - s.startNs) / 1e9);
        }
    }
    if (!server.isEmpty()) {
        metrics[QStringLiteral("server_requests")] = double(server.size());
        metrics[QStringLiteral("server_wait_max_s")] = queueMax;
    }
    if (!counters.isEmpty()) {
        int queued = 0, active = 0, inFlight = 0;
        float lag = 0;
        for (const CounterSample &s : counters) {
            queued = std::max(queued, s.poolQueued);
            active = std::max(active, s.poolActive);
            inFlight = std::max(inFlight, s.inFlight);
            lag = std::max(lag, s.maxLoopLagMs());
        }
        metrics[QStringLiteral("pool_queued_peak")] = queued;
        metrics[QStringLiteral("pool_active_peak")] = active;
        metrics[QStringLiteral("in_flight_peak")] = inFlight;
        metrics[QStringLiteral("loop_lag_max_s")] = double(lag) / 1e3;
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
    return { { QStringLiteral("name"), name },
             { QStringLiteral("label"), label },
             { QStringLiteral("server_config"), serverConfig },
             { QStringLiteral("load"), load.toJson() },
             { QStringLiteral("load_model"), LoadSettings::modelName(load.model) },
             { QStringLiteral("duration_ns"), endNs - startNs },
             { QStringLiteral("error"), error },
             { QStringLiteral("client_cpu_s"), clientCpuSeconds },
             { QStringLiteral("metrics"), m },
             { QStringLiteral("outcomes"), e },
             { QStringLiteral("latency"), summaryJson(latency) },
             { QStringLiteral("latency_successful"), summaryJson(latencyOk) },
             { QStringLiteral("ttft"), summaryJson(ttft) },
             { QStringLiteral("throughput"), throughput },
             { QStringLiteral("thread_names"), QJsonArray::fromStringList(threadNames) },
             { QStringLiteral("client_records"), c },
             { QStringLiteral("server_records"), s },
             { QStringLiteral("other_server_records"), others },
             { QStringLiteral("counters"), k } };
}

void VariantResult::collectOther(const QList<RequestRecord> &records, const QSet<quint64> &tags)
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
    v.computeSummary();
    return v;
}

// ------------------------------------------------------------------------------------------

bool RunResult::passed() const
{
    return std::all_of(checks.begin(), checks.end(), [](const FigureCheck &c) { return c.pass; });
}

void RunResult::evaluate()
{
    checks.clear();
    const double scale = options.timeScale > 0 ? options.timeScale : 1.0;
    for (const ExpectedFigure &f : scenario.expected) {
        const VariantResult *v = nullptr;
        for (const VariantResult &x : variants) {
            if (x.name.compare(f.variant, Qt::CaseInsensitive) == 0)
                v = &x;
        }
        if (!v)
            continue; // variant not run (--variant)
        FigureCheck c;
        c.figure = f;
        double value = f.value;
        if (f.roundsOf > 0) {
            const int pool = v->serverConfig.value(QStringLiteral("pool_size")).toInt(1);
            value = std::ceil(double(v->load.users) / std::max(1, pool)) * f.roundsOf;
        }
        const bool seconds = f.metric.endsWith(QLatin1String("_s"));
        const bool rate = f.metric.endsWith(QLatin1String("_rps"));
        const double factor = seconds ? scale : rate ? 1.0 / scale : 1.0;
        c.expected = value * factor;
        // Relative tolerance, or the absolute one, whichever is wider. Seconds get a floor for the
        // fixed costs that do not shrink with the time scale: 30 ms, plus 0.5 ms per user for
        // opening that user's connection and parsing its request (100 users on 2 cores: ~50 ms).
        c.allowed = std::max(std::abs(c.expected) * f.tolerance, f.absTolerance * factor);
        if (seconds)
            c.allowed = std::max(c.allowed, 0.030 + 0.0005 * v->load.users);
        c.available = v->metrics.contains(f.metric);
        c.measured = v->metrics.value(f.metric);
        c.pass = c.available && v->error.isEmpty() && std::abs(c.measured - c.expected) <= c.allowed;
        checks.push_back(c);
    }
}

QJsonObject RunResult::machineInfo()
{
    return { { QStringLiteral("host"), QSysInfo::machineHostName() },
             { QStringLiteral("os"), QSysInfo::prettyProductName() },
             { QStringLiteral("kernel"), QSysInfo::kernelVersion() },
             { QStringLiteral("cpu_arch"), QSysInfo::currentCpuArchitecture() },
             { QStringLiteral("cores"), QThread::idealThreadCount() },
             { QStringLiteral("qt"), QString::fromLatin1(qVersion()) } };
}

QJsonObject RunResult::toJson() const
{
    QJsonArray vs, cs;
    for (const VariantResult &v : variants)
        vs.append(v.toJson());
    for (const FigureCheck &c : checks) {
        cs.append(QJsonObject { { QStringLiteral("variant"), c.figure.variant },
                                { QStringLiteral("metric"), c.figure.metric },
                                { QStringLiteral("expected"), c.expected },
                                { QStringLiteral("allowed"), c.allowed },
                                { QStringLiteral("measured"), c.measured },
                                { QStringLiteral("available"), c.available },
                                { QStringLiteral("pass"), c.pass },
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
