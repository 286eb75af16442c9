// trace.json in Chrome Trace Event Format (RunExport::traceJson).
#include "exportsink.h"
#include "runexport.h"
#include "timeline/threadlanemodel.h"
#include "timeline/timelinedata.h"
#include "timeline/tracesource.h"
#include "trace/recordjson.h"

#include <algorithm>
#include <array>
#include <limits>
#include <map>
#include <tuple>
#include <vector>

namespace RunExport {

namespace {

// X slices on one thread's track before consecutive ones are merged (see writeTraceJson).
constexpr size_t MaxSlicesPerTrack = 20000;

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

void writeTraceJson(const RunResult &run, Sink &sink)
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
        // The window's lanes of this variant (the one lane rule, core/timeline): their order sorts
        // the thread tracks, their pieces are the X slices below.
        TimelineData data;
        SavedRunSource(&v).pull(data);
        ThreadLaneModel lanes;
        lanes.sync(data);
        lanes.select(std::numeric_limits<qint64>::min() / 2, std::numeric_limits<qint64>::max() / 2,
                     data.latestNs());
        std::map<int, int> laneOrder; // thread -> position among the lanes
        for (size_t l = 0; l < lanes.lanes().size(); ++l)
            laneOrder[lanes.lanes()[l].thread] = int(l);
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
            const auto lane = laneOrder.find(t);
            const int sortIndex = lane != laneOrder.end() ? lane->second + 1 : int(laneOrder.size()) + t + 1;
            w.event("\"ph\":\"M\",\"name\":\"thread_sort_index\",\"pid\":" + pid
                    + ",\"tid\":" + QByteArray::number(t + 1)
                    + ",\"args\":{\"sort_index\":" + QByteArray::number(sortIndex) + '}');
        }
        // Request lifespans: async events, one id per request (and one per fan-out branch).
        // Names and the fixed parts of each event are made once, not per request (100,000s).
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
                }
                w.event("\"ph\":\"e\",\"name\":\"server\"" + common + ids + ",\"ts\":" + us(s->respondedNs));
            }
            if (c.firstByteNs && c.completeNs > c.firstByteNs)
                span(id, receive, c.firstByteNs, c.completeNs, {});
            w.event("\"ph\":\"e\",\"name\":" + reqName + common + ids + ",\"ts\":" + us(c.completeNs));
        }
        // X slices: what each lane's thread really ran (the steps that held it: blocking pipeline
        // steps, CPU work), one per piece of the lane model, named by phase, strictly nested.
        for (size_t l = 0; l < lanes.lanes().size(); ++l) {
            std::vector<std::tuple<qint64, qint64, int>> slices; // start, end, phase
            lanes.forEachPiece(qsizetype(l), [&](const TimelinePiece &pc) {
                if (pc.holdsThread && pc.colour > 0 && !pc.other)
                    slices.emplace_back(pc.startNs, pc.endNs, pc.colour - 1);
            });
            std::sort(slices.begin(), slices.end());
            const QByteArray tid = QByteArray::number(lanes.lanes()[l].thread + 1);
            // Above MaxSlicesPerTrack (a GIL handed over every 5 ms for minutes), consecutive slices
            // that start in the same 1/MaxSlicesPerTrack of the track's time become one slice named
            // "merged", its args saying how many it merged and the time each phase took; an instant
            // event on the track says so where merging starts.
            const bool merge = slices.size() > MaxSlicesPerTrack;
            const qint64 bucketNs = merge
                ? std::max<qint64>(
                    1, (std::get<1>(slices.back()) - std::get<0>(slices.front())) / qint64(MaxSlicesPerTrack))
                : 1;
            if (merge)
                w.event(
                    "\"ph\":\"i\",\"s\":\"t\",\"cat\":\"thread\",\"name\":\"slices merged\",\"pid\":" + pid
                    + ",\"tid\":" + tid + ",\"ts\":" + us(std::max(o, std::get<0>(slices.front())))
                    + ",\"args\":{\"note\":"
                    + jsonString(QStringLiteral("more than %1 slices on this thread: slices starting within "
                                                "%2 us of each other are merged")
                                     .arg(MaxSlicesPerTrack)
                                     .arg(double(bucketNs) / 1e3, 0, 'f', 3))
                    + '}');
            qint64 lastEnd = std::numeric_limits<qint64>::min();
            for (size_t k = 0; k < slices.size();) {
                const auto &[b, e0, phase0] = slices[k];
                const qint64 start = std::max(b, lastEnd);
                qint64 end = e0;
                std::map<int, qint64> byPhase;
                byPhase[phase0] += std::max<qint64>(0, e0 - start);
                size_t n = 1;
                for (; merge && k + n < slices.size() && (std::get<0>(slices[k + n]) - b) / bucketNs == 0;
                     ++n) {
                    const auto &[nb, ne, np] = slices[k + n];
                    byPhase[np] += std::max<qint64>(0, ne - std::max(nb, end));
                    end = std::max(end, ne);
                }
                k += n;
                if (end <= start || start < o)
                    continue;
                // A merged slice is named "merged", never by a phase: its extent covers gaps in which
                // other threads ran (under the GIL: held the lock), so a phase's name would claim
                // time this thread did not spend in it.
                QByteArray name = phaseNames[phase0];
                QByteArray args;
                if (n > 1) {
                    name = "\"merged\"";
                    args = ",\"args\":{\"merged\":" + QByteArray::number(qulonglong(n));
                    for (const auto &[p, ns] : byPhase)
                        args += ',' + phaseNames[p] + ':' + fixed3(double(ns) / 1e3);
                    args += '}';
                }
                w.event("\"ph\":\"X\",\"name\":" + name + ",\"cat\":\"thread\",\"pid\":" + pid
                        + ",\"tid\":" + tid + ",\"ts\":" + us(start)
                        + ",\"dur\":" + fixed3(double(end - start) / 1e3) + args);
                lastEnd = end;
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
            if (k.poolCpuPct > 0)
                counter(CounterField::PoolCpuPct, fixed3(k.poolCpuPct)); // "pool processes"
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

} // namespace RunExport
