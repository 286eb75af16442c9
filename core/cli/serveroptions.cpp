#include "serveroptions.h"

#include "db/pgconninfo.h"
#include "db/pghistory.h"
#include "db/pgpassword.h"
#include "http/apikey.h"
#include "llm/secretstore.h"

#include <QUrl>

namespace ServerOptions {

void add(QCommandLineParser &p)
{
    p.addOptions({
        { QStringLiteral("host"), QStringLiteral("Address to listen on (default 127.0.0.1)."),
          QStringLiteral("H"), QStringLiteral("127.0.0.1") },
        { QStringLiteral("port"), QStringLiteral("Port (default 8000; 0 picks a free one)."),
          QStringLiteral("P"), QStringLiteral("8000") },
        { QStringLiteral("mode"),
          QStringLiteral("Dispatch mode: blocking, executor or async (default async)."),
          QStringLiteral("mode"), QStringLiteral("async") },
        { QStringLiteral("workers"), QStringLiteral("Worker event loops, 1-16 (default 1)."),
          QStringLiteral("N"), QStringLiteral("1") },
        { QStringLiteral("workers-min"),
          QStringLiteral("Auto-scaling: the fewest worker loops (default: --workers)."),
          QStringLiteral("N") },
        { QStringLiteral("workers-max"),
          QStringLiteral("Auto-scaling: the most worker loops; turns the supervisor on (default off)."),
          QStringLiteral("M") },
        { QStringLiteral("scale-up-waiting"),
          QStringLiteral("Auto-scaling: add a loop while more than N requests wait (default 10)."),
          QStringLiteral("N"), QStringLiteral("10") },
        { QStringLiteral("scale-down-idle"),
          QStringLiteral("Auto-scaling: retire a loop idle this long, seconds (default 2)."),
          QStringLiteral("S"), QStringLiteral("2") },
        { QStringLiteral("pool-size"),
          QStringLiteral("Executor size (default: threads min(32, cores + 4), processes cores)."),
          QStringLiteral("N"), QStringLiteral("0") },
        { QStringLiteral("executor"),
          QStringLiteral("What executor mode hands work to: thread (default) or process."),
          QStringLiteral("KIND"), QStringLiteral("thread") },
        { QStringLiteral("gil"),
          QStringLiteral("Thread pool: model CPython's GIL (threads take turns on CPU work).") },
        { QStringLiteral("cpu-work"),
          QStringLiteral("CPU-bound step per request, seconds of thread CPU time (default 0, at most 10)."),
          QStringLiteral("S"), QStringLiteral("0") },
        { QStringLiteral("llm-latency"), QStringLiteral("Simulated LLM call, seconds (default 2)."),
          QStringLiteral("S"), QStringLiteral("2") },
        { QStringLiteral("llm-distribution"),
          QStringLiteral("fixed, uniform, normal or lognormal (default fixed)."), QStringLiteral("D"),
          QStringLiteral("fixed") },
        { QStringLiteral("llm-spread"),
          QStringLiteral("Half-width (uniform) or standard deviation, seconds."), QStringLiteral("S"),
          QStringLiteral("0") },
        { QStringLiteral("llm-seed"), QStringLiteral("Seed of the latency distribution (default 42)."),
          QStringLiteral("N"), QStringLiteral("42") },
        { QStringLiteral("llm-first-token"),
          QStringLiteral("Time to first streamed token, seconds (default 0.1)."), QStringLiteral("S"),
          QStringLiteral("0.1") },
        { QStringLiteral("db-read-latency"),
          QStringLiteral("Simulated remote-DB delay of step 1, seconds (default 0.1)."), QStringLiteral("S"),
          QStringLiteral("0.1") },
        { QStringLiteral("db-write-latency"),
          QStringLiteral("Simulated delay of step 3, seconds (default 0.05)."), QStringLiteral("S"),
          QStringLiteral("0.05") },
        { QStringLiteral("time-scale"),
          QStringLiteral("Multiply every simulated delay (0.1 = ten times faster)."), QStringLiteral("F"),
          QStringLiteral("1") },
        { QStringLiteral("max-in-flight"), QStringLiteral("Admission limit; past it 503 (default none)."),
          QStringLiteral("N"), QStringLiteral("0") },
        { QStringLiteral("intake"), QStringLiteral("direct, awaiting or polling (seed 2's worker loop)."),
          QStringLiteral("I"), QStringLiteral("direct") },
        { QStringLiteral("api-key"),
          QStringLiteral("API key (default: $LOOPSCOPE_API_KEY, else the saved one)."), QStringLiteral("K") },
        { QStringLiteral("db"),
          QStringLiteral("History database: a SQLite file (default), or a PostgreSQL server as a libpq URI "
                         "(postgresql://user@host:5432/db) or connection string ('host=... dbname=...'). "
                         "Its password: in the URI, PGPASSWORD, ~/.pgpass, else the system keychain's entry "
                         "postgresql/USER@HOST:PORT/DB (stored from the window)."),
          QStringLiteral("PATH|URI") },
        { QStringLiteral("db-pool"),
          QStringLiteral("PostgreSQL: connections in the server's pool (default 10, like asyncpg)."),
          QStringLiteral("N"), QStringLiteral("10") },
        { QStringLiteral("db-timeout"),
          QStringLiteral("PostgreSQL: seconds a request may wait for a connection or an answer before it is "
                         "answered 503 database_unavailable (default 10)."),
          QStringLiteral("S"), QStringLiteral("10") },
        { QStringLiteral("log-requests"), QStringLiteral("Print one line per request.") },
        { QStringLiteral("llm"),
          QStringLiteral(
              "The model: simulated (default), openai (an OpenAI-compatible provider) or a provider id."),
          QStringLiteral("KIND"), QStringLiteral("simulated") },
        { QStringLiteral("llm-provider"),
          QStringLiteral("glm, openai, ollama, llamacpp, lmstudio or custom (default custom)."),
          QStringLiteral("ID") },
        { QStringLiteral("llm-base-url"),
          QStringLiteral("The provider's base URL, up to the version (default: the preset's)."),
          QStringLiteral("URL") },
        { QStringLiteral("llm-model"), QStringLiteral("The provider's model name (default: the preset's)."),
          QStringLiteral("M") },
        { QStringLiteral("llm-api-key-env"),
          QStringLiteral("Environment variable holding the provider's API key (default: the preset's, e.g. "
                         "ZHIPUAI_API_KEY)."),
          QStringLiteral("VAR") },
        { QStringLiteral("llm-timeout"),
          QStringLiteral("Total time allowed for one provider call, seconds (default 120)."),
          QStringLiteral("S"), QStringLiteral("120") },
        { QStringLiteral("llm-first-token-timeout"),
          QStringLiteral("Time allowed until the first token, seconds (default 30)."), QStringLiteral("S"),
          QStringLiteral("30") },
    });
}

namespace {
bool number(const QCommandLineParser &p, const char *name, double lo, double hi, double *out, QString *error)
{
    bool ok = false;
    const QString text = p.value(QLatin1String(name));
    const double v = text.toDouble(&ok);
    if (!ok || !(v >= lo && v <= hi)) { // NaN fails too
        *error = QStringLiteral("--%1 must be a number from %2 to %3, not '%4'")
                     .arg(QLatin1String(name))
                     .arg(lo)
                     .arg(hi)
                     .arg(text);
        return false;
    }
    *out = v;
    return true;
}
} // namespace

bool read(const QCommandLineParser &p, ServerConfig *c, QString *error)
{
    c->host = QHostAddress(p.value(QStringLiteral("host")));
    if (c->host.isNull()) {
        *error
            = QStringLiteral("--host must be an IP address, not '%1'").arg(p.value(QStringLiteral("host")));
        return false;
    }
    if (!parseDispatchMode(p.value(QStringLiteral("mode")), &c->mode)) {
        *error = QStringLiteral("--mode must be blocking, executor or async");
        return false;
    }
    if (!LatencyModel::parseKind(p.value(QStringLiteral("llm-distribution")), &c->llm.latency.kind)) {
        *error = QStringLiteral("--llm-distribution must be fixed, uniform, normal or lognormal");
        return false;
    }
    if (!parseExecutorKind(p.value(QStringLiteral("executor")), &c->executor)) {
        *error = QStringLiteral("--executor must be thread or process");
        return false;
    }
    if (!parseIntakeMode(p.value(QStringLiteral("intake")), &c->intake)) {
        *error = QStringLiteral("--intake must be direct, awaiting or polling");
        return false;
    }
    double port, workers, pool, seed, maxInFlight, dbPool;
    if (!number(p, "port", 0, 65535, &port, error) || !number(p, "workers", 1, 16, &workers, error)
        || !number(p, "pool-size", 0, 1024, &pool, error)
        || !number(p, "llm-latency", 0, 3600, &c->llm.latency.mean, error)
        || !number(p, "llm-spread", 0, 3600, &c->llm.latency.spread, error)
        || !number(p, "llm-seed", 0, 1e15, &seed, error)
        || !number(p, "llm-first-token", 0, 3600, &c->llm.firstTokenSeconds, error)
        || !number(p, "db-read-latency", 0, 3600, &c->dbReadSeconds, error)
        || !number(p, "db-write-latency", 0, 3600, &c->dbWriteSeconds, error)
        || !number(p, "time-scale", 0, 1000, &c->timeScale, error)
        || !number(p, "max-in-flight", 0, 1e7, &maxInFlight, error)
        || !number(p, "db-pool", 1, 1000, &dbPool, error)
        || !number(p, "db-timeout", 0.1, 3600, &c->dbTimeoutSeconds, error)
        || !number(p, "cpu-work", 0, ServerConfig::MaxCpuWorkSeconds, &c->cpuWorkSeconds, error))
        return false;
    c->port = quint16(port);
    c->workers = int(workers);
    c->poolSize = int(pool);
    if (c->executor == ExecutorKind::Processes && p.isSet(QStringLiteral("pool-size")) && c->poolSize < 1) {
        *error = QStringLiteral("--pool-size must be at least 1 for a process pool");
        return false;
    }
    c->gil = p.isSet(QStringLiteral("gil"));
    c->llm.latency.seed = quint64(seed);
    c->maxInFlight = int(maxInFlight);
    // Auto-scaling: set values are checked as given (0 or less is an error, not "off").
    const auto whole = [&](const char *name, int *out) {
        if (!p.isSet(QLatin1String(name)))
            return true;
        bool ok = false;
        const QString text = p.value(QLatin1String(name));
        const int v = text.toInt(&ok);
        if (!ok || v < 1) {
            *error = QStringLiteral("--%1 must be a whole number of at least 1, not '%2'")
                         .arg(QLatin1String(name), text);
            return false;
        }
        *out = v;
        return true;
    };
    if (!whole("workers-min", &c->workersMin) || !whole("workers-max", &c->workersMax)
        || !whole("scale-up-waiting", &c->scaleUpWaiting)
        || !number(p, "scale-down-idle", 0.001, 86400, &c->scaleDownIdleSeconds, error))
        return false;
    if (p.isSet(QStringLiteral("workers-min")) && !c->autoscale()) {
        *error = QStringLiteral("--workers-min needs --workers-max (the supervisor scales between them)");
        return false;
    }
    if (const QString e = c->workersError(); !e.isEmpty()) {
        *error = QStringLiteral("--") + e;
        return false;
    }
    c->apiKey = ApiKey::resolve(p.value(QStringLiteral("api-key")));
    c->dbPath = p.value(QStringLiteral("db"));
    c->dbPoolSize = int(dbPool);
    if (c->usesPostgres() && !PgConnInfo::check(c->dbPath, error))
        return false;
    c->logRequests = p.isSet(QStringLiteral("log-requests"));
    return true;
}

bool readLlm(const QCommandLineParser &p, LlmChoice *choice, QString *error)
{
    static const QStringList providerOptions { QStringLiteral("llm-provider"), QStringLiteral("llm-base-url"),
                                               QStringLiteral("llm-model"),
                                               QStringLiteral("llm-api-key-env") };
    const QString kind = p.value(QStringLiteral("llm")).toLower();
    LlmChoice c;
    if (kind == QLatin1String("simulated")) {
        for (const QString &name : providerOptions) {
            if (p.isSet(name)) {
                *error = QStringLiteral("--%1 needs --llm openai").arg(name);
                return false;
            }
        }
        *choice = c;
        return true;
    }
    // "--llm glm" is short for "--llm openai --llm-provider glm".
    QString providerId = kind == QLatin1String("openai") ? p.value(QStringLiteral("llm-provider")) : kind;
    if (kind != QLatin1String("openai") && p.isSet(QStringLiteral("llm-provider"))) {
        *error
            = QStringLiteral("--llm %1 names the provider already; drop --llm-provider or use --llm openai")
                  .arg(kind);
        return false;
    }
    if (providerId.isEmpty())
        providerId = QStringLiteral("custom");
    const std::optional<ProviderPreset> preset = ProviderPreset::find(providerId);
    if (!preset) {
        QStringList ids;
        for (const ProviderPreset &pp : ProviderPreset::all())
            ids << pp.id;
        *error = QStringLiteral("--llm must be simulated or openai, and the provider one of %1; not '%2'")
                     .arg(ids.join(QStringLiteral(", ")), providerId);
        return false;
    }
    c.simulated = false;
    c.openai = preset->config();
    if (p.isSet(QStringLiteral("llm-base-url")))
        c.openai.baseUrl = p.value(QStringLiteral("llm-base-url"));
    if (p.isSet(QStringLiteral("llm-model")))
        c.openai.model = p.value(QStringLiteral("llm-model"));
    const QUrl url(c.openai.baseUrl, QUrl::StrictMode);
    if (c.openai.baseUrl.isEmpty() || !url.isValid()
        || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https"))
        || url.host().isEmpty()) {
        *error = c.openai.baseUrl.isEmpty()
            ? QStringLiteral("--llm-base-url is required for provider %1").arg(preset->id)
            : QStringLiteral("--llm-base-url must be an http(s) URL, not '%1'").arg(c.openai.baseUrl);
        return false;
    }
    if (c.openai.model.isEmpty()) {
        *error = QStringLiteral("--llm-model is required for provider %1").arg(preset->id);
        return false;
    }
    double total = 0, firstToken = 0;
    if (!number(p, "llm-timeout", 0.001, 86400, &total, error)
        || !number(p, "llm-first-token-timeout", 0.001, 86400, &firstToken, error))
        return false;
    c.openai.totalTimeoutMs = int(total * 1000);
    c.openai.firstTokenTimeoutMs = int(firstToken * 1000);

    c.keyEnvVar = p.isSet(QStringLiteral("llm-api-key-env")) ? p.value(QStringLiteral("llm-api-key-env"))
                                                             : preset->keyEnvVar;
    if (!c.keyEnvVar.isEmpty())
        c.openai.apiKey = SecretStore(QStringLiteral("llm-api-key/%1").arg(preset->id), c.keyEnvVar,
                                      /*useKeychain=*/false)
                              .readKey();
    if (preset->requiresKey && c.openai.apiKey.isEmpty()) {
        *error = c.keyEnvVar.isEmpty()
            ? QStringLiteral("provider %1 needs an API key: name the environment variable holding it "
                             "with --llm-api-key-env")
                  .arg(preset->id)
            : QStringLiteral("provider %1 needs an API key: set the environment variable %2 (or name "
                             "another one with --llm-api-key-env)")
                  .arg(preset->id, c.keyEnvVar);
        return false;
    }
    *choice = c;
    return true;
}

bool checkDatabase(QString *conninfo, double timeoutSeconds, QString *error)
{
    *conninfo = PgPassword::resolve(*conninfo);
    PgHistory probe(*conninfo, 1, nullptr);
    return probe.open(qint64(timeoutSeconds * 1e9), error);
}

} // namespace ServerOptions
