#include "runexport.h"

#include "base/jsonfile.h"
#include "htmlreport.h"
#include "pdfreport.h"
#include "pipeline/dispatchpolicy.h"
#include "trace/recordjson.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <algorithm>
#include <array>
#include <map>

namespace RunExport {

namespace {
PdfRenderer g_pdfRenderer;

// Where a file's text goes: a QByteArray (for the functions that return one) or, in 1 MB
// pieces, a file, so writing a 100,000-request run never holds a whole file in memory.
struct Sink
{
    QIODevice *device = nullptr;
    QByteArray buffer;
    bool failed = false;

    Sink &operator+=(const QByteArray &text)
    {
        buffer += text;
        if (device && buffer.size() >= (1 << 20))
            flush();
        return *this;
    }
    Sink &operator+=(const char *text)
    {
        return *this += QByteArray::fromRawData(text, qsizetype(strlen(text)));
    }
    Sink &operator+=(char c)
    {
        buffer += c;
        return *this;
    }
    void flush()
    {
        if (device && !buffer.isEmpty()) {
            failed = failed || device->write(buffer) != buffer.size();
            buffer.truncate(0);
        }
    }
};
} // namespace

QByteArray fixed3(double value)
{
    return QByteArray::number(value, 'f', 3);
}

namespace {
QByteArray jsonString(const QString &s);
QByteArray rel(qint64 ns, qint64 o)
{
    return QByteArray::number(ns ? ns - o : -1);
}

// Appends `"name":`, after `before` (the comma between fields, or the object's opening brace).
QByteArray &key(QByteArray &j, const char *name, char before = ',')
{
    j += before;
    j += '"';
    j += name;
    j += "\":";
    return j;
}
} // namespace

// The keys in the order QJsonDocument writes them (sorted), named from trace/recordjson.h.
QByteArray requestRecordJson(const RequestRecord &r, qint64 o)
{
    QByteArray j;
    j.reserve(200 + r.spanCount * 110);
    key(j, RecordField::ArrivedNs, '{') += rel(r.arrivedNs, o);
    key(j, RecordField::ClientTag) += '"' + QByteArray::number(r.clientTag) + '"';
    key(j, RecordField::Endpoint) += QByteArray::number(int(r.endpoint));
    key(j, RecordField::FirstTokenNs) += rel(r.firstTokenNs, o);
    key(j, RecordField::Id) += '"' + QByteArray::number(r.id) + '"';
    key(j, RecordField::LoopThread) += QByteArray::number(r.loopThread);
    key(j, RecordField::Mode) += jsonString(dispatchModeName(r.mode));
    key(j, RecordField::RequestBytes) += QByteArray::number(r.requestBytes);
    key(j, RecordField::RespondedNs) += rel(r.respondedNs, o);
    key(j, RecordField::ResponseBytes) += QByteArray::number(r.responseBytes);
    key(j, RecordField::Spans) += '[';
    for (int i = 0; i < r.spanCount; ++i) {
        const TraceSpan &t = r.spans[size_t(i)];
        if (i)
            j += ',';
        key(j, SpanField::Count, '{') += QByteArray::number(t.count);
        key(j, SpanField::EndNs) += rel(t.endNs, o);
        key(j, SpanField::Index) += QByteArray::number(t.index);
        key(j, SpanField::Phase) += jsonString(phaseName(t.phase));
        key(j, SpanField::StartNs) += rel(t.startNs, o);
        key(j, SpanField::Thread) += QByteArray::number(t.thread) + '}';
    }
    j += ']';
    key(j, RecordField::StartedNs) += rel(r.startedNs, o);
    key(j, RecordField::Status) += QByteArray::number(r.status);
    key(j, RecordField::Tokens) += QByteArray::number(r.tokens);
    key(j, RecordField::User) += jsonString(r.userId());
    key(j, RecordField::Worker) += QByteArray::number(r.worker) + '}';
    return j;
}

QByteArray counterSampleJson(const CounterSample &s, qint64 o)
{
    QByteArray j;
    j.reserve(320);
    const auto shortest
        = [](float v) { return QByteArray::number(double(v), 'g', QLocale::FloatingPointShortest); };
    key(j, CounterField::AcceptQueue, '{') += QByteArray::number(s.acceptQueue);
    key(j, CounterField::Completed) += QByteArray::number(s.completed);
    key(j, CounterField::Connections) += QByteArray::number(s.connections);
    key(j, CounterField::CpuPct) += shortest(s.cpuPct);
    if (s.dbPoolSize > 0) {
        key(j, CounterField::DbBusy) += QByteArray::number(s.dbBusy);
        key(j, CounterField::DbPoolSize) += QByteArray::number(s.dbPoolSize);
        key(j, CounterField::DbWaiting) += QByteArray::number(s.dbWaiting);
    }
    key(j, CounterField::Failed) += QByteArray::number(s.failed);
    key(j, CounterField::InFlight) += QByteArray::number(s.inFlight);
    if (s.laneCpu) {
        key(j, CounterField::LaneCpuPct) += '[';
        for (size_t i = 0; i < s.laneCpu->size(); ++i) {
            const LaneCpu &l = (*s.laneCpu)[i];
            j += (i ? ",[" : "[") + QByteArray::number(l.lane) + ',' + shortest(l.pct) + ']';
        }
        j += ']';
    }
    key(j, CounterField::LoopLagMs) += '[';
    for (int i = 0; i < s.workers && i < ServerCounters::MaxWorkers; ++i) {
        if (i)
            j += ',';
        // As QJsonDocument writes a double: shortest text that reads back exactly.
        j += QByteArray::number(double(s.loopLagMs[size_t(i)]), 'g', QLocale::FloatingPointShortest);
    }
    j += ']';
    key(j, CounterField::PoolActive) += QByteArray::number(s.poolActive);
    key(j, CounterField::PoolMax) += QByteArray::number(s.poolMax);
    key(j, CounterField::PoolQueued) += QByteArray::number(s.poolQueued);
    key(j, CounterField::Rejected) += QByteArray::number(s.rejected);
    key(j, CounterField::RssBytes) += QByteArray::number(s.rssBytes);
    key(j, CounterField::TNs) += QByteArray::number(s.tNs - o);
    key(j, CounterField::Threads) += QByteArray::number(s.threads);
    key(j, CounterField::Waiting) += QByteArray::number(s.waiting);
    key(j, CounterField::Workers) += QByteArray::number(s.workers) + '}';
    return j;
}

namespace {

void writeRunJson(const RunResult &run, Sink &out)
{
    // The record arrays hold nearly all the bytes. Building them as one QJsonArray tree and
    // serialising that takes seconds for 100,000 requests, so each record is serialised on its
    // own (one compact line each) and written in place of a marker in the indented rest.
    RunResult meta = run; // implicitly shared: cheap
    for (VariantResult &v : meta.variants) {
        v.client.clear();
        v.server.clear();
        v.counters.clear();
    }
    QJsonObject top = meta.toJson();
    QJsonArray variants = top.value(QStringLiteral("variants")).toArray();
    const QStringList keys
        = { QStringLiteral("client_records"), QStringLiteral("server_records"), QStringLiteral("counters") };
    const auto marker = [](int variant, int key) {
        return QStringLiteral("@loopscope-records-%1-%2@").arg(variant).arg(key);
    };
    for (int i = 0; i < variants.size(); ++i) {
        QJsonObject v = variants[i].toObject();
        for (int k = 0; k < keys.size(); ++k) {
            if (v.contains(keys[k]))
                v.insert(keys[k], marker(i, k));
        }
        variants[i] = v;
    }
    top.insert(QStringLiteral("variants"), variants);
    const QByteArray text = QJsonDocument(top).toJson(QJsonDocument::Indented);
    // Markers in the order they appear (QJsonDocument sorts keys).
    std::vector<std::tuple<qsizetype, int, int, qsizetype>> at; // position, variant, key, length
    for (int i = 0; i < run.variants.size(); ++i) {
        for (int k = 0; k < keys.size(); ++k) {
            const QByteArray quoted = '"' + marker(i, k).toUtf8() + '"';
            const qsizetype pos = text.indexOf(quoted);
            if (pos >= 0)
                at.emplace_back(pos, i, k, quoted.size());
        }
    }
    std::sort(at.begin(), at.end());
    const auto compact = [](const QJsonObject &o) { return QJsonDocument(o).toJson(QJsonDocument::Compact); };
    qsizetype done = 0;
    for (const auto &[pos, i, k, length] : at) {
        out += text.mid(done, pos - done);
        done = pos + length;
        const VariantResult &v = run.variants[i];
        bool first = true;
        const auto add = [&](const QByteArray &item) {
            out += first ? "[\n" : ",\n";
            out += item;
            first = false;
        };
        if (k == 0) {
            for (const ClientRecord &r : v.client)
                add(compact(r.toJson(v.startNs)));
        } else if (k == 1) {
            for (const RequestRecord &r : v.server)
                add(requestRecordJson(r, v.startNs));
        } else {
            for (const CounterSample &c : v.counters)
                add(counterSampleJson(c, v.startNs));
        }
        out += first ? "[]" : "\n]";
    }
    out += text.mid(done);
}

} // namespace

QByteArray runJson(const RunResult &run)
{
    Sink sink;
    writeRunJson(run, sink);
    return sink.buffer;
}

bool readRunJson(const QString &path, RunResult *out, QString *error)
{
    const std::optional<QJsonObject> json
        = readJsonObjectFile(path, qint64(1) << 30, QStringLiteral("a LoopScope run.json"), error);
    return json && RunResult::fromJson(*json, out, error);
}

QString csvHeader()
{
    return QStringLiteral("variant,") + ClientRecord::csvHeader()
        + QStringLiteral(",server_arrived_ms,server_started_ms,server_first_token_ms,server_responded_ms,"
                         "server_status,server_worker");
}

namespace {

void writeRequestsCsv(const RunResult &run, Sink &out)
{
    out += csvHeader().toUtf8() + '\n';
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
}

} // namespace

QByteArray requestsCsv(const RunResult &run)
{
    Sink sink;
    writeRequestsCsv(run, sink);
    return sink.buffer;
}

namespace {

QByteArray jsonString(const QString &s)
{
    // Nearly every string here is plain ASCII (phase and thread names): quote it directly.
    bool plain = true;
    for (const QChar ch : s) {
        const char16_t u = ch.unicode();
        if (u < 0x20 || u >= 0x7f || u == '"' || u == '\\') {
            plain = false;
            break;
        }
    }
    if (plain) {
        QByteArray out;
        out.reserve(s.size() + 2);
        out += '"';
        out += s.toLatin1();
        out += '"';
        return out;
    }
    // QJsonDocument escapes correctly; strip the array brackets around it.
    const QByteArray a = QJsonDocument(QJsonArray { s }).toJson(QJsonDocument::Compact);
    return a.mid(1, a.size() - 2);
}

struct TraceWriter
{
    Sink &out;
    bool first = true;
    void event(const QByteArray &body)
    {
        out += first ? "\n{" : ",\n{";
        out += body;
        out += '}';
        first = false;
    }
};

} // namespace

static void writeTraceJson(const RunResult &run, Sink &sink)
{
    TraceWriter w { sink };
    w.out += "{\"displayTimeUnit\":\"ms\",\"otherData\":{\"scenario\":" + jsonString(run.scenario.name)
        + ",\"time_scale\":" + fixed3(run.options.timeScale) + "},\"traceEvents\":[";
    quint64 asyncId = 1;
    for (int vi = 0; vi < run.variants.size(); ++vi) {
        const VariantResult &v = run.variants[vi];
        const QByteArray pid = QByteArray::number(vi + 1);
        const qint64 o = v.startNs;
        // Microseconds with 3 decimals from integer ns: what fixed3(double(ns - o) / 1e3) writes.
        const auto us = [o](qint64 ns) {
            const qint64 d = ns - o;
            const qint64 a = d < 0 ? -d : d;
            QByteArray text = d < 0 ? QByteArrayLiteral("-") : QByteArray();
            text += QByteArray::number(a / 1000);
            text += '.';
            const int frac = int(a % 1000);
            text += char('0' + frac / 100);
            text += char('0' + frac / 10 % 10);
            text += char('0' + frac % 10);
            return text;
        };
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
            const QString name
                = t < v.threadNames.size() ? v.threadNames[t] : QStringLiteral("thread-%1").arg(t);
            w.event("\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":" + pid + ",\"tid\":"
                    + QByteArray::number(t + 1) + ",\"args\":{\"name\":" + jsonString(name) + '}');
            w.event("\"ph\":\"M\",\"name\":\"thread_sort_index\",\"pid\":" + pid
                    + ",\"tid\":" + QByteArray::number(t + 1)
                    + ",\"args\":{\"sort_index\":" + QByteArray::number(t + 1) + '}');
        }
        // Request lifespans: async events, one id per request (and one per fan-out branch).
        // Names and the fixed parts of each event are made once, not per request (100,000s).
        std::map<int, std::vector<std::pair<qint64, qint64>>> ran; // thread -> X slices
        const QByteArray common = ",\"cat\":\"request\",\"pid\":" + pid + ",\"tid\":0";
        std::map<int, QByteArray> threadArg;
        const auto threadName = [&](int t) -> const QByteArray & {
            auto it = threadArg.find(t);
            if (it == threadArg.end())
                it = threadArg
                         .emplace(t,
                                  QByteArray("{\"") + SpanField::Thread + "\":"
                                      + jsonString(t < v.threadNames.size() ? v.threadNames[t]
                                                                            : QString::number(t))
                                      + ",\"" + SpanField::Count + "\":")
                         .first;
            return it->second;
        };
        QByteArray phaseNames[PhaseCount];
        for (int p = 0; p < PhaseCount; ++p)
            phaseNames[p] = jsonString(phaseName(Phase(p)));
        const QByteArray sendWait = jsonString(QStringLiteral("client: send wait"));
        const QByteArray receive = jsonString(QStringLiteral("client: receive"));
        const auto span
            = [&](quint64 sid, const QByteArray &name, qint64 b, qint64 e, const QByteArray &args) {
                  if (!b || !e || e < b)
                      return;
                  const QByteArray ids = ",\"id\":" + QByteArray::number(sid);
                  w.event("\"ph\":\"b\",\"name\":" + name + common + ids + ",\"ts\":" + us(b)
                          + (args.isEmpty() ? QByteArray() : ",\"args\":" + args));
                  w.event("\"ph\":\"e\",\"name\":" + name + common + ids + ",\"ts\":" + us(e));
              };
        for (const ClientRecord &c : v.client) {
            if (!c.finished())
                continue;
            const quint64 id = asyncId;
            asyncId += 16;
            const RequestRecord *s = v.serverRecordFor(c);
            const QByteArray args = "{\"user\":" + QByteArray::number(c.user) + ",\"status\":"
                + QByteArray::number(c.status) + ",\"error\":" + jsonString(clientErrorName(c.error))
                + ",\"server_id\":" + QByteArray::number(c.serverId)
                + ",\"late\":" + (c.late ? "true" : "false") + '}';
            // Open the outer span first and close it last so the phases nest inside.
            const QByteArray ids = ",\"id\":" + QByteArray::number(id);
            const QByteArray reqName
                = "\"request u" + QByteArray::number(c.user) + " #" + QByteArray::number(c.sequence) + '"';
            w.event("\"ph\":\"b\",\"name\":" + reqName + common + ids + ",\"ts\":" + us(c.intendedNs)
                    + ",\"args\":" + args);
            if (c.sentNs > c.intendedNs)
                span(id, sendWait, c.intendedNs, c.sentNs, {});
            if (s && s->arrivedNs && s->respondedNs) {
                w.event("\"ph\":\"b\",\"name\":\"server\"" + common + ids + ",\"ts\":" + us(s->arrivedNs)
                        + ",\"args\":{\"" + RecordField::Mode + "\":" + jsonString(dispatchModeName(s->mode))
                        + ",\"" + RecordField::Worker + "\":" + QByteArray::number(s->worker) + '}');
                std::array<const TraceSpan *, RequestRecord::MaxSpans> spans {};
                const int n = std::min<int>(s->spanCount, RequestRecord::MaxSpans);
                for (int i = 0; i < n; ++i)
                    spans[size_t(i)] = &s->spans[size_t(i)];
                std::sort(spans.begin(), spans.begin() + n,
                          [](auto a, auto b) { return a->startNs < b->startNs; });
                for (int i = 0; i < n; ++i) {
                    const TraceSpan *t = spans[size_t(i)];
                    if (!t->endNs || t->startNs < s->arrivedNs || t->endNs > s->respondedNs)
                        continue;
                    const quint64 sub = t->index ? id + std::min<quint64>(t->index, 15) : id;
                    span(sub,
                         t->index ? jsonString(phaseName(t->phase) + QStringLiteral(" %1").arg(t->index))
                                  : phaseNames[int(t->phase)],
                         t->startNs, t->endNs, threadName(t->thread) + QByteArray::number(t->count) + '}');
                    if (DispatchPolicy::holdsThread(s->mode, t->phase))
                        ran[t->thread].push_back({ t->startNs, t->endNs });
                }
                w.event("\"ph\":\"e\",\"name\":\"server\"" + common + ids + ",\"ts\":" + us(s->respondedNs));
            }
            if (c.firstByteNs && c.completeNs > c.firstByteNs)
                span(id, receive, c.firstByteNs, c.completeNs, {});
            w.event("\"ph\":\"e\",\"name\":" + reqName + common + ids + ",\"ts\":" + us(c.completeNs));
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
                w.event("\"ph\":\"C\",\"name\":\"" + QByteArray(name) + "\",\"pid\":" + pid
                        + ",\"tid\":0,\"ts\":" + ts + ",\"args\":{\"" + QByteArray(name) + "\":" + value
                        + '}');
            };
            counter(CounterField::InFlight, QByteArray::number(k.inFlight));
            counter(CounterField::Waiting, QByteArray::number(k.waiting));
            counter(CounterField::PoolActive, QByteArray::number(k.poolActive));
            counter(CounterField::PoolQueued, QByteArray::number(k.poolQueued));
            counter(CounterField::LoopLagMs, fixed3(k.maxLoopLagMs()));
            counter(CounterField::AcceptQueue, QByteArray::number(k.acceptQueue));
            counter(CounterField::Workers, QByteArray::number(k.workers));
            if (k.dbPoolSize > 0) { // the PostgreSQL connection pool
                counter(CounterField::DbBusy, QByteArray::number(k.dbBusy));
                counter(CounterField::DbPoolSize, QByteArray::number(k.dbPoolSize));
                counter(CounterField::DbWaiting, QByteArray::number(k.dbWaiting));
            }
            // Resource tracks (ProcessResources): the process, and each lane's CPU.
            counter(CounterField::CpuPct, fixed3(k.cpuPct));
            counter("rss_mb", fixed3(double(k.rssBytes) / (1024.0 * 1024.0)));
            counter(CounterField::Threads, QByteArray::number(k.threads));
            if (k.laneCpu) {
                QByteArray args;
                for (const LaneCpu &l : *k.laneCpu) {
                    if (l.lane < v.threadNames.size())
                        args += (args.isEmpty() ? "" : ",") + jsonString(v.threadNames[l.lane]) + ':'
                            + fixed3(l.pct);
                }
                if (!args.isEmpty())
                    w.event("\"ph\":\"C\",\"name\":\"cpu_pct_by_thread\",\"pid\":" + pid
                            + ",\"tid\":0,\"ts\":" + ts + ",\"args\":{" + args + '}');
            }
        }
        // The supervisor's decisions: process-wide instant events with their reason.
        for (const ScaleEvent &e : v.scaleEvents) {
            if (e.tNs < o)
                continue;
            w.event("\"ph\":\"i\",\"s\":\"p\",\"cat\":\"supervisor\",\"name\":"
                    + jsonString(ScaleEvent::kindName(e.kind)) + ",\"pid\":" + pid
                    + ",\"tid\":0,\"ts\":" + us(e.tNs) + ",\"args\":{\"reason\":" + jsonString(e.reason)
                    + ",\"workers\":" + QByteArray::number(e.workers) + '}');
        }
    }
    w.out += "\n]}\n";
}

