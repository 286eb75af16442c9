// run.json: the whole run, its record arrays written record by record (RunExport::runJson).
#include "base/jsonfile.h"
#include "exportsink.h"
#include "runexport.h"
#include "serverrecords.h"
#include "trace/recordjson.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <algorithm>
#include <tuple>
#include <vector>

namespace RunExport {

namespace {
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
    key(j, RecordField::Worker) += QByteArray::number(r.worker);
    ServerRecords::appendClientJson(j, r); // who sent it, when known (after the sorted keys)
    return j += '}';
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
    if (s.poolCpuPct > 0) // pool_cpu_pct: only when a pool process ran
        key(j, CounterField::PoolCpuPct) += shortest(s.poolCpuPct);
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

} // namespace RunExport
