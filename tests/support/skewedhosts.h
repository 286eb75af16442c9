#pragma once

#include "otlp/otlpdecoder.h"
#include "otlp/otlpmetrics.h"

// Two observed hosts whose clocks disagree, as decoded OTLP batches: host A ("front") calls host
// B ("back"), whose clock runs SkewNs ahead of A's. For the tests of applied clock offsets
// (tst_clockoffsets, tst_observepanel).
namespace SkewedHosts {

inline constexpr qint64 Ms = 1'000'000;
inline constexpr qint64 SkewNs = 250 * Ms;
// Span times near now (20 s ago), as a live service sends them.
quint64 t0();

// The two resources: 0 is A ("front @ A [i-1]"), 1 is B ("back @ B [i-1]").
QList<Otlp::Resource> resources();
// One span of trace `trace` (span ids are small numbers within it), times from t0() in ns.
Otlp::Span span(char trace, int spanNo, int parentNo, Otlp::SpanKind kind, qint64 start, qint64 end,
                int resource);
Otlp::Batch batch(const QList<Otlp::Span> &spans);
// A serves a request at `at` (A's clock) that calls B for 80 ms; B answers in 70 ms, 5 ms into
// the call, stamped with its own clock; `asymmetry` makes this pair's offset estimate differ
// from SkewNs by that much.
Otlp::Batch callFromAToB(char trace, qint64 at, qint64 asymmetry = 0);
// One event-loop delay point (nodejs.eventloop.delay.max) per host at the same moment `at` (A's
// clock): A 20 ms, B 300 ms.
Otlp::MetricBatch delays(qint64 at);

} // namespace SkewedHosts
