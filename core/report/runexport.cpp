#include "runexport.h"

#include "htmlreport.h"
#include "pdfreport.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <map>

namespace RunExport {

namespace {
PdfRenderer g_pdfRenderer;
} // namespace

QByteArray fixed3(double value)
{
    return QByteArray::number(value, 'f', 3);
}

QByteArray runJson(const RunResult &run)
{
    return QJsonDocument(run.toJson()).toJson(QJsonDocument::Indented);
}

bool readRunJson(const QString &path, RunResult *out, QString *error)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("cannot read %1: %2").arg(path, f.errorString());
        return false;
    }
    // A file far larger than any recorded run is not ours: refuse it before reading it all.
    if (f.size() > qint64(1) << 30) {
        if (error)
            *error = QStringLiteral("%1 is %2 MB: too large for a run.json").arg(path).arg(f.size() >> 20);
        return false;
    }
    QJsonParseError pe;
    const QByteArray bytes = f.readAll();
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &pe);
    if (!doc.isObject()) {
        if (error) {
            // An error at the very end of the bytes: the file was most likely cut short.
            const bool cut = pe.offset >= bytes.size() - 1;
            *error = pe.error != QJsonParseError::NoError
                ? QStringLiteral("%1 is not valid JSON (%2 at byte %3%4)")
                      .arg(path, pe.errorString())
                      .arg(pe.offset)
                      .arg(cut ? QStringLiteral("; was it cut short?") : QString())
                : QStringLiteral("%1 is not a LoopScope run.json (not a JSON object)").arg(path);
        }
        return false;
    }
    return RunResult::fromJson(doc.object(), out, error);
}

QString csvHeader()
{
    return QStringLiteral("variant,") + ClientRecord::csvHeader()
            + QStringLiteral(",server_arrived_ms,server_started_ms,server_first_token_ms,server_responded_ms,"
                             "server_status,server_worker");
}

QByteArray requestsCsv(const RunResult &run)
{
    QByteArray out = csvHeader().toUtf8() + '\n';
    const auto ms = [](qint64 ns, qint64 o) { return ns ? fixed3(double(ns - o) / 1e6) : QByteArray(); };
    for (const VariantResult &v : run.variants) {
        for (const ClientRecord &c : v.client) {
            out += v.name.toUtf8() + ',' + c.toCsvRow(v.startNs).toUtf8();
            if (const RequestRecord *s = v.serverRecordFor(c)) {
                out += ',' + ms(s->arrivedNs, v.startNs) + ',' + ms(s->startedNs, v.startNs) + ','
                        + ms(s->firstTokenNs, v.startNs) + ',' + ms(s->respondedNs, v.startNs) + ','
                        + QByteArray::number(s->status) + ',' + QByteArray::number(s->worker);
            } else {
                out += ",,,,,,";
            }
            out += '\n';
        }
    }
    return out;
}

namespace {

QByteArray jsonString(const QString &s)
{
    // QJsonDocument escapes correctly; strip the array brackets around it.
    const QByteArray a = QJsonDocument(QJsonArray{s}).toJson(QJsonDocument::Compact);
    return a.mid(1, a.size() - 2);
}

struct TraceWriter
{
    QByteArray out;
    bool first = true;
    void event(const QByteArray &body)
    {
        out += first ? "\n" : ",\n";
        out += '{' + body + '}';
        first = false;
    }
};

bool blockingPhase(Phase p)
{
    return p == Phase::DbRead || p == Phase::Llm || p == Phase::DbWrite || p == Phase::Prefetch;
}

} // namespace

