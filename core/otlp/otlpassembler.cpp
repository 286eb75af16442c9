#include "otlpassembler.h"

#include "base/threadregistry.h"
#include "base/traceclock.h"
#include "trace/tracerecorder.h"

#include <algorithm>
#include <chrono>

namespace {

constexpr int MaxNodesPerTrace = 4096;
constexpr int MaxAncestorSteps = 64;
constexpr qint64 TraceIdleNs = 120'000'000'000; // forget a trace after 2 minutes without spans
constexpr qint64 MaxNodes = 1'000'000; // over this, traces idle for 5 s are dropped as well
qint64 wallMinusSteadyNow()
{
    const qint64 unix = std::chrono::duration_cast<std::chrono::nanoseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    return unix - TraceClock::nowNs();
}

bool isWriteOperation(const QString &op)
{
    static const char *const writes[]
        = { "INSERT", "UPDATE", "DELETE", "UPSERT", "REPLACE", "MERGE",  "CREATE", "DROP",  "ALTER",
            "SET",    "HSET",   "HMSET",  "DEL",    "PUT",     "INCR",   "DECR",   "LPUSH", "RPUSH",
            "SADD",   "ZADD",   "EXPIRE", "WRITE",  "SAVE",    "COMMIT", "APPEND" };
    for (const char *w : writes)
        if (op.startsWith(QLatin1String(w)))
            return true;
    return false;
}

Phase phaseOf(const Otlp::Span &s)
{
    QString op = s.dbOperation;
    bool db = !s.dbSystem.isEmpty() || !op.isEmpty();
    if (!db) {
        const QString name = s.name.trimmed().toUpper();
        static const char *const sql[] = { "SELECT", "INSERT", "UPDATE", "DELETE" };
        for (const char *w : sql) {
            if (name.startsWith(QLatin1String(w))) {
                db = true;
                op = QLatin1String(w);
            }
        }
    }
    if (db)
        return isWriteOperation(op) ? Phase::DbWrite : Phase::DbRead;
    // A model call, or any outgoing HTTP/RPC call (http.request.method + server.address, rpc.*).
    if (s.genAi || (s.kind == Otlp::SpanKind::Client && (s.http || s.rpc)))
        return Phase::Llm;
    return Phase::Other;
}

} // namespace

// The stretches of the request not covered by any of `children` (clipped to the request), on the
// request's lane, as Handler spans.
QList<TraceSpan> OtlpAssembler::handlerGaps(const RequestRecord &request, const QList<TraceSpan> &children)
{
    QList<QPair<qint64, qint64>> covered;
    for (const TraceSpan &c : children) {
        const qint64 a = std::max(c.startNs, request.startedNs);
        const qint64 b = std::min(c.endNs, request.respondedNs);
        if (b > a)
            covered.append({ a, b });
    }
    std::sort(covered.begin(), covered.end());
    QList<TraceSpan> gaps;
    qint64 at = request.startedNs;
    const auto gap = [&](qint64 a, qint64 b) {
        if (b > a)
            gaps.append(TraceSpan { a, b, request.loopThread, Phase::Handler, 0, 1 });
    };
    for (const auto &c : std::as_const(covered)) {
        gap(at, c.first);
        at = std::max(at, c.second);
    }
    gap(at, request.respondedNs);
    return gaps;
}

namespace {

bool isRequestSpan(const Otlp::Span &s)
{
    if (s.kind == Otlp::SpanKind::Server)
        return true;
    return s.parentSpanId.isEmpty() && s.kind != Otlp::SpanKind::Client && s.kind != Otlp::SpanKind::Producer;
}

} // namespace

QString ObservedLane::name() const
{
    QString n = service;
    if (!host.isEmpty())
        n += QStringLiteral(" @ ") + host;
    if (!instance.isEmpty())
        n += QStringLiteral(" [") + instance + QLatin1Char(']');
    if (!thread.isEmpty())
        n += QStringLiteral(" · ") + thread;
    return n;
}

OtlpAssembler::OtlpAssembler(TraceRecorder *recorder, qint64 maxQueuedSpans)
    : m_recorder(recorder)
    , m_maxQueuedSpans(maxQueuedSpans)
    , m_unixMinusSteady(wallMinusSteadyNow())
{
    m_thread = std::thread([this] { run(); });
}

