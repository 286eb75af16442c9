// The PostgreSQL connection pool (--db-pool) over time, for runs whose server had one: how many
// connections were lent to requests, the pool's size, and how many requests waited in line for a
// connection (their db_pool_wait), with each variant's peaks and longest wait.
#include "reportwriter.h"

#include <algorithm>

void ReportWriter::databasePool()
{
    const auto hadPool = [](const VariantResult &v) {
        return std::any_of(v.counters.begin(), v.counters.end(),
                           [](const CounterSample &k) { return k.dbPoolSize > 0; });
    };
    if (std::none_of(run.variants.begin(), run.variants.end(), hadPool))
        return;
    heading(L("Database connection pool", "数据库连接池"));
    counterChart(
        L("Database connections", "数据库连接"), L("connections / requests", "连接 / 请求"),
        L("Solid: connections lent to requests (busy). Dashed: requests waiting in line for a connection "
          "(the timelines' “%1”). Dotted: the pool's size; busy connections never exceed it, and while they "
          "fill it "
          "the line of waiting requests grows. Sampled 100 times a second; each point is the largest value "
          "of its interval.",
          "实线：借给请求的连接（忙碌）。虚线：排队等待连接的请求（时间线中的“%1”）。点线：连接池大小；"
          "忙碌连接数不会超过它，连接占满时等待的请求就会增加。每秒采样 100 次；每个点取该区间的最大值。")
            .arg(ReportStyle::categoryName(int(Phase::DbPoolWait) + 1, lang)),
        { { L("busy", "忙碌"), [](const CounterSample &k) { return double(k.dbBusy); } },
          { L("waiting", "等待"), [](const CounterSample &k) { return double(k.dbWaiting); } },
          { L("pool size", "池大小"), [](const CounterSample &k) { return double(k.dbPoolSize); } } });
    QStringList lines;
    for (const VariantResult &v : run.variants) {
        if (!hadPool(v))
            continue;
        QStringList parts;
        for (const char *key : { "db_busy_peak", "db_waiting_peak", "db_pool_wait_max_s" }) {
            const auto it = v.metrics.constFind(QLatin1String(key));
            if (it != v.metrics.constEnd())
                parts << QStringLiteral("%1 %2").arg(ReportText::metricLabel(QLatin1String(key), lang),
                                                     QByteArray(key).endsWith("_s") ? sig(*it) : count(*it));
        }
        lines << QStringLiteral("%1: %2").arg(variantTitle(v), parts.join(QStringLiteral(", ")));
    }
    paragraph(lines.join(QStringLiteral("; ")));
}
