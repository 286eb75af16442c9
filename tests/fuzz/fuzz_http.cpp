// The connection layer's request reader (core/http/httprequestreader): arbitrary bytes read as a
// connection's stream of requests, whole and cut at every position (or at many, for long inputs),
// plainly, as two pipelined copies, and as the body of a chunked request. Every cut must give
// the same requests (method, target, fields, body, keep-alive) and the same refusal.
#include "http/httprequestreader.h"

#include <QList>
#include <cstdint>
#include <cstdlib>

namespace {

struct HttpOutcome
{
    QList<QByteArray> requests; // each request, flattened
    int failedWith = 0;
    bool operator==(const HttpOutcome &o) const
    {
        return requests == o.requests && failedWith == o.failedWith;
    }
};

QByteArray flattenRequest(const HttpRequest &r)
{
    QByteArray out = r.methodName().toByteArray() + ' ' + r.target().toByteArray() + '\n';
    for (int i = 0; i < r.headerCount(); ++i)
        out += r.headerName(i).toByteArray() + ':' + r.headerValue(i).toByteArray() + '\n';
    out += QByteArray::number(r.body().size()) + ':' + r.body() + (r.keepAlive() ? "K" : "C");
    return out;
}

// Feeds `pieces` in order, as a connection would (a request is handed over, then the next one
// is read from what is left); stops at a refusal or a request that closes the connection.
HttpOutcome readRequests(const QList<QByteArrayView> &pieces)
{
    HttpRequestReader reader;
    HttpOutcome out;
    for (QByteArrayView piece : pieces) {
        while (true) {
            const qsizetype used = reader.feed(piece);
            if (used < 0 || used > piece.size())
                std::abort();
            piece = piece.sliced(used);
            if (reader.state() == HttpRequestReader::State::Failed) {
                if (reader.errorStatus() < 400 || reader.errorStatus() > 499
                    || reader.errorDetail().isEmpty())
                    std::abort(); // a client error, with a reason
                out.failedWith = reader.errorStatus();
                return out;
            }
            if (reader.state() != HttpRequestReader::State::Complete)
                break;
            const HttpRequest &r = reader.request();
            if (r.body().size() > reader.limits().maxBodyBytes || r.headerCount() > reader.limits().maxFields)
                std::abort();
            out.requests.append(flattenRequest(r));
            if (!r.keepAlive())
                return out;
            reader.next();
        }
    }
    return out;
}

void checkCuts(QByteArrayView stream)
{
    const HttpOutcome whole = readRequests({ stream });
    const qsizetype n = stream.size();
    const qsizetype step = n <= 300 ? 1 : n / 97 + 1;
    for (qsizetype cut = 1; cut < n; cut += step) {
        if (!(readRequests({ stream.first(cut), stream.sliced(cut) }) == whole))
            std::abort();
    }
    if (n <= 300) {
        QList<QByteArrayView> bytes;
        for (qsizetype i = 0; i < n; ++i)
            bytes.append(stream.sliced(i, 1));
        if (!(readRequests(bytes) == whole))
            std::abort();
    }
}

} // namespace

int fuzzHttp(const uint8_t *data, size_t size)
{
    if (size > 16384)
        return 0;
    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));
    checkCuts(input);
    // Two pipelined copies: the second must read as the first did.
    const QByteArray twice = input.toByteArray() + input.toByteArray();
    checkCuts(twice);
    // The input as a chunked body, in chunks whose sizes its own bytes choose.
    QByteArray chunked = "POST /v1/chat HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (qsizetype at = 0; at < input.size();) {
        const qsizetype len = std::min<qsizetype>(input.size() - at, 1 + quint8(input[at]) % 17);
        chunked += QByteArray::number(len, 16) + "\r\n" + input.sliced(at, len).toByteArray() + "\r\n";
        at += len;
    }
    chunked += "0\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n";
    checkCuts(chunked);
    const HttpOutcome o = readRequests({ chunked });
    if (o.failedWith != 0 || o.requests.size() != 2 || !o.requests[0].contains(input.toByteArray()))
        std::abort(); // a well-formed chunked body comes back whole, and the next request too
    return 0;
}

#ifndef LOOPSCOPE_FUZZ_NO_MAIN
extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzzHttp(data, size);
}
#endif
