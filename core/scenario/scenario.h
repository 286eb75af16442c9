#pragma once

#include "load/loadsettings.h"
#include "pipeline/serverconfig.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

// A figure a seed states, with how far a measurement may stray from it. Values are at time
// scale 1: metrics ending in _s scale with the run's time scale, _rps inversely.
struct ExpectedFigure
{
    QString variant;
    QString metric; // makespan_s, latency_max_s, latency_mean_s, ttft_p50_s, achieved_rps...
    double value = 0;
    double tolerance = 0.1; // relative
    double absTolerance = 0; // in the metric's unit, at time scale 1
    double roundsOf = 0; // > 0: value = ceil(users / pool size) * roundsOf (executor saturation)
    // > 0: value += users * cpuParallelOf / min(pool size, cores, users): CPU work shared out over
    // the cores the pool can use (the machine's cores come from the run's machine info).
    double cpuParallelOf = 0;
    double fixedSeconds = 0; // added after time scaling: a cost that does not scale (process start-up)
    // Seconds only: adds what did not shrink with the time scale in two passes of this variant at
    // a tenth of the run's time scale, run just before it (`loopscope run`): the faster pass's
    // figure less its delays' part. Round trips to a database, each request's CPU, waking from each
    // wait are then this machine's, measured now, not a constant tuned on another processor.
    bool plusUnscaled = false;
    // A ratio between variants: the figure is this variant's metric divided by ratioTo's (then
    // nothing is time-scaled: both sides scale alike). Machine-independent, unlike a CPU %.
    QString ratioTo;
    // One-sided bounds instead of value ± tolerance (NaN: none): "B's CPU is at least 3x A's".
    double atLeast = qQNaN();
    double atMost = qQNaN();
    // The lesson needs this many cores (a parallel speed-up): on fewer (sched_getaffinity, so
    // `taskset -c 0` counts as 1), the figure is "not applicable", not a failure.
    int minCores = 0;
    QString note;

    bool bounded() const { return !qIsNaN(atLeast) || !qIsNaN(atMost); }
};

struct ScenarioVariant
{
    QString name; // "A", "B"
    QString labelEn;
    QString labelZh;
    QJsonObject server; // overrides of the scenario's server settings
    QJsonObject load; // overrides of the scenario's load settings (incl. "options")
};

// One of the seeds' situations, runnable: resources/scenarios/<name>.json or any file.
struct Scenario
{
    QString name;
    QString titleEn;
    QString titleZh;
    QString explanationEn;
    QString explanationZh;
    QString seed; // which seed document it comes from
    QJsonObject server; // common server settings
    QJsonObject load; // common load settings
    QList<ScenarioVariant> variants;
    QList<ExpectedFigure> expected;
    QJsonObject raw; // the file as read

    const ScenarioVariant *variant(const QString &name) const;
    // Effective settings of a variant (before the run's time scale and user override).
    ServerConfig serverConfig(const ScenarioVariant &v) const;
    LoadSettings loadSettings(const ScenarioVariant &v) const;

    static bool fromJson(const QJsonObject &json, Scenario *out, QString *error);
    // NAME of a built-in scenario (":/loopscope/scenarios/NAME.json") or a path to a file.
    static bool open(const QString &nameOrPath, Scenario *out, QString *error);
    static QStringList builtinNames();
    // The scenario needs a PostgreSQL server ("database": "postgresql" in its server settings).
    bool needsPostgres() const;
};

// Applies {"mode", "workers", "pool_size", "db_read_s", "db_write_s", "llm_latency_s",
// "llm_first_token_s", "llm_tokens_per_second", "intake", "poll_interval_s", "max_in_flight"}.
void applyServerOverrides(const QJsonObject &json, ServerConfig *config);
