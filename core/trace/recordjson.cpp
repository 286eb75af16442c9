#include "recordjson.h"

#include <QJsonArray>

namespace {

qint64 rel(qint64 ns, qint64 o)
{
    return ns ? ns - o : -1;
}

qint64 unrel(const QJsonValue &v, qint64 o)
{
    const qint64 r = v.toInteger(-1);
    return r < 0 ? 0 : r + o;
}

} // namespace

QJsonObject requestRecordToJson(const RequestRecord &r, qint64 o)
{
    QJsonArray spans;
    for (int i = 0; i < r.spanCount; ++i) {
        const TraceSpan &s = r.spans[size_t(i)];
        spans.append(QJsonObject { { QLatin1String(SpanField::Phase), phaseName(s.phase) },
                                   { QLatin1String(SpanField::StartNs), rel(s.startNs, o) },
                                   { QLatin1String(SpanField::EndNs), rel(s.endNs, o) },
                                   { QLatin1String(SpanField::Thread), int(s.thread) },
                                   { QLatin1String(SpanField::Index), int(s.index) },
                                   { QLatin1String(SpanField::Count), qint64(s.count) } });
    }
    QJsonObject j { { QLatin1String(RecordField::Id), QString::number(r.id) },
                    { QLatin1String(RecordField::ClientTag), QString::number(r.clientTag) },
                    { QLatin1String(RecordField::ArrivedNs), rel(r.arrivedNs, o) },
                    { QLatin1String(RecordField::StartedNs), rel(r.startedNs, o) },
                    { QLatin1String(RecordField::FirstTokenNs), rel(r.firstTokenNs, o) },
                    { QLatin1String(RecordField::RespondedNs), rel(r.respondedNs, o) },
                    { QLatin1String(RecordField::Worker), int(r.worker) },
                    { QLatin1String(RecordField::Mode), dispatchModeName(r.mode) },
                    { QLatin1String(RecordField::Endpoint), int(r.endpoint) },
                    { QLatin1String(RecordField::Status), int(r.status) },
                    { QLatin1String(RecordField::LoopThread), int(r.loopThread) },
                    { QLatin1String(RecordField::RequestBytes), qint64(r.requestBytes) },
                    { QLatin1String(RecordField::ResponseBytes), qint64(r.responseBytes) },
                    { QLatin1String(RecordField::Tokens), qint64(r.tokens) },
                    { QLatin1String(RecordField::User), r.userId() },
                    { QLatin1String(RecordField::Spans), spans } };
    if (r.hasClient()) {
        j.insert(QLatin1String(RecordField::ClientAddress), r.clientAddressText());
        j.insert(QLatin1String(RecordField::ClientPort), int(r.clientPort));
    }
    if (r.userAgent[0])
        j.insert(QLatin1String(RecordField::UserAgent), r.userAgentText());
    if (r.loopscopeUser[0])
        j.insert(QLatin1String(RecordField::LoopscopeUser), r.loopscopeUserText());
    if (r.boundary())
        j.insert(QLatin1String(RecordField::Boundary), true);
    return j;
}

RequestRecord requestRecordFromJson(const QJsonObject &j, qint64 o)
{
    RequestRecord r;
    r.id = j.value(QLatin1String(RecordField::Id)).toString().toULongLong();
    r.clientTag = j.value(QLatin1String(RecordField::ClientTag)).toString().toULongLong();
    r.arrivedNs = unrel(j.value(QLatin1String(RecordField::ArrivedNs)), o);
    r.startedNs = unrel(j.value(QLatin1String(RecordField::StartedNs)), o);
    r.firstTokenNs = unrel(j.value(QLatin1String(RecordField::FirstTokenNs)), o);
    r.respondedNs = unrel(j.value(QLatin1String(RecordField::RespondedNs)), o);
    r.worker = qint8(j.value(QLatin1String(RecordField::Worker)).toInt());
    parseDispatchMode(j.value(QLatin1String(RecordField::Mode)).toString(), &r.mode);
    r.endpoint = Endpoint(j.value(QLatin1String(RecordField::Endpoint)).toInt());
    r.status = quint16(j.value(QLatin1String(RecordField::Status)).toInt());
    r.loopThread = quint16(j.value(QLatin1String(RecordField::LoopThread)).toInt());
    r.requestBytes = quint32(j.value(QLatin1String(RecordField::RequestBytes)).toInteger());
    r.responseBytes = quint32(j.value(QLatin1String(RecordField::ResponseBytes)).toInteger());
    r.tokens = quint32(j.value(QLatin1String(RecordField::Tokens)).toInteger());
    r.setUserId(j.value(QLatin1String(RecordField::User)).toString().toUtf8());
    const int port = j.value(QLatin1String(RecordField::ClientPort)).toInt();
    if (port > 0 && port <= 65535
        && r.setClientAddressText(j.value(QLatin1String(RecordField::ClientAddress)).toString()))
        r.clientPort = quint16(port);
    r.setUserAgent(j.value(QLatin1String(RecordField::UserAgent)).toString().toUtf8());
    r.setLoopscopeUser(j.value(QLatin1String(RecordField::LoopscopeUser)).toString().toUtf8());
    if (j.value(QLatin1String(RecordField::Boundary)).toBool())
        r.flags |= RequestRecord::BoundaryFlag;
    for (const QJsonValue &v : j.value(QLatin1String(RecordField::Spans)).toArray()) {
        if (r.spanCount >= RequestRecord::MaxSpans)
            break;
        const QJsonObject s = v.toObject();
        TraceSpan &t = r.spans[r.spanCount++];
        const QString phase = s.value(QLatin1String(SpanField::Phase)).toString();
        for (int p = 0; p < PhaseCount; ++p) {
            if (phaseName(Phase(p)) == phase)
                t.phase = Phase(p);
        }
        t.startNs = unrel(s.value(QLatin1String(SpanField::StartNs)), o);
        t.endNs = unrel(s.value(QLatin1String(SpanField::EndNs)), o);
        t.thread = quint16(s.value(QLatin1String(SpanField::Thread)).toInt());
        t.index = quint8(s.value(QLatin1String(SpanField::Index)).toInt());
        t.count = quint32(s.value(QLatin1String(SpanField::Count)).toInteger(1));
    }
    return r;
}

