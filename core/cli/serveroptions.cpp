#include "serveroptions.h"

#include "http/apikey.h"

namespace ServerOptions {

void add(QCommandLineParser &p)
{
    p.addOptions({
        {QStringLiteral("host"), QStringLiteral("Address to listen on (default 127.0.0.1)."), QStringLiteral("H"), QStringLiteral("127.0.0.1")},
        {QStringLiteral("port"), QStringLiteral("Port (default 8000; 0 picks a free one)."), QStringLiteral("P"), QStringLiteral("8000")},
        {QStringLiteral("mode"), QStringLiteral("Dispatch mode: blocking, executor or async (default async)."), QStringLiteral("mode"), QStringLiteral("async")},
        {QStringLiteral("workers"), QStringLiteral("Worker event loops, 1-16 (default 1)."), QStringLiteral("N"), QStringLiteral("1")},
        {QStringLiteral("pool-size"), QStringLiteral("Executor threads (default min(32, cores + 4))."), QStringLiteral("N"), QStringLiteral("0")},
        {QStringLiteral("llm-latency"), QStringLiteral("Simulated LLM call, seconds (default 2)."), QStringLiteral("S"), QStringLiteral("2")},
        {QStringLiteral("llm-distribution"), QStringLiteral("fixed, uniform, normal or lognormal (default fixed)."), QStringLiteral("D"), QStringLiteral("fixed")},
        {QStringLiteral("llm-spread"), QStringLiteral("Half-width (uniform) or standard deviation, seconds."), QStringLiteral("S"), QStringLiteral("0")},
        {QStringLiteral("llm-seed"), QStringLiteral("Seed of the latency distribution (default 42)."), QStringLiteral("N"), QStringLiteral("42")},
        {QStringLiteral("llm-first-token"), QStringLiteral("Time to first streamed token, seconds (default 0.1)."), QStringLiteral("S"), QStringLiteral("0.1")},
        {QStringLiteral("db-read-latency"), QStringLiteral("Simulated remote-DB delay of step 1, seconds (default 0.1)."), QStringLiteral("S"), QStringLiteral("0.1")},
        {QStringLiteral("db-write-latency"), QStringLiteral("Simulated delay of step 3, seconds (default 0.05)."), QStringLiteral("S"), QStringLiteral("0.05")},
        {QStringLiteral("time-scale"), QStringLiteral("Multiply every simulated delay (0.1 = ten times faster)."), QStringLiteral("F"), QStringLiteral("1")},
        {QStringLiteral("max-in-flight"), QStringLiteral("Admission limit; past it 503 (default none)."), QStringLiteral("N"), QStringLiteral("0")},
        {QStringLiteral("intake"), QStringLiteral("direct, awaiting or polling (seed 2's worker loop)."), QStringLiteral("I"), QStringLiteral("direct")},
        {QStringLiteral("api-key"), QStringLiteral("API key (default: $LOOPSCOPE_API_KEY, else the saved one)."), QStringLiteral("K")},
        {QStringLiteral("db"), QStringLiteral("SQLite history file."), QStringLiteral("PATH")},
        {QStringLiteral("log-requests"), QStringLiteral("Print one line per request.")},
    });
}

namespace {
bool number(const QCommandLineParser &p, const char *name, double lo, double hi, double *out, QString *error)
{
    bool ok = false;
    const QString text = p.value(QLatin1String(name));
    const double v = text.toDouble(&ok);
    if (!ok || v < lo || v > hi) {
        *error = QStringLiteral("--%1 must be a number from %2 to %3, not '%4'")
                         .arg(QLatin1String(name)).arg(lo).arg(hi).arg(text);
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
        *error = QStringLiteral("--host must be an IP address, not '%1'").arg(p.value(QStringLiteral("host")));
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
    if (!parseIntakeMode(p.value(QStringLiteral("intake")), &c->intake)) {
        *error = QStringLiteral("--intake must be direct, awaiting or polling");
        return false;
    }
    double port, workers, pool, seed, maxInFlight;
    if (!number(p, "port", 0, 65535, &port, error) || !number(p, "workers", 1, 16, &workers, error)
        || !number(p, "pool-size", 0, 1024, &pool, error)
        || !number(p, "llm-latency", 0, 3600, &c->llm.latency.mean, error)
        || !number(p, "llm-spread", 0, 3600, &c->llm.latency.spread, error)
        || !number(p, "llm-seed", 0, 1e15, &seed, error)
        || !number(p, "llm-first-token", 0, 3600, &c->llm.firstTokenSeconds, error)
        || !number(p, "db-read-latency", 0, 3600, &c->dbReadSeconds, error)
        || !number(p, "db-write-latency", 0, 3600, &c->dbWriteSeconds, error)
        || !number(p, "time-scale", 0, 1000, &c->timeScale, error)
        || !number(p, "max-in-flight", 0, 1e7, &maxInFlight, error))
        return false;
    c->port = quint16(port);
    c->workers = int(workers);
    c->poolSize = int(pool);
    c->llm.latency.seed = quint64(seed);
    c->maxInFlight = int(maxInFlight);
    c->apiKey = ApiKey::resolve(p.value(QStringLiteral("api-key")));
    c->dbPath = p.value(QStringLiteral("db"));
    c->logRequests = p.isSet(QStringLiteral("log-requests"));
    return true;
}

} // namespace ServerOptions