QByteArray traceJson(const RunResult &run)
{
    Sink sink;
    writeTraceJson(run, sink);
    return sink.buffer;
}

bool writeAll(const RunResult &run, const QString &dirPath, QStringList *written, QString *error,
              const ExportOptions &options)
{
    QDir dir(dirPath);
    if (!dir.mkpath(QStringLiteral("."))) {
        if (error)
            *error = QStringLiteral("cannot create %1").arg(dirPath);
        return false;
    }
    constexpr int total = 5;
    int done = 0;
    const auto step = [&] {
        if (options.progress && !options.progress(done++, total)) {
            if (error)
                *error = QStringLiteral("export cancelled");
            return false;
        }
        return true;
    };
    const auto stream = [&](const QString &name, void (*write)(const RunResult &, Sink &)) {
        QFile f(dir.filePath(name));
        Sink sink;
        sink.device = &f;
        if (f.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
            write(run, sink);
            sink.flush();
        }
        if (!f.isOpen() || sink.failed) {
            if (error)
                *error = QStringLiteral("cannot write %1: %2").arg(f.fileName(), f.errorString());
            return false;
        }
        if (written)
            written->append(f.fileName());
        return true;
    };
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
    if (!step() || !stream(QStringLiteral("run.json"), &writeRunJson))
        return false;
    if (!step() || !stream(QStringLiteral("requests.csv"), &writeRequestsCsv))
        return false;
    if (!step() || !stream(QStringLiteral("trace.json"), &writeTraceJson))
        return false;
    ReportOptions report;
    report.language = options.language;
    report.requestRows = options.htmlRequestRows;
    if (!step() || !put(QStringLiteral("report.html"), HtmlReport::render(run, report)))
        return false;
    if (!step())
        return false;
    if (g_pdfRenderer) {
        report.requestRows = options.pdfRequestRows;
        const QString path = dir.filePath(QStringLiteral("report.pdf"));
        if (!g_pdfRenderer(ReportDocument::build(run, report), path, error))
            return false;
        if (written)
            written->append(path);
    } else if (!put(QStringLiteral("report.pdf"), PdfReport::render(run))) {
        return false;
    }
    if (options.progress)
        options.progress(total, total);
    return true;
}

void setPdfRenderer(PdfRenderer renderer)
{
    g_pdfRenderer = std::move(renderer);
}

bool hasPdfRenderer()
{
    return bool(g_pdfRenderer);
}

} // namespace RunExport
