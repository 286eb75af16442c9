#include "reportwriter.h"

using ReportStyle::Language;

namespace {

// Every run.json metric, in words. Units follow the key (_s: seconds, _rps: per second).
const MetricInfo kMetrics[] = {
    { "requests", "Requests", "请求数" },
    { "successful", "Successful requests", "成功的请求" },
    { "errors", "Failed requests", "失败的请求" },
    { "late_sends", "Requests sent late", "未按时发出的请求" },
    { "makespan_s", "Makespan (s)", "总耗时（秒）" },
    { "latency_min_s", "Shortest latency (s)", "最短延迟（秒）" },
    { "latency_mean_s", "Mean latency (s)", "平均延迟（秒）" },
    { "latency_p50_s", "p50 latency (s)", "p50 延迟（秒）" },
    { "latency_p95_s", "p95 latency (s)", "p95 延迟（秒）" },
    { "latency_p99_s", "p99 latency (s)", "p99 延迟（秒）" },
    { "latency_max_s", "Longest latency (s)", "最长延迟（秒）" },
    { "ttft_p50_s", "p50 time to first token (s)", "首个 token 时间 p50（秒）" },
    { "ttft_max_s", "Longest time to first token (s)", "最长首个 token 时间（秒）" },
    { "achieved_rps", "Throughput (requests/s)", "吞吐量（请求/秒）" },
    { "successful_rps", "Successful requests per second", "每秒成功请求数" },
    { "offered_rps", "Offered load (requests/s)", "施加的负载（请求/秒）" },
    { "server_requests", "Requests seen by the server", "服务器收到的请求" },
    { "server_wait_max_s", "Longest wait for a thread (s)", "等待线程的最长时间（秒）" },
    { "loop_wait_s", "Time waiting for a busy loop, all requests (s)",
      "等待繁忙事件循环的时间，全部请求（秒）" },
    { "loop_wait_max_s", "Longest one request waited for a busy loop (s)",
      "单个请求等待繁忙事件循环的最长时间（秒）" },
    { "pool_queued_peak", "Peak requests queued for the pool", "线程池排队请求峰值" },
    { "pool_active_peak", "Peak active pool threads", "线程池活动线程峰值" },
    { "in_flight_peak", "Peak requests in flight", "处理中请求峰值" },
    { "loop_lag_max_s", "Worst event-loop lag (s)", "最大事件循环延迟（秒）" },
    { "cpu_util_pct", "CPU utilisation, process and pool processes (% of one core)",
      "CPU 利用率，进程及进程池进程（单核 %）" },
    { "pool_cpu_util_pct", "Pool processes' CPU utilisation (% of one core)",
      "进程池进程 CPU 利用率（单核 %）" },
    { "cpu_peak_pct", "Peak process CPU (% of one core)", "进程 CPU 峰值（单核 %）" },
    { "server_cpu_util_pct", "Server threads' CPU utilisation (% of one core)",
      "服务器线程 CPU 利用率（单核 %）" },
    { "rss_peak_mb", "Peak resident memory (MB)", "常驻内存峰值（MB）" },
    { "threads_peak", "Peak thread count", "线程数峰值" },
    { "workers_peak", "Most worker loops", "worker 循环数最大值" },
    { "workers_low", "Fewest worker loops", "worker 循环数最小值" },
    { "workers_last", "Worker loops at the end", "结束时的 worker 循环数" },
    { "accept_queue_peak", "Peak accept queue (connections)", "accept 队列峰值（连接）" },
    { "scale_ups", "Supervisor scale-ups", "Supervisor 扩容次数" },
    { "scale_downs", "Supervisor scale-downs", "Supervisor 缩容次数" },
    { "db_busy_peak", "Peak database connections busy", "数据库连接忙碌峰值" },
    { "db_waiting_peak", "Peak requests waiting for a database connection", "等待数据库连接的请求峰值" },
    { "db_pool_wait_max_s", "Longest wait for a database connection (s)", "等待数据库连接的最长时间（秒）" },
    // Observed services (OTLP): the spans, and the largest of the services' own metrics.
    { "observed_spans", "Spans received", "收到的跨度" },
    { "observed_services", "Observed services", "被观测的服务" },
    { "observed_instances", "Observed instances (lanes)", "被观测的实例（泳道）" },
    { "max_in_flight_derived", "Peak requests in flight (from the spans)", "处理中请求峰值（由跨度推算）" },
    { "observed_loop_delay_max_ms", "Services' own worst event-loop delay, max (ms)",
      "服务自身的最大事件循环延迟，max（毫秒）" },
    { "observed_loop_delay_p99_ms", "Services' own worst event-loop delay, p99 (ms)",
      "服务自身的最大事件循环延迟，p99（毫秒）" },
    { "observed_loop_delay_mean_ms", "Services' own worst event-loop delay, mean (ms)",
      "服务自身的最大事件循环延迟，平均值（毫秒）" },
    { "observed_loop_utilization", "Services' own peak event-loop utilisation (0-1)",
      "服务自身的事件循环利用率峰值（0-1）" },
    { "observed_cpu_pct", "Services' own peak CPU (% of one core)", "服务自身的 CPU 峰值（单核 %）" },
    { "observed_resident_mb", "Services' own peak resident memory (MB)", "服务自身的常驻内存峰值（MB）" },
    { "observed_heap_used_mb", "Services' own peak heap in use (MB)", "服务自身的已用堆峰值（MB）" },
};

// Server settings (ServerConfig::toJson) and their words.
const MetricInfo kSettings[] = {
    { "mode", "Server mode", "服务器模式" },
    { "workers", "Worker event loops", "工作事件循环数" },
    { "pool_size", "Thread pool size", "线程池大小" },
    { "db_read_s", "Database read (s)", "数据库读取（秒）" },
    { "db_write_s", "Database write (s)", "数据库写入（秒）" },
    { "llm.mean", "LLM answer time (s)", "LLM 响应时间（秒）" },
    { "llm.distribution", "LLM answer time distribution", "LLM 响应时间分布" },
    { "llm.spread", "LLM answer time spread (s)", "LLM 响应时间波动（秒）" },
    { "llm.first_token_s", "LLM first token (s)", "LLM 首个 token（秒）" },
    { "llm.tokens_per_second", "LLM tokens per second", "LLM 每秒 token 数" },
    { "time_scale", "Time scale", "时间缩放" },
    { "max_in_flight", "Admission limit (0: none)", "准入上限（0：无）" },
    { "intake", "Request intake", "请求接收方式" },
    { "poll_interval_s", "Poll interval (s)", "轮询间隔（秒）" },
    { "cpu_work_s", "CPU work per request (s of CPU)", "每个请求的 CPU 计算（CPU 秒）" },
    { "executor", "Executor (thread or process pool)", "执行器（线程池或进程池）" },
    { "gil", "GIL model (CPython)", "GIL 模型（CPython）" },
    { "process_pool_size", "Process pool size", "进程池大小" },
    { "database", "History database", "历史记录数据库" },
    { "db_url", "PostgreSQL server (without password)", "PostgreSQL 服务器（不含密码）" },
    { "db_pool", "Database connection pool size", "数据库连接池大小" },
    { "db_timeout_s", "Database timeout (s)", "数据库超时（秒）" },
};

QString prettify(QString key)
{
    // A key without words of its own: at least no underscores and the unit in brackets.
    QString unit;
    if (key.endsWith(QLatin1String("_s"))) {
        unit = QStringLiteral(" (s)");
        key.chop(2);
    } else if (key.endsWith(QLatin1String("_ms"))) {
        unit = QStringLiteral(" (ms)");
        key.chop(3);
    }
    key.replace(QLatin1Char('_'), QLatin1Char(' ')).replace(QLatin1Char('.'), QLatin1Char(' '));
    if (!key.isEmpty())
        key[0] = key[0].toUpper();
    return key + unit;
}

} // namespace