OtlpAssembler::~OtlpAssembler()
{
    {
        std::lock_guard lock(m_queueMutex);
        m_stop = true;
    }
    m_queueCv.notify_all();
    m_thread.join();
}

bool OtlpAssembler::enqueue(Otlp::Batch &&batch)
{
    const qint64 n = batch.spans.size();
    {
        std::lock_guard lock(m_queueMutex);
        if (m_queuedSpans > 0 && m_queuedSpans + n > m_maxQueuedSpans)
            return false;
        m_queuedSpans += n;
        m_queue.push_back(std::move(batch));
    }
    m_queueCv.notify_one();
    return true;
}

void OtlpAssembler::drain()
{
    std::unique_lock lock(m_queueMutex);
    m_drainedCv.wait(lock, [this] { return (m_queue.empty() && !m_busy && !m_correctionsDue) || m_stop; });
}

void OtlpAssembler::setPaused(bool paused)
{
    {
        std::lock_guard lock(m_queueMutex);
        m_paused = paused;
    }
    m_queueCv.notify_all();
}

void OtlpAssembler::run()
{
    ThreadRegistry::nameCurrentThread(QStringLiteral("otlp-assembler"));
    std::unique_lock lock(m_queueMutex);
    for (;;) {
        m_queueCv.wait_for(lock, std::chrono::seconds(5), [this] {
            return m_stop || (!m_paused && (!m_queue.empty() || m_correctionsDue));
        });
        if (m_stop)
            break;
        if (!m_paused && m_correctionsDue) {
            m_correctionsDue = false;
            m_busy = true;
            lock.unlock();
            {
                std::lock_guard state(m_stateMutex);
                settle();
            }
            lock.lock();
            m_busy = false;
            if (m_queue.empty())
                m_drainedCv.notify_all();
            continue;
        }
        if (m_paused || m_queue.empty()) {
            lock.unlock();
            {
                std::lock_guard state(m_stateMutex);
                expire(TraceClock::nowNs());
            }
            lock.lock();
            continue;
        }
        Otlp::Batch batch = std::move(m_queue.front());
        m_queue.pop_front();
        m_busy = true;
        lock.unlock();
        {
            std::lock_guard state(m_stateMutex);
            assemble(batch);
            settle();
            expire(TraceClock::nowNs());
        }
        lock.lock();
        m_busy = false;
        m_queuedSpans -= batch.spans.size();
        if (m_queue.empty())
            m_drainedCv.notify_all();
    }
    m_drainedCv.notify_all();
}

int OtlpAssembler::hostId(const QString &host)
{
    auto it = m_hostIds.constFind(host);
    if (it != m_hostIds.constEnd())
        return *it;
    const int id = int(m_hosts.size());
    m_hosts.append(host);
    m_hostIds.insert(host, id);
    return id;
}

quint16 OtlpAssembler::laneFor(const Otlp::Resource &resource, const Otlp::Span &span)
{
    QString thread = span.threadName;
    if (thread.isEmpty() && span.threadId >= 0)
        thread = QStringLiteral("thread %1").arg(span.threadId);
    const QString key = resource.serviceName + QChar(0) + resource.hostName + QChar(0) + resource.instanceId
        + QChar(0) + thread;
    auto it = m_laneByKey.constFind(key);
    if (it != m_laneByKey.constEnd())
        return *it;
    ObservedLane lane;
    lane.service = resource.serviceName;
    lane.host = resource.hostName;
    lane.instance = resource.instanceId;
    lane.thread = thread;
    lane.lane = ThreadRegistry::registerLane(lane.name(), LaneKind::Service);
    m_laneByKey.insert(key, lane.lane);
    m_laneHost.insert(lane.lane, hostId(resource.hostName));
    m_lanes.insert(lane.lane, lane);
    m_services.insert(lane.service);
    m_stats.services = int(m_services.size());
    m_stats.instances = int(m_lanes.size());
    return lane.lane;
}

const OtlpAssembler::Node *OtlpAssembler::requestAbove(const Trace &trace, const Node &node) const
{
    const Node *at = &node;
    for (int step = 0; step < MaxAncestorSteps; ++step) {
        if (at->parent.isEmpty())
            return nullptr;
        auto it = trace.nodes.constFind(at->parent);
        if (it == trace.nodes.constEnd())
            return nullptr;
        if (it->request)
            return &*it;
        at = &*it;
    }
    return nullptr;
}

