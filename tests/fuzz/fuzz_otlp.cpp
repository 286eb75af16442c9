// The OTLP trace decoders (core/otlp/otlpdecoder): protobuf, JSON and gzip bodies as a client
// may send them. The first byte picks the path: 0 protobuf, 1 JSON, 2 gzip + protobuf,
// 3 gzip + JSON. Nothing may crash, and gzip never inflates past the cap.
#include "otlp/otlpdecoder.h"

#include <cstdint>
#include <cstdlib>

int fuzzOtlp(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const int mode = data[0] % 4;
    QByteArray body(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    QString error;
    if (mode >= 2) {
        constexpr qsizetype cap = 1 << 20;
        QByteArray inflated;
        const Otlp::Result r = Otlp::inflate(body, &inflated, cap, &error);
        if (inflated.size() > cap || (r != Otlp::Result::Ok && !inflated.isEmpty()))
            std::abort();
        if (r != Otlp::Result::Ok)
            return 0;
        body = inflated;
    }
    Otlp::Batch batch;
    const Otlp::Format format = mode % 2 ? Otlp::Format::Json : Otlp::Format::Protobuf;
    if (Otlp::decode(body, format, &batch, &error) == Otlp::Result::Ok) {
        for (const Otlp::Span &s : batch.spans) {
            // Every span that was kept has valid ids and times and a resource.
            if (s.traceId.size() != 16 || s.spanId.size() != 8 || s.endUnixNs < s.startUnixNs
                || s.resource < 0 || s.resource >= batch.resources.size())
                std::abort();
        }
        Otlp::successBody(format, batch.rejected, batch.rejectReason);
    }
    return 0;
}

#ifndef LOOPSCOPE_FUZZ_NO_MAIN
extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzzOtlp(data, size);
}
#endif
