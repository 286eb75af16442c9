#include "serverconfig.h"

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

QJsonObject ServerConfig::toJson() const
{
    QJsonObject llmJson = llm.latency.toJson();
    llmJson.insert(QStringLiteral("first_token_s"), llm.firstTokenSeconds);
    llmJson.insert(QStringLiteral("tokens_per_second"), llm.tokensPerSecond);
    return {
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
}
