// What an OpenAI-compatible provider sends back: stream chunks, whole completions, error bodies,
// and the response reader that turns a whole HTTP response (fed in arbitrary pieces) into a reply.
// Invariants, beyond not crashing: what the parsers read, our writers write back the same; the
// reader's reply does not depend on how the response was cut into pieces; the tokens it hands
// on are the start of the reply's text.
#include "fuzzcheck.h"
#include "llm/openaichunk.h"
#include "llm/openairesponsereader.h"

#include <QJsonDocument>
#include <cstdint>

namespace {

bool valid(const QString &s)
{
    return s.isValidUtf16(); // a lone surrogate from a JSON escape cannot be written back as UTF-8
}

struct ReadResult
{
    LlmReply reply;
    QString tokens;
};

ReadResult readResponse(quint8 mode, QByteArrayView body, size_t piece)
{
    static const int statuses[] = { 200, 400, 401, 429, 500, 502, 503, 0 };
    static const char *types[] = { "text/event-stream", "application/json", "text/plain; charset=utf-8", "" };
    ReadResult r;
    OpenAiResponseReader reader((mode & 1) != 0, QStringLiteral("sk-secret"));
    reader.setStatus(statuses[(mode >> 1) & 7], types[(mode >> 4) & 3]);
    for (qsizetype at = 0; at < body.size() && !reader.isComplete(); at += qsizetype(piece))
        reader.feed(body.sliced(at, qMin<qsizetype>(qsizetype(piece), body.size() - at)),
                    [&r](const QString &token) { r.tokens += token; });
    r.reply = reader.finish((mode & 0x40) ? QStringLiteral("connection reset") : QString());
    return r;
}

} // namespace

int fuzzOpenAi(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    // Byte 0: status, content type and stream flag; byte 1: the size of the pieces; the rest: body.
    const quint8 mode = data[0];
    const size_t piece = size_t(data[1]) + 1;
    const QByteArrayView body(reinterpret_cast<const char *>(data + 2), qsizetype(size - 2));

    if (const auto c = OpenAiChunk::parse(body);
        c && !c->done && valid(c->id) && valid(c->model) && valid(c->content) && valid(c->finishReason)) {
        const auto back
            = OpenAiChunk::parse(OpenAiWire::makeChunk(c->id, c->model, 0, c->content, c->finishReason));
        FUZZ_CHECK(back && !back->done);
        FUZZ_CHECK(back->id == c->id && back->model == c->model);
        FUZZ_CHECK(back->content == c->content && back->finishReason == c->finishReason);
    }
    if (const auto c = OpenAiChunk::parseCompletion(body);
        c && valid(c->id) && valid(c->model) && valid(c->content) && valid(c->finishReason)) {
        const QByteArray written
            = QJsonDocument(OpenAiWire::makeCompletion(c->id, c->model, 0, c->content, c->finishReason,
                                                       c->promptTokens, c->completionTokens))
                  .toJson(QJsonDocument::Compact);
        const auto back = OpenAiChunk::parseCompletion(written);
        FUZZ_CHECK(back);
        FUZZ_CHECK(back->id == c->id && back->model == c->model && back->content == c->content);
        FUZZ_CHECK(back->finishReason == c->finishReason);
        FUZZ_CHECK(back->promptTokens == c->promptTokens && back->completionTokens == c->completionTokens);
    }
    if (const auto e = OpenAiError::parse(body); e && valid(e->message) && valid(e->type) && valid(e->code)) {
        const auto back = OpenAiError::parse(OpenAiWire::makeError(e->message, e->type, e->code));
        FUZZ_CHECK(back);
        FUZZ_CHECK(back->message == e->message && back->type == e->type && back->code == e->code);
    }

    const ReadResult pieces = readResponse(mode, body, piece);
    const ReadResult whole = readResponse(mode, body, size_t(body.size()) + 1);
    FUZZ_CHECK(pieces.reply.error == whole.reply.error);
    FUZZ_CHECK(pieces.reply.text == whole.reply.text && pieces.reply.reasoning == whole.reply.reasoning);
    FUZZ_CHECK(pieces.reply.errorMessage == whole.reply.errorMessage);
    FUZZ_CHECK(pieces.reply.tokens == whole.reply.tokens && pieces.tokens == whole.tokens);
    FUZZ_CHECK(pieces.reply.text.startsWith(pieces.tokens));
    return 0;
}

#ifndef LOOPSCOPE_FUZZ_NO_MAIN
extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzzOpenAi(data, size);
}
#endif
