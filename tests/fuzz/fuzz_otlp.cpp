// The OTLP decoders (core/otlp/otlpdecoder, otlpmetrics): trace and metric export bodies,
// protobuf, JSON and gzip, as a client may send them. The first byte picks the path: bit 0 JSON,
// bit 1 gzip, bit 2 metrics (0 trace protobuf, 1 trace JSON, 2 gzip + trace protobuf, ...,
// 4 metrics protobuf, 5 metrics JSON, 6 gzip + metrics protobuf, 7 gzip + metrics JSON).
// Nothing may crash, gzip never inflates past the cap, and what the decoders keep is drawable:
// decoded metric points go through the metric store (its tracks, with a clock correction applied,
// metrics.csv and run.json's form), as the receivers hand them on.
#include "otlp/otlpdecoder.h"
#include "otlp/otlpmetrics.h"
#include "otlp/otlpmetricstore.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>

int fuzzOtlp(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const int mode = data[0] % 8;
    QByteArray body(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    QString error;
    if (mode & 2) {
        constexpr qsizetype cap = 1 << 20;
        QByteArray inflated;
        const Otlp::Result r = Otlp::inflate(body, &inflated, cap, &error);
        if (inflated.size() > cap || (r != Otlp::Result::Ok && !inflated.isEmpty()))
            std::abort();
        if (r != Otlp::Result::Ok)
            return 0;
        body = inflated;
    }
    const Otlp::Format format = mode & 1 ? Otlp::Format::Json : Otlp::Format::Protobuf;
    if (mode & 4) {
        Otlp::MetricBatch batch;
        if (Otlp::decodeMetrics(body, format, &batch, &error) == Otlp::Result::Ok) {
            for (const Otlp::MetricPoint &p : batch.points) {
                // Every point kept has a time, finite numbers and a resource.
                if (p.timeUnixNs == 0 || !std::isfinite(p.value) || !std::isfinite(p.sum) || p.resource < 0
                    || p.resource >= batch.resources.size())
                    std::abort();
            }
            Otlp::metricsSuccessBody(format, batch.rejected, batch.rejectReason);
            OtlpMetricStore store(0, 4096);
            if (!store.add(batch) && batch.points.size() <= 4096)
                std::abort(); // refused although it fits
            const QList<OtlpMetricStore::Instance> instances = store.instances();
            QHash<QString, qint64> corrections;
            for (const OtlpMetricStore::Instance &in : instances)
                corrections.insert(in.host, 250'000'000);
            store.setHostCorrections(corrections);
            for (int i = 0; i < instances.size(); ++i) {
                for (int t = 0; t < OtlpMetricStore::TrackCount; ++t) {
                    const QList<OtlpMetricStore::Sample> samples = store.track(i, OtlpMetricStore::Track(t));
                    for (qsizetype k = 1; k < samples.size(); ++k)
                        if (samples[k].tNs <= samples[k - 1].tNs)
                            std::abort(); // one sample per time, in time order
                }
            }
            store.csv(0);
            store.toJson(0);
        }
        return 0;
    }
    Otlp::Batch batch;
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