namespace ReportVocabulary {

QString lookup(const MetricInfo *table, size_t n, const QString &key, Language lang)
{
    for (size_t i = 0; i < n; ++i) {
        if (key == QLatin1String(table[i].key))
            return ReportStyle::pick(lang, table[i].en, table[i].zh);
    }
    return prettify(key);
}

QString settingLabel(const QString &key, Language lang)
{
    return lookup(kSettings, std::size(kSettings), key, lang);
}

QStringList settingOrder()
{
    QStringList out;
    for (const MetricInfo &info : kSettings)
        out << QLatin1String(info.key);
    return out;
}

} // namespace ReportVocabulary

namespace ReportText {

QString variantTitle(const RunResult &run, const VariantResult &v, Language language)
{
    QString label = v.label;
    if (const ScenarioVariant *sv = run.scenario.variant(v.name)) {
        if (language == Language::Chinese && !sv->labelZh.isEmpty())
            label = sv->labelZh;
        else if (!sv->labelEn.isEmpty())
            label = sv->labelEn;
    }
    return label.isEmpty() || label == v.name ? v.name : QStringLiteral("%1 · %2").arg(v.name, label);
}

QString figureLabel(const QString &id, Language language)
{
    static const MetricInfo figures[] = {
        { "requests", "Requests", "请求数" },
        { "errors", "Failed requests", "失败的请求" },
        { "makespan", "Makespan (s)", "总耗时（秒）" },
        { "p50", "p50 latency (ms)", "p50 延迟（毫秒）" },
        { "p95", "p95 latency (ms)", "p95 延迟（毫秒）" },
        { "p99", "p99 latency (ms)", "p99 延迟（毫秒）" },
        { "max", "Longest latency (ms)", "最长延迟（毫秒）" },
        { "throughput", "Throughput (requests/s)", "吞吐量（请求/秒）" },
        { "in_flight_peak", "Peak requests in flight", "处理中请求峰值" },
        { "loop_lag", "Worst event-loop lag (ms)", "最大事件循环延迟（毫秒）" },
        { "loop_wait", "Time waiting for a busy loop (s)", "等待繁忙事件循环的时间（秒）" },
        { "cpu", "CPU utilisation, process and pool processes (% of one core)",
          "CPU 利用率，进程及进程池进程（单核 %）" },
        { "pool_cpu", "CPU utilisation, pool processes (% of one core)", "CPU 利用率，进程池进程（单核 %）" },
        { "server_cpu", "CPU utilisation, server threads (%)", "CPU 利用率，服务器线程（%）" },
        { "rss", "Peak resident memory (MB)", "常驻内存峰值（MB）" },
        { "workers", "Worker loops (fewest–most)", "worker 循环数（最少–最多）" },
    };
    return ReportVocabulary::lookup(figures, std::size(figures), id, language);
}

QString metricLabel(const QString &key, Language language)
{
    return ReportVocabulary::lookup(kMetrics, std::size(kMetrics), key, language);
}

} // namespace ReportText
