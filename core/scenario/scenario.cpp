#include "scenario.h"

#include "base/jsonfile.h"
#include "install/installlayout.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

// The resources live in the static core library: make sure they are registered.
static void initCoreResources()
{
    static const bool done = [] {
        Q_INIT_RESOURCE(core_resources);
        return true;
    }();
    Q_UNUSED(done);
}

namespace {
const QString kBuiltinDir = QStringLiteral(":/loopscope/scenarios");

// A scenario file from elsewhere is run as it is: its load must be one this machine can try,
// and its numbers real ones (the generator would otherwise spawn a billion users, or sleep
// for NaN seconds).
bool checkLoad(const LoadSettings &l, const QString &variant, QString *error)
{
    const auto fail = [&](const QString &what) {
        if (error)
            *error = QStringLiteral("variant '%1': %2").arg(variant, what);
        return false;
    };
    if (l.users < 1 || l.users > 100'000)
        return fail(QStringLiteral("users must be 1 to 100000 (is %1)").arg(l.users));
    if (l.requestsPerUser < 0 || l.requestsPerUser > 1'000'000)
        return fail(QStringLiteral("requests_per_user must be 0 to 1000000"));
    if (l.threads < 1 || l.threads > 64)
        return fail(QStringLiteral("threads must be 1 to 64"));
    if (l.maxConnections < 0)
        return fail(QStringLiteral("max_connections must not be negative"));
    const std::pair<const char *, double> seconds[] = {
        { "duration_s", l.durationSeconds },
        { "think_s", l.thinkSeconds },
        { "think_spread_s", l.thinkSpreadSeconds },
        { "spawn_rate", l.spawnRate },
        { "arrival_rate", l.arrivalRate },
        { "timeout_s", l.timeoutSeconds },
        { "late_threshold_s", l.lateThresholdSeconds },
    };
    for (const auto &[key, value] : seconds) {
        if (!(value >= 0 && value <= 86'400 * 7))
            return fail(QStringLiteral("%1 must be a number from 0 to 604800").arg(QLatin1String(key)));
    }
    return true;
}
} // namespace

const ScenarioVariant *Scenario::variant(const QString &n) const
{
    for (const ScenarioVariant &v : variants) {
        if (v.name.compare(n, Qt::CaseInsensitive) == 0)
            return &v;
    }
    return nullptr;
}

void applyServerOverrides(const QJsonObject &j, ServerConfig *c)
{
    const auto num = [&](const char *key, double *out) {
        if (j.value(QLatin1String(key)).isDouble())
            *out = j.value(QLatin1String(key)).toDouble();
    };
    const auto integer = [&](const char *key, int *out) {
        if (j.value(QLatin1String(key)).isDouble())
            *out = j.value(QLatin1String(key)).toInt();
    };
    if (j.value(QStringLiteral("mode")).isString())
        parseDispatchMode(j.value(QStringLiteral("mode")).toString(), &c->mode);
    if (j.value(QStringLiteral("intake")).isString())
        parseIntakeMode(j.value(QStringLiteral("intake")).toString(), &c->intake);
    integer("workers", &c->workers);
    integer("pool_size", &c->poolSize);
    integer("max_in_flight", &c->maxInFlight);
    integer("db_pool", &c->dbPoolSize);
    num("db_timeout_s", &c->dbTimeoutSeconds);
    integer("workers_min", &c->workersMin);
    integer("workers_max", &c->workersMax);
    integer("scale_up_waiting", &c->scaleUpWaiting);
    num("scale_down_idle_s", &c->scaleDownIdleSeconds);
    num("db_read_s", &c->dbReadSeconds);
    num("db_write_s", &c->dbWriteSeconds);
    num("llm_latency_s", &c->llm.latency.mean);
    num("llm_first_token_s", &c->llm.firstTokenSeconds);
    num("llm_tokens_per_second", &c->llm.tokensPerSecond);
    num("poll_interval_s", &c->pollIntervalSeconds);
    num("cpu_work_s", &c->cpuWorkSeconds);
    if (j.value(QStringLiteral("executor")).isString())
        parseExecutorKind(j.value(QStringLiteral("executor")).toString(), &c->executor);
    if (j.value(QStringLiteral("gil")).isBool())
        c->gil = j.value(QStringLiteral("gil")).toBool();
}

bool Scenario::needsPostgres() const
{
    return server.value(QStringLiteral("database")).toString() == QLatin1String("postgresql");
}

ServerConfig Scenario::serverConfig(const ScenarioVariant &v) const
{
    ServerConfig c;
    c.port = 0;
    applyServerOverrides(server, &c);
    applyServerOverrides(v.server, &c);
    return c;
}

LoadSettings Scenario::loadSettings(const ScenarioVariant &v) const
{
    return LoadSettings::fromJson(v.load, LoadSettings::fromJson(load));
}

bool Scenario::fromJson(const QJsonObject &j, Scenario *out, QString *error)
{
    Scenario s;
    s.raw = j;
    s.name = j.value(QStringLiteral("name")).toString();
    const QJsonObject title = j.value(QStringLiteral("title")).toObject();
    const QJsonObject expl = j.value(QStringLiteral("explanation")).toObject();
    s.titleEn = title.value(QStringLiteral("en")).toString();
    s.titleZh = title.value(QStringLiteral("zh")).toString();
    s.explanationEn = expl.value(QStringLiteral("en")).toString();
    s.explanationZh = expl.value(QStringLiteral("zh")).toString();
    s.seed = j.value(QStringLiteral("seed")).toString();
    s.server = j.value(QStringLiteral("server")).toObject();
    s.load = j.value(QStringLiteral("load")).toObject();
    for (const QJsonValue &vv : j.value(QStringLiteral("variants")).toArray()) {
        const QJsonObject o = vv.toObject();
        ScenarioVariant v;
        v.name = o.value(QStringLiteral("name")).toString();
        const QJsonObject label = o.value(QStringLiteral("label")).toObject();
        v.labelEn = label.value(QStringLiteral("en")).toString();
        v.labelZh = label.value(QStringLiteral("zh")).toString();
        v.server = o.value(QStringLiteral("server")).toObject();
        v.load = o.value(QStringLiteral("load")).toObject();
        s.variants.push_back(v);
    }
    for (const QJsonValue &ev : j.value(QStringLiteral("expected")).toArray()) {
        const QJsonObject o = ev.toObject();
        ExpectedFigure f;
        f.variant = o.value(QStringLiteral("variant")).toString();
        f.metric = o.value(QStringLiteral("metric")).toString();
        f.value = o.value(QStringLiteral("value")).toDouble();
        f.tolerance = o.value(QStringLiteral("tolerance")).toDouble(0.1);
        f.absTolerance = o.value(QStringLiteral("abs_tolerance")).toDouble(0);
        f.roundsOf = o.value(QStringLiteral("rounds_of")).toDouble(0);
        f.cpuParallelOf = o.value(QStringLiteral("cpu_parallel_s")).toDouble(0);
        f.fixedSeconds = o.value(QStringLiteral("fixed_s")).toDouble(0);
        f.plusUnscaled = o.value(QStringLiteral("plus_unscaled")).toBool(false);
        f.ratioTo = o.value(QStringLiteral("ratio_to")).toString();
        f.atLeast = o.value(QStringLiteral("at_least")).toDouble(qQNaN());
        f.atMost = o.value(QStringLiteral("at_most")).toDouble(qQNaN());
        f.minCores = o.value(QStringLiteral("min_cores")).toInt(0);
        f.note = o.value(QStringLiteral("note")).toString();
        s.expected.push_back(f);
    }
    if (s.name.isEmpty() || s.variants.isEmpty()) {
        if (error)
            *error = QStringLiteral("a scenario needs a name and at least one variant");
        return false;
    }
    for (const ScenarioVariant &v : s.variants) {
        if (!checkLoad(s.loadSettings(v), v.name, error))
            return false;
    }
    for (const ExpectedFigure &f : s.expected) {
        QStringList named { f.variant };
        if (!f.ratioTo.isEmpty())
            named << f.ratioTo;
        for (const QString &name : named) {
            if (!s.variant(name)) {
                if (error)
                    *error
                        = QStringLiteral("expected figure %1 names unknown variant '%2'").arg(f.metric, name);
                return false;
            }
        }
    }
    *out = s;
    return true;
}

bool Scenario::open(const QString &nameOrPath, Scenario *out, QString *error)
{
    initCoreResources();
    QString path = nameOrPath;
    if (!QFileInfo(path).isFile()) {
        // A name (a folder of the same name, such as an earlier run's --out, does not hide it): the installed
        // copy (share/loopscope/scenarios) first, else the compiled-in one.
        const QString file = nameOrPath + QStringLiteral(".json");
        const QString installed = InstallLayout::scenariosDir();
        path = !installed.isEmpty() && QFileInfo::exists(installed + QLatin1Char('/') + file)
            ? installed + QLatin1Char('/') + file
            : kBuiltinDir + QLatin1Char('/') + file;
    }
    if (!QFileInfo::exists(path)) {
        if (error)
            *error = QStringLiteral("no scenario '%1' (built-in: %2)")
                         .arg(nameOrPath, builtinNames().join(QStringLiteral(", ")));
        return false;
    }
    const std::optional<QJsonObject> json
        = readJsonObjectFile(path, 16 * 1024 * 1024, QStringLiteral("a scenario"), error);
    if (!json)
        return false;
    if (!fromJson(*json, out, error)) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(path, *error);
        return false;
    }
    return true;
}

QStringList Scenario::builtinNames()
{
    initCoreResources();
    QStringList names;
    QStringList dirs { kBuiltinDir };
    if (!InstallLayout::scenariosDir().isEmpty())
        dirs << InstallLayout::scenariosDir();
    for (const QString &dir : std::as_const(dirs)) {
        const QStringList files = QDir(dir).entryList({ QStringLiteral("*.json") }, QDir::Files, QDir::Name);
        for (const QString &f : files)
            names << QFileInfo(f).completeBaseName();
    }
    names.sort();
    names.removeDuplicates();
    return names;
}
