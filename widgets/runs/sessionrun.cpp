#include "sessionrun.h"

#include "base/threadregistry.h"
#include "load/loadgenerator.h"
#include "report/reportdocument.h"
#include "timeline/timelinedata.h"
#include "timeline/tracesource.h"

#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QLocale>
#include <QSet>
#include <algorithm>

namespace SessionRuns {

VariantResult fromLoad(const LoadGenerator &load, const std::vector<RequestRecord> &serverRecords,
                       const QList<CounterSample> &counters, const QJsonObject &serverConfig)
{
    VariantResult v;
    v.name = QStringLiteral("burst");
    v.load = load.settings();
    v.startNs = load.startNs();
    v.endNs = load.endNs();
    v.client = load.snapshot();
    v.serverConfig = serverConfig;
    v.joinServer(serverRecords, counters);
    v.threadNames = ThreadRegistry::names();
    v.threadKinds = ThreadRegistry::kinds();
    v.computeSummary();
    return v;
}

std::shared_ptr<const RunResult> wrap(const Scenario &scenario, VariantResult variant)
{
    auto run = std::make_shared<RunResult>();
    run->scenario = scenario;
    if (run->scenario.name.isEmpty()) {
        // A burst has no scenario file: run.json carries a minimal one so it reads back.
        const QJsonObject en { { QStringLiteral("en"), variant.label } };
        const QJsonObject raw {
            { QStringLiteral("name"), QStringLiteral("burst") },
            { QStringLiteral("title"), en },
            { QStringLiteral("variants"),
              QJsonArray { QJsonObject { { QStringLiteral("name"), variant.name },
                                         { QStringLiteral("label"), en } } } },
        };
        Scenario::fromJson(raw, &run->scenario, nullptr);
    }
    run->options.variant = variant.name;
    run->options.timeScale = variant.load.timeScale;
    run->machine = RunResult::machineInfo();
    run->createdMs = QDateTime::currentMSecsSinceEpoch();
    run->variants = { std::move(variant) };
    run->evaluate();
    return run;
}

QList<SessionRun> fromRunResult(const RunResult &run, const QString &source)
{
    auto shared = std::make_shared<const RunResult>(run);
    QList<SessionRun> out;
    for (int i = 0; i < run.variants.size(); ++i) {
        const VariantResult &v = run.variants.at(i);
        out.push_back({ QStringLiteral("%1/%2 (%3)").arg(run.scenario.name, v.name, source), shared, i });
    }
    return out;
}

RunResult combine(const SessionRun &a, const SessionRun &b)
{
    RunResult run;
    // A scenario of its own, written into run.json, so the comparison reads back as it was
    // exported: variants A and B labelled with the runs' titles, the explanation kept when both
    // runs come from the same scenario.
    QJsonObject raw {
        { QStringLiteral("name"), QStringLiteral("comparison") },
        { QStringLiteral("title"),
          QJsonObject {
              { QStringLiteral("en"), QStringLiteral("Two runs compared: %1 and %2").arg(a.title, b.title) },
              { QStringLiteral("zh"), QStringLiteral("两次运行对比：%1 与 %2").arg(a.title, b.title) } } },
        { QStringLiteral("variants"),
          QJsonArray {
              QJsonObject { { QStringLiteral("name"), QStringLiteral("A") },
                            { QStringLiteral("label"), QJsonObject { { QStringLiteral("en"), a.title } } } },
              QJsonObject {
                  { QStringLiteral("name"), QStringLiteral("B") },
                  { QStringLiteral("label"), QJsonObject { { QStringLiteral("en"), b.title } } } } } },
    };
    if (a.run->scenario.name == b.run->scenario.name) {
        raw.insert(QStringLiteral("explanation"), a.run->scenario.raw.value(QStringLiteral("explanation")));
        raw.insert(QStringLiteral("seed"), a.run->scenario.seed);
    }
    Scenario::fromJson(raw, &run.scenario, nullptr);
    run.options = a.run->options;
    run.options.variant.clear();
    run.machine = a.run->machine;
    run.createdMs = QDateTime::currentMSecsSinceEpoch();
    for (const auto &[name, session] :
         { std::pair { QStringLiteral("A"), &a }, std::pair { QStringLiteral("B"), &b } }) {
        VariantResult v = session->variant();
        v.name = name;
        v.label = session->title;
        run.variants.push_back(std::move(v));
    }
    return run;
}

QList<RunDelta> compare(const VariantResult &a, const VariantResult &b)
{
    auto m = [](const VariantResult &v, const char *key, double scale = 1.0) {
        return v.metrics.value(QLatin1String(key)) * scale;
    };
    QList<RunDelta> out {
        { QStringLiteral("p50"), {}, a.latency.p50Ms, b.latency.p50Ms, true },
        { QStringLiteral("p95"), {}, a.latency.p95Ms, b.latency.p95Ms, true },
        { QStringLiteral("p99"), {}, a.latency.p99Ms, b.latency.p99Ms, true },
        { QStringLiteral("max"), {}, a.latency.maxMs, b.latency.maxMs, true },
        { QStringLiteral("makespan"), {}, m(a, "makespan_s"), m(b, "makespan_s"), true },
        { QStringLiteral("throughput"), {}, m(a, "achieved_rps"), m(b, "achieved_rps"), false },
        { QStringLiteral("errors"), {}, m(a, "errors"), m(b, "errors"), true },
    };
    const ReportStyle::Language language = QLocale().language() == QLocale::Chinese
        ? ReportStyle::Language::Chinese
        : ReportStyle::Language::English;
    for (RunDelta &d : out)
        d.label = ReportText::figureLabel(d.name, language);
    return out;
}

QList<double> latenciesMs(const VariantResult &v)
{
    QList<double> out;
    out.reserve(v.client.size());
    for (const ClientRecord &c : v.client) {
        if (c.finished())
            out.push_back(double(c.latencyNs()) / 1e6);
    }
    if (v.isServerSideOnly()) { // recorded or observed: the server's latency (as in its summary)
        for (const RequestRecord &r : v.server) {
            if (r.finished())
                out.push_back(double(r.respondedNs - (r.arrivedNs ? r.arrivedNs : r.startedNs)) / 1e6);
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

void fill(const VariantResult &v, TimelineData *data)
{
    SavedRunSource(&v).pull(*data);
}

} // namespace SessionRuns
