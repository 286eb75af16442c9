// The chat request parsers: LoopScope's own body ({user_id, session_id, message, options}),
// OpenAI's chat-completions body, and the API key comparison, on arbitrary bytes.
#include "http/chatprotocol.h"
#include "http/chatrequestparser.h"

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