QByteArray traceJson(const RunResult &run)
{
    TraceWriter w;
    w.out = "{\"displayTimeUnit\":\"ms\",\"otherData\":{\"scenario\":" + jsonString(run.scenario.name)
            + ",\"time_scale\":" + fixed3(run.options.timeScale) + "},\"traceEvents\":[";
    quint64 asyncId = 1;
    for (int vi = 0; vi < run.variants.size(); ++vi) {
        const VariantResult &v = run.variants[vi];
        const QByteArray pid = QByteArray::number(vi + 1);
        const qint64 o = v.startNs;
        const auto us = [o](qint64 ns) { return fixed3(double(ns - o) / 1e3); };
        w.event("\"ph\":\"M\",\"name\":\"process_name\",\"pid\":" + pid + ",\"tid\":0,\"args\":{\"name\":"
                + jsonString(QStringLiteral("%1: %2").arg(v.name, v.label)) + '}');
        w.event("\"ph\":\"M\",\"name\":\"process_sort_index\",\"pid\":" + pid
                + ",\"tid\":0,\"args\":{\"sort_index\":" + pid + '}');
        // Thread names: tid = thread index + 1 (0 is the process-level track).
        std::map<int, bool> threads;
        for (const RequestRecord &r : v.server) {
            threads[r.loopThread] = true;
            for (int i = 0; i < r.spanCount; ++i)
                threads[r.spans[size_t(i)].thread] = true;
        }
        for (const auto &[t, _] : threads) {
            const QString name = t < v.threadNames.size() ? v.threadNames[t] : QStringLiteral("thread-%1").arg(t);
            w.event("\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":" + pid + ",\"tid\":" + QByteArray::number(t + 1)
                    + ",\"args\":{\"name\":" + jsonString(name) + '}');
            w.event("\"ph\":\"M\",\"name\":\"thread_sort_index\",\"pid\":" + pid
                    + ",\"tid\":" + QByteArray::number(t + 1) + ",\"args\":{\"sort_index\":" + QByteArray::number(t + 1)
                    + '}');
        }
        // Request lifespans: async events, one id per request (and one per fan-out branch).
        std::map<int, std::vector<std::pair<qint64, qint64>>> ran; // thread -> X slices
        for (const ClientRecord &c : v.client) {
            if (!c.finished())
                continue;
            const quint64 id = asyncId;
            asyncId += 16;
            const QByteArray common = ",\"cat\":\"request\",\"pid\":" + pid + ",\"tid\":0";
            const auto span = [&](quint64 sid, const QString &name, qint64 b, qint64 e, const QByteArray &args) {
                if (!b || !e || e < b)
                    return;
                const QByteArray ids = ",\"id\":" + QByteArray::number(sid);
                w.event("\"ph\":\"b\",\"name\":" + jsonString(name) + common + ids + ",\"ts\":" + us(b)
                        + (args.isEmpty() ? QByteArray() : ",\"args\":" + args));
                w.event("\"ph\":\"e\",\"name\":" + jsonString(name) + common + ids + ",\"ts\":" + us(e));
            };
            const RequestRecord *s = v.serverRecordFor(c);
            const QByteArray args = "{\"user\":" + QByteArray::number(c.user) + ",\"status\":"
                    + QByteArray::number(c.status) + ",\"error\":" + jsonString(clientErrorName(c.error))
                    + ",\"server_id\":" + QByteArray::number(c.serverId) + ",\"late\":" + (c.late ? "true" : "false")
                    + '}';
            // Open the outer span first and close it last so the phases nest inside.
            const QByteArray ids = ",\"id\":" + QByteArray::number(id);
            const QString reqName = QStringLiteral("request u%1 #%2").arg(c.user).arg(c.sequence);
            w.event("\"ph\":\"b\",\"name\":" + jsonString(reqName) + common + ids + ",\"ts\":" + us(c.intendedNs)
                    + ",\"args\":" + args);
            if (c.sentNs > c.intendedNs)
                span(id, QStringLiteral("client: send wait"), c.intendedNs, c.sentNs, {});
            if (s && s->arrivedNs && s->respondedNs) {
                const QByteArray sid = ",\"id\":" + QByteArray::number(id);
                w.event("\"ph\":\"b\",\"name\":\"server\"" + common + sid + ",\"ts\":" + us(s->arrivedNs)
                        + ",\"args\":{\"mode\":" + jsonString(dispatchModeName(s->mode))
                        + ",\"worker\":" + QByteArray::number(s->worker) + '}');
                std::vector<const TraceSpan *> spans;
                for (int i = 0; i < s->spanCount; ++i)
                    spans.push_back(&s->spans[size_t(i)]);
                std::sort(spans.begin(), spans.end(), [](auto a, auto b) { return a->startNs < b->startNs; });
                for (const TraceSpan *t : spans) {
                    if (!t->endNs || t->startNs < s->arrivedNs || t->endNs > s->respondedNs)
                        continue;
                    const quint64 sub = t->index ? id + std::min<quint64>(t->index, 15) : id;
                    span(sub, phaseName(t->phase) + (t->index ? QStringLiteral(" %1").arg(t->index) : QString()),
                         t->startNs, t->endNs,
                         "{\"thread\":" + jsonString(t->thread < v.threadNames.size() ? v.threadNames[t->thread]
                                                                                      : QString::number(t->thread))
                                 + ",\"count\":" + QByteArray::number(t->count) + '}');
                    if (s->mode != DispatchMode::Async && blockingPhase(t->phase))
                        ran[t->thread].push_back({t->startNs, t->endNs});
                }
                w.event("\"ph\":\"e\",\"name\":\"server\"" + common + sid + ",\"ts\":" + us(s->respondedNs));
            }
            if (c.firstByteNs && c.completeNs > c.firstByteNs)
                span(id, QStringLiteral("client: receive"), c.firstByteNs, c.completeNs, {});
            w.event("\"ph\":\"e\",\"name\":" + jsonString(reqName) + common + ids + ",\"ts\":" + us(c.completeNs));
        }
        // X slices: what each thread really ran (blocking pipeline steps), strictly nested.
        for (auto &[thread, slices] : ran) {
            std::sort(slices.begin(), slices.end());
            qint64 lastEnd = 0;
            for (const auto &[b, e] : slices) {
                const qint64 start = std::max(b, lastEnd);
                if (e <= start)
                    continue;
                w.event("\"ph\":\"X\",\"name\":\"pipeline step\",\"cat\":\"thread\",\"pid\":" + pid
                        + ",\"tid\":" + QByteArray::number(thread + 1) + ",\"ts\":" + us(start)
                        + ",\"dur\":" + fixed3(double(e - start) / 1e3));
                lastEnd = e;
            }
        }
        // Counter tracks, one per key.
        for (const CounterSample &k : v.counters) {
            if (k.tNs < o)
                continue; // trace time starts at the run start
            const QByteArray ts = us(k.tNs);
            const auto counter = [&](const char *name, const QByteArray &value) {
                w.event("\"ph\":\"C\",\"name\":\"" + QByteArray(name) + "\",\"pid\":" + pid + ",\"tid\":0,\"ts\":"
                        + ts + ",\"args\":{\"" + QByteArray(name) + "\":" + value + '}');
            };
            counter("in_flight", QByteArray::number(k.inFlight));
            counter("waiting", QByteArray::number(k.waiting));
            counter("pool_active", QByteArray::number(k.poolActive));
            counter("pool_queued", QByteArray::number(k.poolQueued));
            counter("loop_lag_ms", fixed3(k.maxLoopLagMs()));
        }
    }
    w.out += "\n]}\n";
    return w.out;
}

