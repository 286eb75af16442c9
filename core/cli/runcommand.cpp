#include "runcommand.h"

#include "cli/serveroptions.h"
#include "db/pgconninfo.h"
#include "db/pgtempcluster.h"
#include "report/htmlreport.h"
#include "report/runexport.h"
#include "scenario/scenariorunner.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QTextStream>
#include <cmath>
#include <csignal>
#include <unistd.h>

namespace {

ScenarioRunner *g_runner = nullptr;

void onSignal(int)
{
    if (g_runner)
        QMetaObject::invokeMethod(g_runner, &ScenarioRunner::stop, Qt::QueuedConnection);
}

} // namespace

int runScenariosCommand(const QStringList &arguments)
{
    Q_UNUSED(arguments);
    QTextStream out(stdout);
    for (const QString &name : Scenario::builtinNames()) {
        Scenario s;
        QString error;
        if (!Scenario::open(name, &s, &error))
            continue;
        out << name.leftJustified(22) << s.titleEn << "\n"
            << QString(22, QLatin1Char(' ')) << s.titleZh << "\n";
        for (const ScenarioVariant &v : s.variants)
            out << QString(24, QLatin1Char(' ')) << v.name << ": " << v.labelEn << "\n";
    }
    return 0;
}

int runRunCommand(const QStringList &arguments)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Run a scenario with simulated users and write reports."));
    p.addHelpOption();
    p.addOptions({
        { QStringLiteral("scenario"), QStringLiteral("Built-in scenario name or a scenario JSON file."),
          QStringLiteral("NAME|FILE") },
        { QStringLiteral("variant"), QStringLiteral("Run only this variant (default: all)."),
          QStringLiteral("V") },
        { QStringLiteral("users"), QStringLiteral("Override the number of users."), QStringLiteral("N") },
        { QStringLiteral("time-scale"), QStringLiteral("Multiply every delay (0.1 = ten times faster)."),
          QStringLiteral("F"), QStringLiteral("1") },
        { QStringLiteral("target"),
          QStringLiteral("Base URL of a server speaking /v1/chat (default: in-process)."),
          QStringLiteral("URL") },
        { QStringLiteral("api-key"), QStringLiteral("API key for --target."), QStringLiteral("K") },
        { QStringLiteral("out"), QStringLiteral("Output directory (default loopscope-run-<scenario>)."),
          QStringLiteral("DIR") },
        { QStringLiteral("assert"),
          QStringLiteral("Exit with status 1 when a figure is outside tolerance.") },
        { QStringLiteral("language"), QStringLiteral("Language of report.html and report.pdf: en or zh_CN."),
          QStringLiteral("LANG"), QStringLiteral("en") },
        // Load overrides, applied to every variant.
        { QStringLiteral("model"),
          QStringLiteral("Load model: closed (users + think time) or open (arrival rate)."),
          QStringLiteral("M") },
        { QStringLiteral("requests-per-user"), QStringLiteral("Closed model: requests each user sends."),
          QStringLiteral("N") },
        { QStringLiteral("duration"),
          QStringLiteral("Run for this long instead (seconds, before --time-scale)."), QStringLiteral("S") },
        { QStringLiteral("think"), QStringLiteral("Think time between a user's requests, seconds."),
          QStringLiteral("S") },
        { QStringLiteral("think-distribution"), QStringLiteral("fixed, uniform or exponential."),
          QStringLiteral("D") },
        { QStringLiteral("ramp-up"), QStringLiteral("Spawn rate: users started per second (0: all at once)."),
          QStringLiteral("R") },
        { QStringLiteral("rate"), QStringLiteral("Open model: arrivals per second."), QStringLiteral("R") },
        { QStringLiteral("arrival"), QStringLiteral("Open model: constant or poisson."),
          QStringLiteral("A") },
        { QStringLiteral("naive"),
          QStringLiteral("The seed's test client: each user's requests one after another, blocking.") },
        { QStringLiteral("stream"), QStringLiteral("Use /v1/chat/stream and measure time to first token.") },
        { QStringLiteral("threads"), QStringLiteral("Load-generator threads."), QStringLiteral("N") },
        // Server overrides, applied to every variant.
        { QStringLiteral("cpu-work"),
          QStringLiteral("CPU-bound step per request, seconds of thread CPU time (0 to 10)."),
          QStringLiteral("S") },
        { QStringLiteral("workers-min"),
          QStringLiteral("Auto-scaling for every variant: the fewest worker loops."), QStringLiteral("N") },
        { QStringLiteral("workers-max"),
          QStringLiteral("Auto-scaling for every variant: the most worker loops (turns the supervisor on)."),
          QStringLiteral("M") },
        { QStringLiteral("scale-up-waiting"),
          QStringLiteral("Auto-scaling: add a loop while more than N requests wait."), QStringLiteral("N") },
        { QStringLiteral("scale-down-idle"),
          QStringLiteral("Auto-scaling: retire a loop idle this long, seconds."), QStringLiteral("S") },
        { QStringLiteral("db"),
          QStringLiteral("A PostgreSQL server for every variant (libpq URI or connection string). Without it "
                         "a scenario that needs PostgreSQL starts a temporary one in the output folder."),
          QStringLiteral("URI") },
        { QStringLiteral("db-pool"), QStringLiteral("PostgreSQL connections per server, for every variant."),
          QStringLiteral("N") },
    });
    QStringList args = arguments;
    if (args.size() > 1)
        args.removeAt(1); // the command word
    p.process(args);
    QTextStream err(stderr);
    if (!p.isSet(QStringLiteral("scenario"))) {
        err << "loopscope run: --scenario is required (see `loopscope scenarios`)\n";
        return 2;
    }
    Scenario scenario;
    QString error;
    if (!Scenario::open(p.value(QStringLiteral("scenario")), &scenario, &error)) {
        err << "loopscope run: " << error << "\n";
        return 2;
    }
    RunOptions options;
    options.variant = p.value(QStringLiteral("variant"));
    bool ok = true;
    options.timeScale = p.value(QStringLiteral("time-scale")).toDouble(&ok);
    if (!ok || options.timeScale <= 0) {
        err << "loopscope run: --time-scale must be a positive number\n";
        return 2;
    }
    if (p.isSet(QStringLiteral("users"))) {
        options.users = p.value(QStringLiteral("users")).toInt(&ok);
        if (!ok || options.users < 1) {
            err << "loopscope run: --users must be a positive integer\n";
            return 2;
        }
    }
    // Load overrides: each flag sets the LoadSettings key of the same meaning.
    const struct
    {
        const char *flag;
        const char *key;
        double lo, hi;
    } numbers[] = { { "requests-per-user", "requests_per_user", 1, 1e7 },
                    { "duration", "duration_s", 0, 86400 },
                    { "think", "think_s", 0, 3600 },
                    { "ramp-up", "spawn_rate", 0, 1e6 },
                    { "rate", "arrival_rate", 0, 1e6 },
                    { "threads", "threads", 1, 64 } };
    for (const auto &n : numbers) {
        if (!p.isSet(QLatin1String(n.flag)))
            continue;
        const double v = p.value(QLatin1String(n.flag)).toDouble(&ok);
        if (!ok || v < n.lo || v > n.hi) {
            err << "loopscope run: --" << n.flag << " must be a number from " << n.lo << " to " << n.hi
                << "\n";
            return 2;
        }
        options.load.insert(QLatin1String(n.key), v);
    }
    const struct
    {
        const char *flag;
        const char *key;
        QStringList allowed;
    } choices[] = { { "model", "model", { QStringLiteral("closed"), QStringLiteral("open") } },
                    { "think-distribution",
                      "think",
                      { QStringLiteral("fixed"), QStringLiteral("uniform"), QStringLiteral("exponential") } },
                    { "arrival", "arrival", { QStringLiteral("constant"), QStringLiteral("poisson") } } };
    for (const auto &c : choices) {
        if (!p.isSet(QLatin1String(c.flag)))
            continue;
        const QString v = p.value(QLatin1String(c.flag)).toLower();
        if (!c.allowed.contains(v)) {
            err << "loopscope run: --" << c.flag << " must be " << c.allowed.join(QStringLiteral(", "))
                << "\n";
            return 2;
        }
        options.load.insert(QLatin1String(c.key), v);
    }
    for (const char *flag : { "naive", "stream" }) {
        if (p.isSet(QLatin1String(flag)))
            options.load.insert(QLatin1String(flag), true);
    }
    if (p.isSet(QStringLiteral("cpu-work"))) {
        const double v = p.value(QStringLiteral("cpu-work")).toDouble(&ok);
        if (!ok || !(v >= 0 && v <= ServerConfig::MaxCpuWorkSeconds)) {
            err << "loopscope run: --cpu-work must be a number from 0 to " << ServerConfig::MaxCpuWorkSeconds
                << " (seconds of CPU time)\n";
            return 2;
        }
        options.server.insert(QStringLiteral("cpu_work_s"), v);
    }
    // Server overrides (the auto-scaling supervisor), checked against every variant's settings.
    const struct
    {
        const char *flag;
        const char *key;
    } serverNumbers[] = { { "workers-min", "workers_min" },
                          { "workers-max", "workers_max" },
                          { "scale-up-waiting", "scale_up_waiting" },
                          { "scale-down-idle", "scale_down_idle_s" },
                          { "db-pool", "db_pool" } };
    for (const auto &n : serverNumbers) {
        if (!p.isSet(QLatin1String(n.flag)))
            continue;
        const double v = p.value(QLatin1String(n.flag)).toDouble(&ok);
        const bool whole = qstrcmp(n.flag, "scale-down-idle") != 0;
        if (!ok || v <= 0 || v > 1e6 || (whole && v != std::floor(v))) {
            err << "loopscope run: --" << n.flag << " must be a "
                << (whole ? "whole number of at least 1" : "positive number") << ", not '"
                << p.value(QLatin1String(n.flag)) << "'\n";
            return 2;
        }
        options.server.insert(QLatin1String(n.key), v);
    }
    for (const ScenarioVariant &v : scenario.variants) {
        const ServerConfig c = ScenarioRunner::effectiveServerConfig(scenario, v, options);
        if (const QString e = c.workersError(); !e.isEmpty()) {
            err << "loopscope run: variant " << v.name << ": " << e << "\n";
            return 2;
        }
    }
    if (p.isSet(QStringLiteral("target"))) {
        options.target = QUrl(p.value(QStringLiteral("target")));
        options.apiKey = p.value(QStringLiteral("api-key"));
        if (options.apiKey.isEmpty())
            options.apiKey = qEnvironmentVariable("LOOPSCOPE_API_KEY");
    }
    const QString outDir = p.isSet(QStringLiteral("out"))
        ? p.value(QStringLiteral("out"))
        : QStringLiteral("loopscope-run-%1").arg(scenario.name);
    if (p.isSet(QStringLiteral("db"))) {
        options.database = p.value(QStringLiteral("db"));
        if (!PgConnInfo::isPostgres(options.database) || !PgConnInfo::check(options.database, &error)) {
            err << "loopscope run: "
                << (error.isEmpty() ? QStringLiteral("--db must be a PostgreSQL URI (postgresql://...) or "
                                                     "connection string (host=... dbname=...)")
                                    : error)
                << "\n";
            return 2;
        }
        if (!ServerOptions::checkDatabase(&options.database, ServerConfig().dbTimeoutSeconds, &error)) {
            err << "loopscope run: " << error << "\n";
            return 2;
        }
    } else if (scenario.needsPostgres() && !p.isSet(QStringLiteral("target"))) {
        // The throwaway server lives in the output folder while the run lasts.
        if (!QDir().mkpath(outDir)) {
            err << "loopscope run: cannot create " << outDir << "\n";
            return 2;
        }
        options.scratchDir = QDir(outDir).absolutePath();
        QString why;
        if (PgTempCluster::serverBinDir(&why).isEmpty()) {
            err << "loopscope run: scenario " << scenario.name << " needs PostgreSQL: " << why << "\n";
            return 2;
        }
    }

    ScenarioRunner runner;
    runner.setScenario(scenario);
    runner.setOptions(options);
    QObject::connect(&runner, &ScenarioRunner::variantStarted, [&](int, const QString &name) {
        const ScenarioVariant *v = scenario.variant(name);
        err << "variant " << name << ": " << (v ? v->labelEn : QString()) << Qt::endl;
    });
    // On a terminal the progress line rewrites itself; in a log it prints only when something
    // finished, and at most every 5 s otherwise.
    const bool tty = isatty(STDERR_FILENO);
    quint64 lastDone = ~0ULL;
    double lastPrinted = -10;
    QObject::connect(
        &runner, &ScenarioRunner::progressChanged, [&](const QString &name, const LoadProgress &pr) {
            if (!tty && pr.done == lastDone && pr.elapsedSeconds - lastPrinted < 5)
                return;
            lastDone = pr.done;
            lastPrinted = pr.elapsedSeconds;
            err << QStringLiteral("%1  %2 %3% %4/%5 done, %6 req/s, %7 errors, %8 late, %9 in flight   ")
                       .arg(tty ? QStringLiteral("\r") : QString(), name)
                       .arg(qRound(pr.fraction * 100), 3)
                       .arg(pr.done)
                       .arg(pr.total ? QString::number(pr.total) : QStringLiteral("?"))
                       .arg(pr.requestsPerSecond, 0, 'f', 1)
                       .arg(pr.errors)
                       .arg(pr.late)
                       .arg(pr.inFlight);
            if (!tty)
                err << "\n";
            err.flush();
        });
    QObject::connect(&runner, &ScenarioRunner::shortPassMeasured,
                     [&](const QString &name, double scale, double seconds) {
                         err << QStringLiteral("%1%2 at time scale %3 first (what does not shrink with the "
                                               "time scale): %4 s")
                                    .arg(tty ? QStringLiteral("\r") : QString(), name, QString::number(scale),
                                         QString::number(seconds, 'f', 3))
                             << Qt::endl;
                     });
    QObject::connect(&runner, &ScenarioRunner::variantFinished,
                     [&](int, const QString &) { err << Qt::endl; });
    QObject::connect(&runner, &ScenarioRunner::finished, QCoreApplication::instance(),
                     &QCoreApplication::quit, Qt::QueuedConnection);
    if (!runner.start(&error)) {
        err << "loopscope run: " << error << "\n";
        return 2;
    }
    g_runner = &runner;
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    QCoreApplication::exec();
    g_runner = nullptr;

    const RunResult &result = runner.result();
    QStringList written;
    RunExport::ExportOptions exportOptions;
    exportOptions.language = ReportStyle::parseLanguage(p.value(QStringLiteral("language")));
    if (!RunExport::writeAll(result, outDir, &written, &error, exportOptions)) {
        err << "loopscope run: " << error << "\n";
        return 2;
    }
    for (const QString &line : HtmlReport::summaryLines(result))
        err << line << "\n";
    err << "wrote " << written.join(QStringLiteral(", ")) << Qt::endl;
    if (p.isSet(QStringLiteral("assert")) && !result.passed())
        return 1;
    return 0;
}
