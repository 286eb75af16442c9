// The chat request parsers: LoopScope's own body ({user_id, session_id, message, options}),
// OpenAI's chat-completions body, the request-head scanner behind the 431 limits, and the API
// key comparison, on arbitrary bytes.
#include "http/chatprotocol.h"
#include "http/chatrequestparser.h"
#include "http/requestheadscanner.h"

#include <cstdint>
#include <cstdlib>

int fuzzChatRequest(const uint8_t *data, size_t size)
{
    const QByteArray body = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    QString error;
    ChatRequest request;
    const bool ok = ChatRequestParser::parse(body, &request, &error);
    // Either a request that respects the documented limits, or a message for the 400.
    if (ok) {
        if (request.userId.trimmed().isEmpty() || request.userId.size() > 128
            || request.message.trimmed().isEmpty()
            || request.message.toUtf8().size() > ChatRequestParser::MaxMessageBytes
            || !request.message.isValidUtf16() || !request.userId.isValidUtf16()
            || !request.sessionId.isValidUtf16())
            std::abort();
    } else if (error.isEmpty()) {
        std::abort();
    }
    NativeChatProtocol native(true);
    ChatRequest r2;
    QString e2;
    if (native.parse(body, &r2, &e2) != ok)
        std::abort();
    OpenAiChatProtocol openai;
    ChatRequest r3;
    QString e3;
    if (openai.parse(body, &r3, &e3)) {
        if (!r3.message.isValidUtf16() || r3.message.trimmed().isEmpty())
            std::abort();
    } else if (e3.isEmpty()) {
        std::abort();
    }
    // The same bytes as a request head, whole and cut into pieces: the same state and counts.
    RequestHeadScanner whole(100, 16 * 1024), cut(100, 16 * 1024);
    whole.feed(body);
    const qsizetype piece = body.isEmpty() ? 1 : qsizetype(quint8(body[0]) % 7) + 1;
    for (qsizetype at = 0; at < body.size(); at += piece)
        cut.feed(QByteArrayView(body).sliced(at, qMin(piece, body.size() - at)));
    // (At TooLarge the count stops wherever the piece that crossed the limit ended.)
    using State = RequestHeadScanner::State;
    if (whole.state() != cut.state() || whole.fields() != cut.fields() || whole.fields() > 101
        || (whole.state() != State::TooLarge
            && (whole.headBytes() != cut.headBytes() || whole.headBytes() > 16 * 1024)))
        std::abort();
    // The key comparison: equal exactly when the bytes are.
    const qsizetype half = body.size() / 2;
    const QByteArray a = body.left(half), b = body.mid(half);
    if (ChatRequestParser::keysEqual(a, b) != (a == b && !b.isEmpty()))
        std::abort();
    return 0;
}

#ifndef LOOPSCOPE_FUZZ_NO_MAIN
extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzzChatRequest(data, size);
}
#endif
