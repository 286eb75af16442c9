#include "serverrecords.h"

#include "report/runexport.h"
#include "trace/recordjson.h"

#include <QStringList>
#include <algorithm>

namespace {

QByteArray csvField(const QString &text)
{
    QByteArray s = text.toUtf8();
    if (s.contains(',') || s.contains('"') || s.contains('\n') || s.contains('\r')) {
        s.replace("\"", "\"\"");
        s = '"' + s + '"';
    }
    return s;
}

const char *endpointName(Endpoint e)
{
    switch (e) {
    case Endpoint::Chat:
        return "chat";
    case Endpoint::ChatStream:
        return "chat_stream";
    case Endpoint::Completions:
        return "completions";
    case Endpoint::Other:
        break;
    }
    return "other";
}

void appendString(QByteArray &json, const char *name, const QString &value)
{
    json += ",\"";
    json += name;
    json += "\":\"";
    for (const char c : value.toUtf8()) {
        if (c == '"' || c == '\\') {
            json += '\\';
            json += c;
        } else if (quint8(c) < 0x20) {
            json += "\\u00";
            json += "0123456789abcdef"[(c >> 4) & 0xf];
            json += "0123456789abcdef"[c & 0xf];
        } else {
            json += c;
        }
    }
    json += '"';
}

} // namespace

namespace ServerRecords {

bool only(const RunResult &run)
{
    return !run.variants.isEmpty()
        && std::all_of(run.variants.begin(), run.variants.end(),
                       [](const VariantResult &v) { return v.isServerSideOnly(); });
}

QByteArray csv(const RunResult &run)
{
    QByteArray out = "variant,request_id,boundary,client_address,client_port,user_agent,loopscope_user,"
                     "user_id,endpoint,status,worker,arrived_ms,started_ms,first_token_ms,responded_ms,"
                     "latency_ms,request_bytes,response_bytes,tokens,phases\n";
    const auto ms = [](qint64 ns, qint64 origin) {
        return ns ? RunExport::fixed3(double(ns - origin) / 1e6) : QByteArray();
    };
    for (const VariantResult &v : run.variants) {
        for (const QList<RequestRecord> *list : { &v.server, &v.other }) {
            for (const RequestRecord &r : *list) {
                QStringList phases;
                for (int i = 0; i < r.spanCount; ++i)
                    phases.append(phaseName(r.spans[size_t(i)].phase));
                const qint64 latency = r.finished() && r.arrivedNs ? r.respondedNs - r.arrivedNs : 0;
                out += csvField(v.name) + ',' + QByteArray::number(r.id) + ',' + (r.boundary() ? "1" : "0")
                    + ',' + csvField(r.clientAddressText()) + ','
                    + (r.hasClient() ? QByteArray::number(r.clientPort) : QByteArray()) + ','
                    + csvField(r.userAgentText()) + ',' + csvField(r.loopscopeUserText()) + ','
                    + csvField(r.userId()) + ',' + endpointName(r.endpoint) + ','
                    + QByteArray::number(r.status) + ',' + QByteArray::number(r.worker) + ','
                    + ms(r.arrivedNs, v.startNs) + ',' + ms(r.startedNs, v.startNs) + ','
                    + ms(r.firstTokenNs, v.startNs) + ',' + ms(r.respondedNs, v.startNs) + ','
                    + (latency ? RunExport::fixed3(double(latency) / 1e6) : QByteArray()) + ','
                    + QByteArray::number(r.requestBytes) + ',' + QByteArray::number(r.responseBytes) + ','
                    + QByteArray::number(r.tokens) + ',' + csvField(phases.join(QLatin1Char(' '))) + '\n';
            }
        }
    }
    return out;
}

void appendClientJson(QByteArray &json, const RequestRecord &r)
{
    if (r.hasClient()) {
        appendString(json, RecordField::ClientAddress, r.clientAddressText());
        json += ",\"";
        json += RecordField::ClientPort;
        json += "\":" + QByteArray::number(r.clientPort);
    }
    if (r.userAgent[0])
        appendString(json, RecordField::UserAgent, r.userAgentText());
    if (r.loopscopeUser[0])
        appendString(json, RecordField::LoopscopeUser, r.loopscopeUserText());
    if (r.boundary()) {
        json += ",\"";
        json += RecordField::Boundary;
        json += "\":true";
    }
}

} // namespace ServerRecords
