// The Server-Sent Events decoder, fed arbitrary bytes split at arbitrary places: the events must
// not depend on where the network cut the stream.
#include "llm/ssedecoder.h"

#include <cstdint>
#include <cstdlib>

namespace {

QList<SseEvent> decode(QByteArrayView bytes, qsizetype piece)
{
    SseDecoder d;
    QList<SseEvent> out;
    for (qsizetype at = 0; at < bytes.size(); at += piece)
        out += d.feed(bytes.sliced(at, qMin(piece, bytes.size() - at)));
    out += d.finish();
    return out;
}

bool same(const QList<SseEvent> &a, const QList<SseEvent> &b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (a[i].event != b[i].event || a[i].data != b[i].data || a[i].id != b[i].id)
            return false;
    }
    return true;
}

} // namespace

int fuzzSse(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const qsizetype piece = qsizetype(data[0] % 16) + 1;
    const QByteArrayView bytes(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    const QList<SseEvent> whole = decode(bytes, qMax<qsizetype>(bytes.size(), 1));
    if (!same(whole, decode(bytes, piece)) || !same(whole, decode(bytes, 1)))
        std::abort();
    // Our encoder's output decodes back to the same data (for data without CR, which a line
    // break inside the data would change).
    if (!bytes.contains('\r')) {
        const QList<SseEvent> back = decode(SseDecoder::encode(bytes, "token"), piece);
        if (back.size() != 1 || back[0].data != bytes || back[0].event != "token")
            std::abort();
    }
    return 0;
}

#ifndef LOOPSCOPE_FUZZ_NO_MAIN
extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzzSse(data, size);
}
#endif
