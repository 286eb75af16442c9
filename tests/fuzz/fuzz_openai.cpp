// What an OpenAI-compatible provider sends back: stream chunks, whole completions, error bodies,
// and the response reader that turns a whole HTTP response (fed in arbitrary pieces) into a reply.
#include "llm/openaichunk.h"
#include "llm/openairesponsereader.h"

#include <cstdint>

int fuzzOpenAi(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    // Byte 0: status, content type and stream flag; byte 1: the size of the pieces; the rest: body.
    const quint8 mode = data[0];
    const size_t piece = size_t(data[1]) + 1;
    const QByteArrayView body(reinterpret_cast<const char *>(data + 2), qsizetype(size - 2));
    OpenAiChunk::parse(body);
    OpenAiChunk::parseCompletion(body);
    if (const auto e = OpenAiError::parse(body))
        e->describe();

    static const int statuses[] = { 200, 400, 401, 429, 500, 502, 503, 0 };
    static const char *types[] = { "text/event-stream", "application/json", "text/plain; charset=utf-8", "" };
    OpenAiResponseReader reader((mode & 1) != 0, QStringLiteral("sk-secret"));
    reader.setStatus(statuses[(mode >> 1) & 7], types[(mode >> 4) & 3]);
    for (qsizetype at = 0; at < body.size() && !reader.isComplete(); at += qsizetype(piece))
        reader.feed(body.sliced(at, qMin<qsizetype>(qsizetype(piece), body.size() - at)),
                    [](const QString &) {});
    reader.finish((mode & 0x40) ? QStringLiteral("connection reset") : QString());
    return 0;
}

#ifndef LOOPSCOPE_FUZZ_NO_MAIN
extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzzOpenAi(data, size);
}
#endif
