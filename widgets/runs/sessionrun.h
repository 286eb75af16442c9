#pragma once

#include "scenario/runresult.h"

#include <QList>
#include <QString>
#include <memory>

class LoadGenerator;
class TimelineData;

// One finished run kept for the session (Runs dock): a variant of a RunResult, shared so a
// run.json with several variants is stored once. Bursts from the users panel become a
// one-variant RunResult of their own, so every run saves and exports the same way.
struct SessionRun
{
    QString title;
    std::shared_ptr<const RunResult> run;
    int variantIndex = 0;

    const VariantResult &variant() const { return run->variants.at(variantIndex); }
};

// A summary figure of two runs side by side. Latencies in ms, makespan in s, throughput in req/s.
struct RunDelta
{
    QString name; // id: p50, p95, p99, max, makespan, throughput, errors
    QString label; // the reports' words for it, in the UI language
    double a = 0;
    double b = 0;
    bool lowerIsBetter = true;

    double delta() const { return b - a; }
    // b relative to a (0.5 = half); 0 when a is 0.
    double ratio() const { return a != 0 ? b / a : 0; }
    bool better() const { return lowerIsBetter ? b < a : b > a; }
};

namespace SessionRuns {

// The load generator's last run joined to the server's records (by client tag) and counters.
VariantResult fromLoad(const LoadGenerator &load, const std::vector<RequestRecord> &serverRecords,
                       const QList<CounterSample> &counters, const QJsonObject &serverConfig);
// Wraps one variant into a RunResult (scenario may be empty for a custom burst).
std::shared_ptr<const RunResult> wrap(const Scenario &scenario, VariantResult variant);
// Every variant of a run.json as a SessionRun.
QList<SessionRun> fromRunResult(const RunResult &run, const QString &source);
// Two compared runs as one RunResult with variants "A" and "B" (labelled with the runs' titles),
// so the comparison window exports the same report `loopscope run` writes.
RunResult combine(const SessionRun &a, const SessionRun &b);
// p50, p95, p99, max (ms), makespan (s), throughput (req/s), errors: a against b.
QList<RunDelta> compare(const VariantResult &a, const VariantResult &b);
// Latencies of the finished requests, ms, sorted (for distributions).
QList<double> latenciesMs(const VariantResult &v);
// Fills `data` with the variant's server records and their client send times.
void fill(const VariantResult &v, TimelineData *data);

} // namespace SessionRuns