void OtlpAssembler::attachWaiting(Trace &trace)
{
    if (trace.waiting == 0)
        return;
    for (auto it = trace.nodes.begin(); it != trace.nodes.end(); ++it) {
        Node &node = *it;
        if (node.request || node.attached)
            continue;
        const Node *request = requestAbove(trace, node);
        if (!request)
            continue;
        auto req = m_requests.find(request->seq);
        if (req == m_requests.end())
            continue;
        node.attached = true;
        --trace.waiting;
        --m_stats.waitingSpans;
        ++m_stats.phaseSpans;
        TraceSpan span;
        span.startNs = node.startNs;
        span.endNs = std::max(node.endNs, node.startNs + 1);
        span.thread = node.lane;
        span.phase = node.phase;
        req->phases.append(span);
        if (!req->dirty) {
            req->dirty = true;
            m_dirty.append(request->seq);
        }
    }
}

void OtlpAssembler::clockSample(const Node &client, const Node &server)
{
    if (client.host == server.host)
        return;
    const double offsetNs
        = (double(server.startUnix - client.startUnix) + double(server.endUnix - client.endUnix)) / 2;
    QList<double> &samples = m_offsetSamples[qMakePair(client.host, server.host)];
    samples.append(offsetNs / 1e6);
    if (samples.size() > 101)
        samples.removeFirst();
}

void OtlpAssembler::assemble(const Otlp::Batch &batch)
{
    const qint64 now = TraceClock::nowNs();
    QSet<QByteArray> touched;
    for (const Otlp::Span &span : batch.spans) {
        ++m_stats.spans;
        Trace &trace = m_traces[span.traceId];
        trace.touchedNs = now;
        if (trace.nodes.size() >= MaxNodesPerTrace || trace.nodes.contains(span.spanId))
            continue; // a runaway trace, or the same span sent twice: counted once
        const Otlp::Resource &resource = batch.resources.value(span.resource);
        Node node;
        node.parent = span.parentSpanId;
        node.startUnix = qint64(span.startUnixNs);
        node.endUnix = qint64(span.endUnixNs);
        node.lane = laneFor(resource, span);
        node.phase = phaseOf(span);
        node.kind = span.kind;
        node.host = hostId(resource.hostName);
        // Kept as sent; the applied clock corrections move what is published (corrected()).
        node.startNs = toTraceClock(span.startUnixNs);
        node.endNs = toTraceClock(span.endUnixNs);
        node.request = isRequestSpan(span);
        if (node.request) {
            Request req;
            RequestRecord &r = req.record;
            r.id = m_nextId++;
            r.arrivedNs = node.startNs;
            r.startedNs = node.startNs;
            r.respondedNs = std::max(node.endNs, node.startNs + 1);
            r.status = quint16(span.httpStatus > 0 ? span.httpStatus : (span.statusCode == 2 ? 500 : 200));
            r.loopThread = node.lane;
            r.worker
                = qint8(std::min<int>(int(std::distance(m_lanes.begin(), m_lanes.find(node.lane))), 127));
            r.endpoint = Endpoint::Other;
            r.mode = DispatchMode::Async;
            // Until spans below it arrive, the request is all handler, on its lane (so the
            // thread view draws the instance's lane even for services that report no child
            // spans).
            r.spanCount = 1;
            r.spans[0] = TraceSpan { r.startedNs, r.respondedNs, node.lane, Phase::Handler, 0, 1 };
            node.seq = m_recorder->begin(corrected(r));
            m_published.push_back(node.seq);
            m_requests.insert(node.seq, req);
            ++m_stats.requests;
        } else {
            ++trace.waiting;
            ++m_stats.waitingSpans;
        }
        // Clock offsets between hosts: a SERVER span and the CLIENT span that called it.
        if (span.kind == Otlp::SpanKind::Server && !node.parent.isEmpty()) {
            auto parent = trace.nodes.constFind(node.parent);
            if (parent != trace.nodes.constEnd() && parent->kind == Otlp::SpanKind::Client)
                clockSample(*parent, node);
        }
        if (span.kind == Otlp::SpanKind::Client) {
            for (const Node &other : std::as_const(trace.nodes))
                if (other.kind == Otlp::SpanKind::Server && other.parent == span.spanId)
                    clockSample(node, other);
        }
        trace.nodes.insert(span.spanId, node);
        touched.insert(span.traceId);
    }
    for (const QByteArray &id : std::as_const(touched)) {
        auto it = m_traces.find(id);
        if (it != m_traces.end())
            attachWaiting(*it);
    }
}