bool writeAll(const RunResult &run, const QString &dirPath, QStringList *written, QString *error)
{
    QDir dir(dirPath);
    if (!dir.mkpath(QStringLiteral("."))) {
        if (error)
            *error = QStringLiteral("cannot create %1").arg(dirPath);
        return false;
    }
    const auto put = [&](const QString &name, const QByteArray &data) {
        QFile f(dir.filePath(name));
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(data) != data.size()) {
            if (error)
                *error = QStringLiteral("cannot write %1: %2").arg(f.fileName(), f.errorString());
            return false;
        }
        if (written)
            written->append(f.fileName());
        return true;
    };
    const QByteArray html = HtmlReport::render(run);
    if (!put(QStringLiteral("run.json"), runJson(run)) || !put(QStringLiteral("requests.csv"), requestsCsv(run))
        || !put(QStringLiteral("trace.json"), traceJson(run)) || !put(QStringLiteral("report.html"), html))
        return false;
    if (g_pdfRenderer) {
        const QString path = dir.filePath(QStringLiteral("report.pdf"));
        if (!g_pdfRenderer(html, path, error))
            return false;
        if (written)
            written->append(path);
        return true;
    }
    return put(QStringLiteral("report.pdf"), PdfReport::render(run));
}

void setPdfRenderer(PdfRenderer renderer)
{
    g_pdfRenderer = std::move(renderer);
}

} // namespace RunExport
