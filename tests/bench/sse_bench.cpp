// What reading a streamed reply costs the load generator per request (issue #9): the hand scan
// it used before (append every byte, search for "event: token" and the first "data: " line) against
// SseDecoder, read only until the request id and the first token (what LoadWorker does now).
// The reply is /v1/chat/stream's: a start event, TOKENS token events, a done event, each arriving
// as its own network read. Prints ns per reply; see docs/BENCHMARKS.md.
#include "base/traceclock.h"
#include "llm/ssedecoder.h"
#include "load/requestid.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <cstdio>

namespace {

QByteArray event(const char *name, const QJsonObject &data)
{
    return SseDecoder::encode(QJsonDocument(data).toJson(QJsonDocument::Compact), name);
}

QList<QByteArray> reply(int tokens)
{
    const QJsonObject identity { { QStringLiteral("request_id"), QStringLiteral("123456") },
                                 { QStringLiteral("session_id"), QStringLiteral("s-0123456789abcdef") },
                                 { QStringLiteral("mode"), QStringLiteral("async") },
                                 { QStringLiteral("worker"), 0 },
                                 { QStringLiteral("thread"), QStringLiteral("worker-0") } };
    QList<QByteArray> reads { event("start", identity) };
    QString text;
    for (int i = 0; i < tokens; ++i) {
        const QString delta = QStringLiteral("你好");
        text += delta;
        reads.push_back(event("token", { { QStringLiteral("delta"), delta } }));
    }
    QJsonObject done = identity;
    done.insert(QStringLiteral("response"), text);
    done.insert(QStringLiteral("tokens"), tokens);
    reads.push_back(event("done", done));
    return reads;
}

struct Result
{
    quint64 id = 0;
    bool token = false;
};

// Before issue #9: LoadWorker's hand scan.
Result handScan(const QList<QByteArray> &reads, QByteArray &body)
{
    static const QByteArray kTokenEvent("event: token");
    Result r;
    body.truncate(0);
    qsizetype tokenScan = 0;
    for (const QByteArray &piece : reads) {
        if (body.size() < (1 << 20))
            body.append(piece);
        if (!r.token) {
            const qsizetype from = std::max<qsizetype>(0, tokenScan - kTokenEvent.size());
            if (body.indexOf(kTokenEvent, from) >= 0)
                r.token = true;
            tokenScan = body.size();
        }
    }
    const qsizetype at = body.indexOf("data: ");
    const qsizetype end = at >= 0 ? body.indexOf('\n', at) : -1;
    if (at >= 0 && end > at)
        r.id = requestIdIn(body.mid(at + 6, end - at - 6));
    return r;
}

// Now: SseDecoder until the request id and the first token are known.
Result decoder(const QList<QByteArray> &reads, SseDecoder &sse)
{
    Result r;
    sse.reset();
    bool idRead = false;
    for (const QByteArray &piece : reads) {
        if (idRead && r.token)
            continue;
        for (const SseEvent &e : sse.feed(piece)) {
            if (!idRead && !e.data.isEmpty()) {
                r.id = requestIdIn(e.data);
                idRead = true;
            }
            if (!r.token && e.event == "token")
                r.token = true;
        }
    }
    return r;
}

} // namespace

int main()
{
    for (int tokens : { 20, 200 }) {
        const QList<QByteArray> reads = reply(tokens);
        qsizetype bytes = 0;
        for (const QByteArray &b : reads)
            bytes += b.size();
        const int replies = tokens < 100 ? 400'000 : 100'000;
        for (int pass = 0; pass < 3; ++pass) {
            QByteArray body;
            SseDecoder sse;
            quint64 check = 0;
            qint64 t0 = TraceClock::nowNs();
            for (int i = 0; i < replies; ++i) {
                const Result r = handScan(reads, body);
                check += r.id + r.token;
            }
            const double oldNs = double(TraceClock::nowNs() - t0) / replies;
            t0 = TraceClock::nowNs();
            for (int i = 0; i < replies; ++i) {
                const Result r = decoder(reads, sse);
                check -= r.id + r.token;
            }
            const double newNs = double(TraceClock::nowNs() - t0) / replies;
            std::printf("%d tokens (%lld bytes in %lld reads), pass %d: hand scan %.0f ns/reply, "
                        "SseDecoder to the first token %.0f ns/reply%s\n",
                        tokens, qlonglong(bytes), qlonglong(reads.size()), pass + 1, oldNs, newNs,
                        check == 0 ? "" : " (RESULTS DIFFER)");
        }
    }
    return 0;
}
