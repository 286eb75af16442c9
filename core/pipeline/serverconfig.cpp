#include "serverconfig.h"

#include "db/pgconninfo.h"

#include <QThread>

QString intakeModeName(IntakeMode mode)
{
    switch (mode) {
    case IntakeMode::Direct:
        return QStringLiteral("direct");
    case IntakeMode::Awaiting:
        return QStringLiteral("awaiting");
    case IntakeMode::Polling:
        return QStringLiteral("polling");
    }
    return {};
}

bool parseIntakeMode(const QString &text, IntakeMode *mode)
{
    for (IntakeMode m : { IntakeMode::Direct, IntakeMode::Awaiting, IntakeMode::Polling }) {
        if (text.compare(intakeModeName(m), Qt::CaseInsensitive) == 0) {
            *mode = m;
            return true;
        }
    }
    return false;
}

bool ServerConfig::usesPostgres() const
{
    return PgConnInfo::isPostgres(dbPath);
}

int ServerConfig::defaultPoolSize()
{
    // Python 3.8+: ThreadPoolExecutor's default max_workers = min(32, os.cpu_count() + 4).
    return std::min(32, QThread::idealThreadCount() + 4);
}

int ServerConfig::defaultProcessPoolSize()
{
    // ProcessPoolExecutor's default max_workers = os.cpu_count().
    return std::max(1, QThread::idealThreadCount());
}

QString ServerConfig::workersError() const
{
    constexpr int Max = 16; // ServerCounters::MaxWorkers
    if (workers < 1 || workers > Max)
        return QStringLiteral("workers must be 1 to %1, not %2").arg(Max).arg(workers);
    if (!autoscale()) {
        if (workersMax < 0)
            return QStringLiteral("workers-max must be 1 to %1, not %2").arg(Max).arg(workersMax);
        return {};
    }
    const int lo = initialWorkers();
    if (workersMin < 0 || lo < 1 || lo > Max)
        return QStringLiteral("workers-min must be 1 to %1, not %2").arg(Max).arg(workersMin);
    if (workersMax > Max)
        return QStringLiteral("workers-max must be 1 to %1, not %2").arg(Max).arg(workersMax);
    if (lo > workersMax)
        return QStringLiteral("workers-min (%1) must not exceed workers-max (%2)").arg(lo).arg(workersMax);
    if (scaleUpWaiting < 1 || scaleUpWaiting > 1'000'000)
        return QStringLiteral("scale-up-waiting must be 1 to 1000000, not %1").arg(scaleUpWaiting);
    if (!(scaleDownIdleSeconds > 0) || scaleDownIdleSeconds > 86400)
        return QStringLiteral("scale-down-idle must be more than 0 and at most 86400 seconds, not %1")
            .arg(scaleDownIdleSeconds);
    return {};
}

QJsonObject ServerConfig::toJson() const
{
    QJsonObject llmJson = llm.latency.toJson();
    llmJson.insert(QStringLiteral("first_token_s"), llm.firstTokenSeconds);
    llmJson.insert(QStringLiteral("tokens_per_second"), llm.tokensPerSecond);
    QJsonObject j {
        { QStringLiteral("host"), host.toString() },
        { QStringLiteral("port"), int(port) },
        { QStringLiteral("mode"), dispatchModeName(mode) },
        { QStringLiteral("workers"), workers },
        { QStringLiteral("pool_size"), effectivePoolSize() },
        { QStringLiteral("executor"), executorKindName(executor) },
        { QStringLiteral("process_pool_size"), executor == ExecutorKind::Processes ? processPoolSize() : 0 },
        { QStringLiteral("gil"), gil },
        { QStringLiteral("cpu_work_s"), cpuWorkSeconds },
        { QStringLiteral("db_read_s"), dbReadSeconds },
        { QStringLiteral("db_write_s"), dbWriteSeconds },
        { QStringLiteral("llm"), llmJson },
        { QStringLiteral("time_scale"), timeScale },
        { QStringLiteral("max_in_flight"), maxInFlight },
        { QStringLiteral("intake"), intakeModeName(intake) },
        { QStringLiteral("poll_interval_s"), pollIntervalSeconds },
    };
    if (usesPostgres()) {
        // Never the password: run.json and the reports are shared.
        j.insert(QStringLiteral("database"), QStringLiteral("postgresql"));
        j.insert(QStringLiteral("db_url"), PgConnInfo::redacted(dbPath));
        j.insert(QStringLiteral("db_pool"), dbPoolSize);
        j.insert(QStringLiteral("db_timeout_s"), dbTimeoutSeconds);
    } else {
        j.insert(QStringLiteral("database"), QStringLiteral("sqlite"));
    }
    if (autoscale()) {
        j.insert(QStringLiteral("workers_min"), initialWorkers());
        j.insert(QStringLiteral("workers_max"), workersMax);
        j.insert(QStringLiteral("scale_up_waiting"), scaleUpWaiting);
        j.insert(QStringLiteral("scale_down_idle_s"), scaleDownIdleSeconds);
    }
    return j;
}