void OtlpAssembler::publishDirty()
{
    for (quint64 seq : std::as_const(m_dirty)) {
        auto it = m_requests.find(seq);
        if (it == m_requests.end())
            continue;
        Request &req = *it;
        req.dirty = false;
        // The request and its phases as published: moved by their hosts' clock corrections.
        RequestRecord out = corrected(req.record);
        QList<TraceSpan> phases = req.phases;
        for (TraceSpan &p : phases) {
            const qint64 d = laneCorrectionNs(p.thread);
            p.startNs -= d;
            p.endNs -= d;
        }
        // The server span's own time, where no span below it runs, is its handler's.
        const QList<TraceSpan> own = handlerGaps(out, phases);
        phases += own;
        // Database and LLM/HTTP calls first, then the handler's longest stretches, then the
        // rest, when there are more than a record holds.
        const auto rank = [](const TraceSpan &t) {
            return t.phase == Phase::Other ? 2 : t.phase == Phase::Handler ? 1 : 0;
        };
        std::stable_sort(phases.begin(), phases.end(), [&](const TraceSpan &a, const TraceSpan &b) {
            if (rank(a) != rank(b))
                return rank(a) < rank(b);
            return rank(a) == 1 && a.endNs - a.startNs > b.endNs - b.startNs;
        });
        if (phases.size() > RequestRecord::MaxSpans)
            phases.resize(RequestRecord::MaxSpans);
        std::stable_sort(phases.begin(), phases.end(),
                         [](const TraceSpan &a, const TraceSpan &b) { return a.startNs < b.startNs; });
        out.spanCount = quint8(phases.size());
        for (qsizetype i = 0; i < phases.size(); ++i)
            out.spans[size_t(i)] = phases[i];
        m_recorder->publish(seq, out);
    }
    m_dirty.clear();
}

void OtlpAssembler::expire(qint64 nowNs)
{
    if (nowNs - m_lastExpireNs < 5'000'000'000LL)
        return;
    m_lastExpireNs = nowNs;
    qint64 nodes = 0;
    for (const Trace &t : std::as_const(m_traces))
        nodes += t.nodes.size();
    const qint64 idle = nodes > MaxNodes ? 5'000'000'000LL : TraceIdleNs;
    for (auto it = m_traces.begin(); it != m_traces.end();) {
        if (nowNs - it->touchedNs < idle) {
            ++it;
            continue;
        }
        for (const Node &n : std::as_const(it->nodes))
            if (n.request)
                m_requests.remove(n.seq);
        m_stats.waitingSpans -= quint64(it->waiting);
        it = m_traces.erase(it);
    }
}

OtlpAssembler::Stats OtlpAssembler::stats() const
{
    std::lock_guard lock(m_stateMutex);
    return m_stats;
}

QList<ObservedLane> OtlpAssembler::lanes() const
{
    std::lock_guard lock(m_stateMutex);
    return m_lanes.values();
}

ObservedLane OtlpAssembler::laneInfo(quint16 lane) const
{
    std::lock_guard lock(m_stateMutex);
    return m_lanes.value(lane);
}

QList<ClockOffset> OtlpAssembler::offsets() const
{
    std::lock_guard lock(m_stateMutex);
    QList<ClockOffset> out;
    for (auto it = m_offsetSamples.constBegin(); it != m_offsetSamples.constEnd(); ++it) {
        QList<double> s = it.value();
        std::sort(s.begin(), s.end());
        ClockOffset o;
        o.fromHost = m_hosts.value(it.key().first);
        o.toHost = m_hosts.value(it.key().second);
        o.samples = int(s.size());
        o.offsetMs = s.isEmpty() ? 0 : s[s.size() / 2];
        out.append(o);
    }
    return out;
}