QJsonObject counterSampleToJson(const CounterSample &s, qint64 o)
{
    QJsonArray lag;
    for (int i = 0; i < s.workers && i < ServerCounters::MaxWorkers; ++i)
        lag.append(double(s.loopLagMs[size_t(i)]));
    QJsonObject j { { QLatin1String(CounterField::TNs), s.tNs - o },
                    { QLatin1String(CounterField::InFlight), s.inFlight },
                    { QLatin1String(CounterField::Waiting), s.waiting },
                    { QLatin1String(CounterField::PoolActive), s.poolActive },
                    { QLatin1String(CounterField::PoolMax), s.poolMax },
                    { QLatin1String(CounterField::PoolQueued), s.poolQueued },
                    { QLatin1String(CounterField::Connections), s.connections },
                    { QLatin1String(CounterField::Completed), qint64(s.completed) },
                    { QLatin1String(CounterField::Failed), qint64(s.failed) },
                    { QLatin1String(CounterField::Rejected), qint64(s.rejected) },
                    { QLatin1String(CounterField::Workers), s.workers },
                    { QLatin1String(CounterField::LoopLagMs), lag },
                    { QLatin1String(CounterField::AcceptQueue), s.acceptQueue },
                    { QLatin1String(CounterField::CpuPct), double(s.cpuPct) },
                    { QLatin1String(CounterField::RssBytes), s.rssBytes },
                    { QLatin1String(CounterField::Threads), s.threads } };
    if (s.dbPoolSize > 0) {
        j.insert(QLatin1String(CounterField::DbBusy), s.dbBusy);
        j.insert(QLatin1String(CounterField::DbPoolSize), s.dbPoolSize);
        j.insert(QLatin1String(CounterField::DbWaiting), s.dbWaiting);
    }
    if (s.poolCpuPct > 0)
        j.insert(QLatin1String(CounterField::PoolCpuPct), double(s.poolCpuPct));
    if (s.laneCpu) {
        QJsonArray lanes;
        for (const LaneCpu &l : *s.laneCpu)
            lanes.append(QJsonArray { int(l.lane), double(l.pct) });
        j.insert(QLatin1String(CounterField::LaneCpuPct), lanes);
    }
    return j;
}

CounterSample counterSampleFromJson(const QJsonObject &j, qint64 o)
{
    CounterSample s;
    s.tNs = j.value(QLatin1String(CounterField::TNs)).toInteger() + o;
    s.inFlight = j.value(QLatin1String(CounterField::InFlight)).toInt();
    s.waiting = j.value(QLatin1String(CounterField::Waiting)).toInt();
    s.poolActive = j.value(QLatin1String(CounterField::PoolActive)).toInt();
    s.poolMax = j.value(QLatin1String(CounterField::PoolMax)).toInt();
    s.poolQueued = j.value(QLatin1String(CounterField::PoolQueued)).toInt();
    s.connections = j.value(QLatin1String(CounterField::Connections)).toInt();
    s.completed = quint64(j.value(QLatin1String(CounterField::Completed)).toInteger());
    s.failed = quint64(j.value(QLatin1String(CounterField::Failed)).toInteger());
    s.rejected = quint64(j.value(QLatin1String(CounterField::Rejected)).toInteger());
    s.workers = j.value(QLatin1String(CounterField::Workers)).toInt();
    const QJsonArray lag = j.value(QLatin1String(CounterField::LoopLagMs)).toArray();
    for (int i = 0; i < lag.size() && i < ServerCounters::MaxWorkers; ++i)
        s.loopLagMs[size_t(i)] = float(lag[i].toDouble());
    s.acceptQueue = j.value(QLatin1String(CounterField::AcceptQueue)).toInt();
    s.cpuPct = float(j.value(QLatin1String(CounterField::CpuPct)).toDouble());
    s.poolCpuPct = float(j.value(QLatin1String(CounterField::PoolCpuPct)).toDouble());
    s.rssBytes = j.value(QLatin1String(CounterField::RssBytes)).toInteger();
    s.threads = j.value(QLatin1String(CounterField::Threads)).toInt();
    s.dbBusy = j.value(QLatin1String(CounterField::DbBusy)).toInt();
    s.dbPoolSize = j.value(QLatin1String(CounterField::DbPoolSize)).toInt();
    s.dbWaiting = j.value(QLatin1String(CounterField::DbWaiting)).toInt();
    if (j.contains(QLatin1String(CounterField::LaneCpuPct))) {
        auto lanes = std::make_shared<LaneCpuList>();
        for (const QJsonValue &x : j.value(QLatin1String(CounterField::LaneCpuPct)).toArray()) {
            const QJsonArray pair = x.toArray();
            lanes->push_back({ quint16(pair.at(0).toInt()), float(pair.at(1).toDouble()) });
        }
        s.laneCpu = std::move(lanes);
    }
    return s;
}
