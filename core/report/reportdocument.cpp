#include "reportdocument.h"

#include "pipeline/dispatchpolicy.h"
#include "svgplot.h"

#include <QDateTime>
#include <QJsonObject>
#include <QLocale>
#include <QSet>
#include <algorithm>
#include <cmath>
#include <tuple>

using ReportStyle::Language;

namespace {

struct MetricInfo
{
    const char *key;
    const char *en;
    const char *zh;
};

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
    { "pool_queued_peak", "Peak requests queued for the pool", "线程池排队请求峰值" },
    { "pool_active_peak", "Peak active pool threads", "线程池活动线程峰值" },
    { "in_flight_peak", "Peak requests in flight", "处理中请求峰值" },
    { "loop_lag_max_s", "Worst event-loop lag (s)", "最大事件循环延迟（秒）" },
    { "cpu_util_pct", "Process CPU utilisation (% of one core)", "进程 CPU 利用率（单核 %）" },
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

QString lookup(const MetricInfo *table, size_t n, const QString &key, Language lang)
{
    for (size_t i = 0; i < n; ++i) {
        if (key == QLatin1String(table[i].key))
            return ReportStyle::pick(lang, table[i].en, table[i].zh);
    }
    return prettify(key);
}

// Shared by every section: the language, its number format and the run's common time axis.
struct Writer
{
    const RunResult &run;
    ReportOptions options;
    Language lang;
    QLocale locale;
    ReportDocument doc;
    double spanS = 1; // the longest variant, first intended send to last answer
    SvgPlot::TimeUnit unit;

    Writer(const RunResult &r, const ReportOptions &o)
        : run(r)
        , options(o)
        , lang(o.language)
        , locale(o.language == Language::Chinese ? QLocale(QLocale::Chinese, QLocale::China)
                                                 : QLocale(QLocale::English, QLocale::UnitedStates))
    {
        locale.setNumberOptions(QLocale::DefaultNumberOptions);
    }

    QString L(const char *en, const char *zh) const { return ReportStyle::pick(lang, en, zh); }
    QString num(double v, int decimals) const { return locale.toString(v, 'f', decimals); }
    QString count(double v) const { return locale.toString(qint64(std::llround(v))); }
    // Three significant figures or so: 0.538, 2.69, 26.9, 269, 2,690.
    QString sig(double v) const
    {
        const double a = std::abs(v);
        return num(v, a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3);
    }
    QString ms(double v) const { return num(v, std::abs(v) >= 100 ? 0 : 1); }
    QString variantTitle(const VariantResult &v) const { return ReportText::variantTitle(run, v, lang); }
    QString variantShort(int i) const { return run.variants[i].name; }
    // A recording of outside load (or observed services) has no client side (issue #23).
    QString notMeasured() const { return L("not measured (recorded server-side)", "未测得（服务器端录制）"); }
    bool anyServerSideOnly() const
    {
        return std::any_of(run.variants.begin(), run.variants.end(),
                           [](const VariantResult &v) { return v.isServerSideOnly(); });
    }

    void heading(const QString &text, int level = 2)
    {
        ReportBlock b;
        b.kind = ReportBlock::Kind::Heading;
        b.level = level;
        b.text = text;
        doc.blocks.push_back(b);
    }
    void paragraph(const QString &text, ReportBlock::Kind kind = ReportBlock::Kind::Paragraph)
    {
        if (text.isEmpty())
            return;
        ReportBlock b;
        b.kind = kind;
        b.text = text;
        doc.blocks.push_back(b);
    }
    void figure(const QString &title, const QString &svg, int w, int h, const QString &caption)
    {
        ReportBlock b;
        b.kind = ReportBlock::Kind::Figure;
        b.text = title;
        b.svg = svg;
        b.svgWidth = w;
        b.svgHeight = h;
        b.caption = caption;
        doc.blocks.push_back(b);
    }

    void build();
    void summary();
    void timelines();
    void counters();
    void latency();
    void percentiles();
    void expected();
    void settings();
    void requests();
    void details();
};

qint64 lastAnswer(const VariantResult &v)
{
    qint64 end = 0;
    for (const ClientRecord &c : v.client)
        end = std::max(end, c.completeNs);
    return end;
}

void Writer::build()
{
    doc.language = lang;
    doc.title = lang == Language::Chinese && !run.scenario.titleZh.isEmpty() ? run.scenario.titleZh
                                                                             : run.scenario.titleEn;
    if (doc.title.isEmpty())
        doc.title = run.scenario.name;
    if (doc.title.isEmpty())
        doc.title = L("Custom run", "自定义运行");
    const QDateTime created = QDateTime::fromMSecsSinceEpoch(run.createdMs);
    doc.date = lang == Language::Chinese ? created.toString(QStringLiteral("yyyy年M月d日 HH:mm"))
                                         : created.toString(QStringLiteral("d MMM yyyy, HH:mm"));
    doc.subtitle = QStringLiteral("LoopScope · %1").arg(doc.date);
    double span = 0;
    for (const VariantResult &v : run.variants) {
        if (const qint64 end = lastAnswer(v))
            span = std::max(span, double(end - v.startNs) / 1e9);
        if (!v.counters.isEmpty())
            span = std::max(span, double(v.counters.back().tNs - v.startNs) / 1e9);
    }
    spanS = std::max(span, 1e-3);
    unit = SvgPlot::timeUnit(spanS);

    paragraph(ReportText::headline(run, lang).join(QLatin1Char(' ')), ReportBlock::Kind::Headline);
    summary();
    const QString explanation = lang == Language::Chinese && !run.scenario.explanationZh.isEmpty()
        ? run.scenario.explanationZh
        : run.scenario.explanationEn;
    if (!explanation.isEmpty()) {
        heading(L("What this scenario shows", "这个场景说明什么"));
        paragraph(explanation);
    }
    timelines();
    counters();
    latency();
    percentiles();
    expected();
    settings();
    requests();
    details();
}

void Writer::summary()
{
    ReportBlock t;
    t.kind = ReportBlock::Kind::Table;
    t.header << L("Figure", "指标");
    for (const VariantResult &v : run.variants)
        t.header << variantTitle(v);
    const bool ratios = run.variants.size() >= 2;
    for (int i = 1; ratios && i < run.variants.size(); ++i)
        t.header << QStringLiteral("%1 / %2").arg(variantShort(i), variantShort(0));

    const auto row = [&](const QString &label, auto value, auto text) {
        QList<ReportCell> r { { label, ReportCell::Style::Strong } };
        QList<double> values;
        for (const VariantResult &v : run.variants) {
            const double x = value(v);
            values << x;
            r << ReportCell { std::isnan(x) ? QStringLiteral("–") : text(x) };
        }
        for (int i = 1; ratios && i < values.size(); ++i) {
            const bool ok = values[0] > 0 && !std::isnan(values[i]) && !std::isnan(values[0]);
            r << ReportCell { ok ? QStringLiteral("%1×").arg(num(values[i] / values[0], 2))
                                 : QStringLiteral("–"),
                              ReportCell::Style::Muted };
        }
        t.rows << r;
    };
    const auto metric = [](const char *key) {
        return [key](const VariantResult &v) {
            const QString k = QLatin1String(key);
            return v.metrics.contains(k) ? v.metrics.value(k) : std::nan("");
        };
    };
    const auto F = [this](const char *id) { return ReportText::figureLabel(QLatin1String(id), lang); };
    const auto countText = [this](double x) { return count(x); };
    const auto sigText = [this](double x) { return sig(x); };
    const auto msText = [this](double x) { return ms(x); };
    row(F("requests"), metric("requests"), countText);
    row(F("errors"), metric("errors"), countText);
    row(F("makespan"), metric("makespan_s"), sigText);
    row(
        F("p50"), [](const VariantResult &v) { return v.latency.p50Ms; }, msText);
    row(
        F("p95"), [](const VariantResult &v) { return v.latency.p95Ms; }, msText);
    row(
        F("p99"), [](const VariantResult &v) { return v.latency.p99Ms; }, msText);
    row(F("throughput"), metric("achieved_rps"), sigText);
    row(F("in_flight_peak"), metric("in_flight_peak"), countText);
    if (anyServerSideOnly()) {
        QList<ReportCell> r { { ReportText::metricLabel(QStringLiteral("late_sends"), lang),
                                ReportCell::Style::Strong } };
        for (const VariantResult &v : run.variants)
            r << (v.isServerSideOnly() ? ReportCell { notMeasured(), ReportCell::Style::Muted }
                                       : ReportCell { count(v.metrics.value(QStringLiteral("late_sends"))) });
        for (int i = 1; ratios && i < run.variants.size(); ++i)
            r << ReportCell {};
        t.rows << r;
    }
    row(
        F("loop_lag"),
        [](const VariantResult &v) {
            const QString k = QStringLiteral("loop_lag_max_s");
            return v.metrics.contains(k) ? v.metrics.value(k) * 1e3 : std::nan("");
        },
        msText);
    // Seed 2's table rows, measured (ProcessResources): CPU utilisation and memory.
    row(F("cpu"), metric("cpu_util_pct"), sigText);
    row(F("server_cpu"), metric("server_cpu_util_pct"), sigText);
    row(F("rss"), metric("rss_peak_mb"), sigText);
    if (std::any_of(run.variants.begin(), run.variants.end(), [](const VariantResult &v) {
            return v.metrics.value(QStringLiteral("workers_peak"))
                != v.metrics.value(QStringLiteral("workers_low"));
        })) {
        QList<ReportCell> r { { F("workers"), ReportCell::Style::Strong } };
        for (const VariantResult &v : run.variants)
            r << ReportCell { QStringLiteral("%1–%2")
                                  .arg(v.metrics.value(QStringLiteral("workers_low")))
                                  .arg(v.metrics.value(QStringLiteral("workers_peak"))) };
        for (int i = 1; ratios && i < run.variants.size(); ++i)
            r << ReportCell {};
        t.rows << r;
    }
    if (!run.checks.isEmpty()) {
        QList<ReportCell> r { { L("Expected by the seed", "种子文档的预期"), ReportCell::Style::Strong } };
        for (const VariantResult &v : run.variants) {
            QStringList lines;
            bool pass = true, any = false;
            for (const FigureCheck &c : run.checks) {
                if (c.figure.variant != v.name)
                    continue;
                any = true;
                pass = pass && c.pass;
                lines << QStringLiteral("%1: %2 ≈ %3 → %4")
                             .arg(ReportText::metricLabel(c.figure.metric, lang),
                                  c.available ? sig(c.measured) : QStringLiteral("–"), sig(c.expected),
                                  c.pass ? L("PASS", "通过") : L("FAIL", "未通过"));
            }
            r << ReportCell { any ? lines.join(QLatin1Char('\n')) : QStringLiteral("–"),
                              !any ? ReportCell::Style::Muted
                                   : (pass ? ReportCell::Style::Pass : ReportCell::Style::Fail) };
        }
        for (int i = 1; ratios && i < run.variants.size(); ++i)
            r << ReportCell {};
        t.rows << r;
    }
    doc.blocks.push_back(t);
    paragraph(L("Latency is measured from the moment each request should have been sent, so waiting in the "
                "client or in a queue counts. Ratios compare each variant with the first.",
                "延迟从每个请求本应发出的时刻开始计算，因此在客户端或队列中的等待也计算在内。比值为各变体与第"
                "一个变体之比。"),
              ReportBlock::Kind::Note);
    for (const VariantResult &v : run.variants) {
        if (v.isServerSideOnly())
            paragraph(L("%1: latency is measured server-side, from reading the request to writing its last "
                        "byte; the client-side figures (send times, late sends, offered load) are %2.",
                        "%1：延迟在服务器端测量，从读完请求到写出最后一个字节；客户端指标（发送时间、未按时"
                        "发出的请求、施加的负载）%2。")
                          .arg(variantTitle(v), notMeasured()),
                      ReportBlock::Kind::Note);
    }
}

void Writer::timelines()
{
    if (run.variants.isEmpty())
        return;
    heading(L("Timelines", "时间线"));
    const double xMax = SvgPlot::ticks(spanS * unit.factor, 8).back();
    const QString xTitle
        = L("Time since the first request (%1)", "自第一个请求起的时间（%1）").arg(unit.unit);
    const QString failedName = L("failed request", "失败的请求");
    constexpr int maxRows = 60;
    constexpr int maxLanes = 16;
    for (const VariantResult &v : run.variants) {
        QList<const ClientRecord *> rows;
        for (const ClientRecord &c : v.client) {
            if (c.finished())
                rows.push_back(&c);
        }
        // Send order; requests sent together in the order they were answered (a staircase, not noise).
        std::sort(rows.begin(), rows.end(), [](const ClientRecord *a, const ClientRecord *b) {
            return std::tie(a->intendedNs, a->completeNs) < std::tie(b->intendedNs, b->completeNs);
        });
        const int step = std::max(1, int((rows.size() + maxRows - 1) / maxRows));
        const int shown = rows.isEmpty() ? 0 : int((rows.size() + step - 1) / step);
        // Thread lanes: what each server thread ran (the blocking steps), as the window's lanes.
        QMap<int, QList<std::pair<double, double>>> laneSpans; // thread -> (start, end) per category
        QMap<int, QList<int>> laneCats;
        for (const RequestRecord &r : v.server) {
            for (int k = 0; k < r.spanCount; ++k) {
                const TraceSpan &t = r.spans[size_t(k)];
                if (!t.endNs || !DispatchPolicy::holdsThread(r.mode, t.phase))
                    continue;
                laneSpans[t.thread].push_back(
                    { double(t.startNs - v.startNs) / 1e9, double(t.endNs - v.startNs) / 1e9 });
                laneCats[t.thread].push_back(int(t.phase) + 1);
            }
        }
        const QList<int> lanes = laneSpans.keys().mid(0, maxLanes);

        const int width = 900;
        const double rowH = shown ? std::clamp(240.0 / shown, 3.0, 14.0) : 0;
        const double laneH = 12;
        const double top = 34;
        const double lanesTop = top + shown * rowH + (lanes.isEmpty() ? 0 : 14);
        const double plotBottom = lanesTop + lanes.size() * laneH;
        const int height = int(plotBottom + 44);
        SvgPlot::Area a = SvgPlot::area(width, height);
        a.top = top;
        a.bottom = plotBottom + 4;
        const auto x = [&](double seconds) {
            return a.left + a.width() * std::clamp(seconds * unit.factor / xMax, 0.0, 1.0);
        };
        QString s = SvgPlot::open(width, height);
        s += SvgPlot::axes(a, SvgPlot::ticks(spanS * unit.factor, 8), xMax, xTitle, {}, 1, {});
        const auto rect = [&](double x0, double y, double x1, double h, quint32 color) {
            s += QStringLiteral("<rect x='%1' y='%2' width='%3' height='%4' fill='%5'/>")
                     .arg(QString::number(x0, 'f', 1), QString::number(y, 'f', 1),
                          QString::number(std::max(0.6, x1 - x0), 'f', 1), QString::number(h, 'f', 1),
                          ReportStyle::hex(color));
        };
        QSet<int> usedCats;
        bool anyFailed = false;
        for (int i = 0, row = 0; i < rows.size(); i += step, ++row) {
            const ClientRecord &c = *rows[i];
            const double y = top + row * rowH;
            const double h = std::max(1.0, rowH - (rowH >= 6 ? 2 : 1));
            anyFailed = anyFailed || !c.ok();
            rect(x(double(c.intendedNs - v.startNs) / 1e9), y, x(double(c.completeNs - v.startNs) / 1e9), h,
                 c.ok() ? ReportStyle::categoryColor(0, false) : 0xf4a6a6);
            usedCats.insert(0);
            if (const RequestRecord *r = v.serverRecordFor(c)) {
                for (int k = 0; k < r->spanCount; ++k) {
                    const TraceSpan &t = r->spans[size_t(k)];
                    if (!t.endNs)
                        continue;
                    const int cat = int(t.phase) + 1;
                    usedCats.insert(cat);
                    rect(x(double(t.startNs - v.startNs) / 1e9), y, x(double(t.endNs - v.startNs) / 1e9), h,
                         ReportStyle::categoryColor(cat, false));
                }
            }
        }
        if (rowH >= 12 || shown <= 30) {
            // Label the first and last rows so the reader sees which way the requests run.
            s += QStringLiteral(
                     "<text x='%1' y='%2' text-anchor='end' font-size='10' fill='#555555'>%3</text>")
                     .arg(QString::number(a.left - 6, 'f', 1), QString::number(top + rowH * 0.8, 'f', 1),
                          SvgPlot::esc(L("first request", "第一个请求")));
            if (shown > 1)
                s += QStringLiteral(
                         "<text x='%1' y='%2' text-anchor='end' font-size='10' fill='#555555'>%3</text>")
                         .arg(QString::number(a.left - 6, 'f', 1),
                              QString::number(top + (shown - 1) * rowH + rowH * 0.8, 'f', 1),
                              SvgPlot::esc(L("last", "最后一个")));
        } else {
            s += QStringLiteral(
                     "<text x='0' y='0' transform='translate(14 %1) rotate(-90)' text-anchor='middle' "
                     "fill='#333333'>%2</text>")
                     .arg(QString::number(top + shown * rowH / 2, 'f', 1),
                          SvgPlot::esc(L("requests", "请求")));
        }
        // Lanes, coalesced to the pixel: a lane never holds more rectangles than it has pixels.
        const int px = int(a.width());
        for (int li = 0; li < lanes.size(); ++li) {
            const int thread = lanes[li];
            const double y = lanesTop + li * laneH;
            QVector<qint8> cells(px, -1);
            const auto &spans = laneSpans[thread];
            const auto &cats = laneCats[thread];
            for (int k = 0; k < spans.size(); ++k) {
                const int c0 = std::clamp(int(x(spans[k].first) - a.left), 0, px - 1);
                const int c1 = std::clamp(int(std::ceil(x(spans[k].second) - a.left)), c0 + 1, px);
                std::fill(cells.begin() + c0, cells.begin() + c1, qint8(cats[k]));
                usedCats.insert(cats[k]);
            }
            for (int c = 0; c < px;) {
                int e = c + 1;
                while (e < px && cells[e] == cells[c])
                    ++e;
                if (cells[c] >= 0)
                    rect(a.left + c, y + 1, a.left + e, laneH - 3,
                         ReportStyle::categoryColor(cells[c], false));
                c = e;
            }
            QString name = thread < v.threadNames.size() ? v.threadNames[thread] : QString::number(thread);
            if (name.size() > 12)
                name = name.left(11) + QStringLiteral("…");
            s += QStringLiteral(
                     "<text x='%1' y='%2' text-anchor='end' font-size='10' fill='#555555'>%3</text>")
                     .arg(QString::number(a.left - 6, 'f', 1), QString::number(y + laneH - 4, 'f', 1),
                          SvgPlot::esc(name));
        }
        if (!lanes.isEmpty())
            s += QStringLiteral(
                     "<line x1='%1' y1='%2' x2='%3' y2='%2' stroke='#9aa0a8' stroke-dasharray='3,3'/>")
                     .arg(QString::number(a.left, 'f', 1), QString::number(lanesTop - 7, 'f', 1),
                          QString::number(a.right, 'f', 1));
        QList<SvgPlot::Legend> legend;
        for (int cat = 0; cat < ReportStyle::CategoryCount; ++cat) {
            if (usedCats.contains(cat))
                legend.push_back({ ReportStyle::categoryName(cat, lang),
                                   ReportStyle::categoryColor(cat, false), false, true });
        }
        if (anyFailed)
            legend.push_back({ failedName, 0xf4a6a6, false, true });
        s += SvgPlot::legendRow(legend, a.left, 16, a.right);
        s += QStringLiteral("</svg>");

        QStringList caption;
        if (rows.isEmpty())
            caption << L("No finished requests.", "没有完成的请求。");
        else if (step > 1)
            caption << L("One bar per request (every %1th of %2, in send order), from its intended send to "
                         "its answer; "
                         "coloured where the server was working on it.",
                         "每条横条是一个请求（共 %2 个，按发送顺序每 %1 个取一个），从计划发送到收到响应；"
                         "有颜色的部分是服务器在处理它。")
                           .arg(step)
                           .arg(count(double(rows.size())));
        else
            caption << L(
                "One bar per request, from its intended send to its answer; coloured where the server was "
                "working on it.",
                "每条横条是一个请求，从计划发送到收到响应；有颜色的部分是服务器在处理它。");
        if (!lanes.isEmpty())
            caption << L("Below the dashed line, one lane per server thread shows the blocking steps it ran.",
                         "虚线下方每一行是一个服务器线程，显示它执行的阻塞步骤。");
        if (laneSpans.size() > lanes.size())
            caption << L("First %1 of %2 threads shown.", "显示前 %1 个线程（共 %2 个）。")
                           .arg(lanes.size())
                           .arg(laneSpans.size());
        if (run.variants.size() > 1)
            caption << L("All variants share one time axis.", "所有变体使用同一时间轴。");
        figure(variantTitle(v), s, width, height, caption.join(QLatin1Char(' ')));
    }
}

// At most `buckets` points: the largest value in each time bucket, so peaks survive.
QList<QPointF> bucketMax(const VariantResult &v, double factor, double (*value)(const CounterSample &),
                         int buckets = 450)
{
    QList<QPointF> out;
    if (v.counters.isEmpty())
        return out;
    const double t0 = double(v.counters.front().tNs - v.startNs) / 1e9;
    const double t1 = double(v.counters.back().tNs - v.startNs) / 1e9;
    const double width = std::max(1e-9, (t1 - t0) / buckets);
    int current = -1;
    for (const CounterSample &k : v.counters) {
        const double t = double(k.tNs - v.startNs) / 1e9;
        if (t < 0)
            continue;
        const int b = int((t - t0) / width);
        const double y = value(k);
        if (b != current) {
            out.push_back({ t * factor, y });
            current = b;
        } else if (y > out.back().y()) {
            out.back().setY(y);
        }
    }
    return out;
}

void Writer::counters()
{
    bool any = false, pool = false;
    for (const VariantResult &v : run.variants) {
        any = any || !v.counters.isEmpty();
        for (const CounterSample &k : v.counters)
            pool = pool || k.poolActive > 0 || k.poolQueued > 0;
    }
    if (!any)
        return;
    heading(L("Server counters", "服务器计数器"));
    const double xMax = spanS * unit.factor;
    const QString xTitle
        = L("Time since the first request (%1)", "自第一个请求起的时间（%1）").arg(unit.unit);
    const auto chart = [&](const QString &title, const QString &yTitle, const QString &caption,
                           const QList<std::pair<QString, double (*)(const CounterSample &)>> &lines) {
        SvgPlot::Chart c;
        c.height = 200;
        c.xTitle = xTitle;
        c.yTitle = yTitle;
        c.xMax = xMax;
        c.yMax = 1;
        for (int i = 0; i < run.variants.size(); ++i) {
            const VariantResult &v = run.variants[i];
            for (int l = 0; l < lines.size(); ++l) {
                SvgPlot::Series s;
                s.name = lines.size() > 1 ? QStringLiteral("%1 %2").arg(v.name, lines[l].first)
                                          : variantTitle(v);
                s.color = ReportStyle::variantColor(i);
                s.dashed = l > 0;
                s.step = true;
                s.points = bucketMax(v, unit.factor, lines[l].second);
                for (const QPointF &p : s.points)
                    c.yMax = std::max(c.yMax, p.y());
                c.series << s;
            }
        }
        int height = c.height;
        const QString svg = SvgPlot::lineChart(c, &height);
        figure(title, svg, c.width, height, caption);
    };
    chart(L("Requests in flight and waiting", "处理中与等待的请求"), L("requests", "请求"),
          L("Solid: requests the server has accepted and not yet answered. Dashed: those among them still "
            "waiting "
            "for a thread or the polling loop. Sampled 100 times a second; each point is the largest value "
            "of its "
            "interval.",
            "实线：服务器已接收但尚未响应的请求。虚线：其中仍在等待线程或轮询循环的请求。每秒采样 100 "
            "次；每个点取该区间的最大值。"),
          { { L("in flight", "处理中"), [](const CounterSample &k) { return double(k.inFlight); } },
            { L("waiting", "等待"), [](const CounterSample &k) { return double(k.waiting); } } });
    if (pool)
        chart(L("Thread pool", "线程池"), L("requests", "请求"),
              L("Solid: active (busy) pool threads. Dashed: requests queued for a pool thread.",
                "实线：活动（忙碌）的线程池线程。虚线：排队等待线程池线程的请求。"),
              { { L("active", "活动"), [](const CounterSample &k) { return double(k.poolActive); } },
                { L("queued", "排队"), [](const CounterSample &k) { return double(k.poolQueued); } } });
    chart(L("Event-loop lag", "事件循环延迟"), L("lag (ms)", "延迟（毫秒）"),
          L("How late the worst worker loop's 10 ms heartbeat fired: a blocked loop's lag grows for as long "
            "as it "
            "is blocked.",
            "最慢的工作循环中 10 毫秒心跳触发的延迟：事件循环被阻塞多久，延迟就增长多久。"),
          { { L("lag", "延迟"), [](const CounterSample &k) { return double(k.maxLoopLagMs()); } } });
    bool resources = false, scaling = false;
    for (const VariantResult &v : run.variants) {
        resources = resources
            || std::any_of(v.counters.begin(), v.counters.end(),
                           [](const CounterSample &k) { return k.threads > 0; });
        scaling = scaling || !v.scaleEvents.isEmpty();
    }
    if (scaling) {
        chart(L("Worker loops (auto-scaling supervisor)", "worker 循环（自动扩缩容 Supervisor）"),
              L("workers", "worker"),
              L("Solid: worker loops accepting connections. Dashed: connections waiting in the listening "
                "socket's accept "
                "queue (no loop has accepted them yet). The supervisor adds a loop while more requests wait "
                "than its "
                "threshold and retires one that stayed idle.",
                "实线：正在接受连接的 worker 循环数。虚线：在监听 socket 的 accept "
                "队列中等待的连接（尚无循环接受）。等待的请求超过阈值时 "
                "Supervisor 新增一个循环，空闲的循环则被退役。"),
              { { L("workers", "worker"), [](const CounterSample &k) { return double(k.workers); } },
                { L("accept queue", "accept 队列"),
                  [](const CounterSample &k) { return double(k.acceptQueue); } } });
        QStringList lines;
        for (const VariantResult &v : run.variants) {
            for (const ScaleEvent &e : v.scaleEvents)
                lines << QStringLiteral("%1 · %2 s · %3 · %4 → %5")
                             .arg(v.name, sig(double(e.tNs - v.startNs) / 1e9), ScaleEvent::kindName(e.kind),
                                  e.reason)
                             .arg(e.workers);
        }
        paragraph(L("The supervisor's decisions: ", "Supervisor 的决定：")
                  + lines.join(QStringLiteral("; ")));
    }
    if (resources)
        chart(L("CPU utilisation and memory", "CPU 利用率与内存"), L("% of one core / MB", "单核 % / MB"),
              L("Solid: the process's CPU time per second of run, in % of one core (100 % = one core busy; "
                "the load "
                "generator runs in the same process). Dashed: resident memory (RSS) in MB. Read from /proc "
                "every "
                "100 ms.",
                "实线：进程每秒运行时间所用的 CPU 时间，以单核百分比表示（100 % = "
                "一个核满载；负载生成器在同一进程中）。虚线："
                "常驻内存（RSS），单位 MB。每 100 毫秒从 /proc 读取。"),
              { { L("CPU %", "CPU %"), [](const CounterSample &k) { return double(k.cpuPct); } },
                { L("RSS MB", "RSS MB"),
                  [](const CounterSample &k) { return double(k.rssBytes) / (1024.0 * 1024.0); } } });
}

void Writer::latency()
{
    SvgPlot::Chart c;
    double maxS = 0;
    QList<QList<double>> all;
    for (const VariantResult &v : run.variants) {
        QList<double> lat;
        lat.reserve(v.client.size());
        for (const ClientRecord &r : v.client) {
            if (r.finished())
                lat.push_back(double(r.latencyNs()) / 1e9);
        }
        std::sort(lat.begin(), lat.end());
        if (!lat.isEmpty())
            maxS = std::max(maxS, lat.back());
        all << lat;
    }
    if (maxS <= 0)
        return;
    heading(L("Latency distribution", "延迟分布"));
    const SvgPlot::TimeUnit u = SvgPlot::timeUnit(maxS);
    c.height = 260;
    c.xMax = maxS * u.factor;
    c.yPercent = true;
    c.xTitle = L("Latency from the intended send (%1)", "自计划发送起的延迟（%1）").arg(u.unit);
    c.yTitle = L("requests answered (%)", "已响应的请求（%）");
    for (int i = 0; i < run.variants.size(); ++i) {
        const QList<double> &lat = all[i];
        SvgPlot::Series s;
        s.name = variantTitle(run.variants[i]);
        s.color = ReportStyle::variantColor(i);
        s.step = true;
        const int n = int(lat.size());
        const int points = std::min(n, 400);
        if (n)
            s.points.push_back({ lat.front() * u.factor, 0 });
        for (int p = 1; p <= points; ++p) {
            const int idx = std::min(n - 1, int(std::ceil(double(p) * n / points)) - 1);
            s.points.push_back({ lat[idx] * u.factor, 100.0 * (idx + 1) / n });
        }
        c.series << s;
    }
    int height = c.height;
    const QString svg = SvgPlot::lineChart(c, &height);
    figure(
        L("Latency of every request, all variants", "所有变体的请求延迟"), svg, c.width, height,
        L("A point (x, y) means y % of the requests were answered within x. A curve further left is faster; "
          "a staircase shows requests served one after another.",
          "点 (x, y) 表示 y% 的请求在 x 之内得到响应。曲线越靠左越快；阶梯形说明请求是一个接一个处理的。"));
}

void Writer::percentiles()
{
    ReportBlock t;
    t.kind = ReportBlock::Kind::Table;
    t.wide = true;
    t.header << L("Distribution (ms)", "分布（毫秒）") << L("Count", "数量") << L("min", "最小")
             << QStringLiteral("p50") << QStringLiteral("p90") << QStringLiteral("p95")
             << QStringLiteral("p99") << QStringLiteral("p99.9") << L("max", "最大");
    for (const VariantResult &v : run.variants) {
        const auto add = [&](const QString &what, const PercentileSummary &p) {
            if (!p.count)
                return;
            t.rows << QList<ReportCell> { { QStringLiteral("%1 · %2").arg(v.name, what),
                                            ReportCell::Style::Strong },
                                          { count(double(p.count)) },
                                          { ms(p.minMs) },
                                          { ms(p.p50Ms) },
                                          { ms(p.p90Ms) },
                                          { ms(p.p95Ms) },
                                          { ms(p.p99Ms) },
                                          { ms(p.p999Ms) },
                                          { ms(p.maxMs) } };
        };
        add(L("all requests", "全部请求"), v.latency);
        if (v.latencyOk.count != v.latency.count)
            add(L("successful only", "仅成功的请求"), v.latencyOk);
        add(L("time to first token", "首个 token 时间"), v.ttft);
    }
    if (t.rows.isEmpty())
        return;
    heading(L("Percentiles", "百分位数"), 3);
    doc.blocks.push_back(t);
}

void Writer::expected()
{
    if (run.checks.isEmpty())
        return;
    heading(L("Expected vs measured", "预期与实测"));
    ReportBlock t;
    t.kind = ReportBlock::Kind::Table;
    t.header << L("Variant", "变体") << L("Figure", "指标") << L("Expected", "预期")
             << L("Allowed ±", "允许偏差 ±") << L("Measured", "实测") << L("Result", "结果");
    bool notes = false;
    for (const FigureCheck &c : run.checks)
        notes = notes || !c.figure.note.isEmpty();
    if (notes)
        t.header << L("Note", "说明");
    for (const FigureCheck &c : run.checks) {
        QString variant = c.figure.variant;
        for (const VariantResult &v : run.variants) {
            if (v.name == c.figure.variant)
                variant = variantTitle(v);
        }
        QList<ReportCell> r { { variant, ReportCell::Style::Strong },
                              { ReportText::metricLabel(c.figure.metric, lang) },
                              { sig(c.expected) },
                              { sig(c.allowed) },
                              { c.available ? sig(c.measured) : L("not measured", "未测得") },
                              { c.pass ? L("PASS", "通过") : L("FAIL", "未通过"),
                                c.pass ? ReportCell::Style::Pass : ReportCell::Style::Fail } };
        if (notes)
            r << ReportCell { c.figure.note, ReportCell::Style::Muted };
        t.rows << r;
    }
    doc.blocks.push_back(t);
    paragraph(
        L("The seed states its figures for time scale 1; they are scaled here to this run's time scale (%1).",
          "种子文档给出的数值对应时间缩放 1；这里已按本次运行的时间缩放（%1）换算。")
            .arg(num(run.options.timeScale, 2)),
        ReportBlock::Kind::Note);
}

void Writer::settings()
{
    if (run.variants.isEmpty())
        return;
    heading(L("Settings", "设置"));
    ReportBlock t;
    t.kind = ReportBlock::Kind::Table;
    t.header << L("Setting", "设置");
    for (const VariantResult &v : run.variants)
        t.header << variantTitle(v);
    const auto yesNo = [this](bool b) { return b ? L("yes", "是") : L("no", "否"); };
    const auto row = [&](const QString &label, auto text) {
        QList<ReportCell> r { { label, ReportCell::Style::Strong } };
        bool any = false;
        for (const VariantResult &v : run.variants) {
            const QString s = text(v);
            any = any || !s.isEmpty();
            r << ReportCell { s.isEmpty() ? QStringLiteral("–") : s };
        }
        if (any)
            t.rows << r;
    };
    row(L("Load model", "负载模型"), [&](const VariantResult &v) {
        if (v.isServerSideOnly())
            return notMeasured();
        return v.load.model == LoadSettings::Model::Closed
            ? L("closed: users wait for each answer", "封闭：用户等待每个响应")
            : L("open: requests arrive at a rate", "开放：请求按速率到达");
    });
    row(L("Simulated users", "模拟用户数"), [&](const VariantResult &v) {
        return v.client.isEmpty() && !v.server.isEmpty() ? QString() : count(v.load.users); // observed: none
    });
    row(L("Requests per user", "每个用户的请求数"), [&](const VariantResult &v) {
        return v.load.model == LoadSettings::Model::Closed ? count(v.load.requestsPerUser) : QString();
    });
    row(L("Think time (s)", "思考时间（秒）"), [&](const VariantResult &v) {
        return v.load.model == LoadSettings::Model::Closed ? sig(v.load.scaled(v.load.thinkSeconds))
                                                           : QString();
    });
    row(L("Arrival rate (requests/s)", "到达速率（请求/秒）"), [&](const VariantResult &v) {
        return v.load.model == LoadSettings::Model::Open ? sig(v.load.arrivalRate / v.load.timeScale)
                                                         : QString();
    });
    row(L("Naive serial client", "简单串行客户端"),
        [&](const VariantResult &v) { return yesNo(v.load.naive); });
    row(L("Streaming", "流式响应"), [&](const VariantResult &v) { return yesNo(v.load.stream); });
    // Server settings, flattened (llm.mean...), in the order of kSettings, then anything else.
    QStringList keys;
    QList<QMap<QString, QString>> values;
    for (const VariantResult &v : run.variants) {
        QMap<QString, QString> m;
        for (auto it = v.serverConfig.begin(); it != v.serverConfig.end(); ++it) {
            if (it.key() == QLatin1String("host") || it.key() == QLatin1String("port"))
                continue;
            const auto put = [&](const QString &key, const QJsonValue &value) {
                static const QStringList counts = { QStringLiteral("workers"), QStringLiteral("pool_size"),
                                                    QStringLiteral("max_in_flight"), QStringLiteral("port") };
                m[key] = !value.isDouble() ? value.toVariant().toString()
                    : counts.contains(key) ? count(value.toDouble())
                                           : sig(value.toDouble());
                if (!keys.contains(key))
                    keys << key;
            };
            if (it.value().isObject()) {
                const QJsonObject o = it.value().toObject();
                for (auto jt = o.begin(); jt != o.end(); ++jt) {
                    if (jt.key() != QLatin1String("seed"))
                        put(it.key() + QLatin1Char('.') + jt.key(), jt.value());
                }
            } else {
                put(it.key(), it.value());
            }
        }
        values << m;
    }
    QStringList ordered;
    for (const MetricInfo &info : kSettings) {
        if (keys.contains(QLatin1String(info.key)))
            ordered << QLatin1String(info.key);
    }
    for (const QString &k : keys) {
        if (!ordered.contains(k))
            ordered << k;
    }
    for (const QString &key : ordered) {
        QList<ReportCell> r { { lookup(kSettings, std::size(kSettings), key, lang),
                                ReportCell::Style::Strong } };
        for (const auto &m : values)
            r << ReportCell { m.value(key, QStringLiteral("–")) };
        t.rows << r;
    }
    doc.blocks.push_back(t);
    const auto failures = [](const VariantResult &v) {
        QMap<QString, quint64> out = v.errorsByKind;
        out.remove(QStringLiteral("ok"));
        out.remove(clientErrorName(ClientError::None));
        return out;
    };
    bool errors = false;
    for (const VariantResult &v : run.variants)
        errors = errors || !failures(v).isEmpty() || !v.error.isEmpty();
    if (!errors)
        return;
    heading(L("Failures", "失败"), 3);
    for (const VariantResult &v : run.variants) {
        if (!v.error.isEmpty())
            paragraph(QStringLiteral("%1: %2").arg(variantTitle(v), v.error));
        QStringList kinds;
        const QMap<QString, quint64> f = failures(v);
        for (auto it = f.begin(); it != f.end(); ++it)
            kinds << QStringLiteral("%1 × %2").arg(count(double(it.value())), it.key());
        if (!kinds.isEmpty())
            paragraph(QStringLiteral("%1: %2").arg(variantTitle(v), kinds.join(QStringLiteral(", "))));
    }
}

void Writer::requests()
{
    if (options.requestRows <= 0)
        return;
    heading(L("Requests", "请求"));
    for (const VariantResult &v : run.variants) {
        if (v.isServerSideOnly()) {
            heading(variantTitle(v), 3);
            paragraph(L("Client-side times: %1. requests.csv and run.json next to this report list the "
                        "server's records, with each client's address, User-Agent and X-LoopScope-User.",
                        "客户端时间：%1。本报告旁的 requests.csv 和 run.json 列出服务器的记录，包括每个客户端"
                        "的地址、User-Agent 和 X-LoopScope-User。")
                          .arg(notMeasured()),
                      ReportBlock::Kind::Note);
            continue;
        }
        ReportBlock t;
        t.kind = ReportBlock::Kind::Table;
        t.wide = true;
        t.header << L("User", "用户") << QStringLiteral("#") << L("Intended send (ms)", "计划发送（毫秒）")
                 << L("Sent (ms)", "发出（毫秒）") << L("First byte (ms)", "首字节（毫秒）")
                 << L("Answered (ms)", "响应（毫秒）") << L("Latency (ms)", "延迟（毫秒）")
                 << L("HTTP status", "HTTP 状态") << L("Outcome", "结果");
        const auto at
            = [&](qint64 ns) { return ns ? num(double(ns - v.startNs) / 1e6, 1) : QStringLiteral("–"); };
        const int n = std::min<int>(options.requestRows, int(v.client.size()));
        for (int i = 0; i < n; ++i) {
            const ClientRecord &c = v.client[i];
            QString outcome = c.ok() ? L("ok", "成功") : clientErrorName(c.error);
            if (c.late)
                outcome += L(" (sent late)", "（未按时发出）");
            t.rows << QList<ReportCell> {
                { count(c.user) },
                { count(c.sequence) },
                { at(c.intendedNs) },
                { at(c.sentNs) },
                { at(c.firstByteNs) },
                { at(c.completeNs) },
                { c.finished() ? num(double(c.latencyNs()) / 1e6, 1) : QStringLiteral("–") },
                { c.status ? QString::number(c.status) : QStringLiteral("–") },
                { outcome, c.ok() ? ReportCell::Style::Plain : ReportCell::Style::Fail }
            };
        }
        heading(variantTitle(v), 3);
        doc.blocks.push_back(t);
        if (n < v.client.size())
            paragraph(L("The first %1 of %2 requests; requests.csv and run.json next to this report hold all "
                        "of them.",
                        "仅列出 %2 个请求中的前 %1 个；本报告旁的 requests.csv 和 run.json 包含全部请求。")
                          .arg(count(n), count(double(v.client.size()))),
                      ReportBlock::Kind::Note);
    }
}

void Writer::details()
{
    heading(L("About this run", "关于本次运行"));
    ReportBlock t;
    t.kind = ReportBlock::Kind::Table;
    t.header << L("Item", "项目") << L("Value", "值");
    const auto add = [&](const QString &k, const QString &v) {
        if (!v.isEmpty())
            t.rows << QList<ReportCell> { { k, ReportCell::Style::Strong }, { v } };
    };
    add(L("Date", "日期"), doc.date);
    if (Scenario::builtinNames().contains(run.scenario.name))
        add(L("Scenario", "场景"), QStringLiteral("loopscope run --scenario %1").arg(run.scenario.name));
    add(L("Time scale", "时间缩放"), num(run.options.timeScale, 2));
    add(L("Server", "服务器"),
        run.options.target.isEmpty() ? L("in-process", "进程内") : run.options.target.toString());
    add(L("Machine", "机器"),
        L("%1, %2 cores, Qt %3", "%1，%2 核，Qt %3")
            .arg(run.machine.value(QStringLiteral("os")).toString())
            .arg(run.machine.value(QStringLiteral("cores")).toInt())
            .arg(run.machine.value(QStringLiteral("qt")).toString()));
    add(L("Seed document", "种子文档"), run.scenario.seed);
    doc.blocks.push_back(t);
}

} // namespace

ReportDocument ReportDocument::build(const RunResult &run, const ReportOptions &options)
{
    Writer w(run, options);
    w.build();
    return w.doc;
}

QStringList ReportDocument::visibleText() const
{
    QStringList out { title, subtitle };
    for (const ReportBlock &b : blocks) {
        out << b.text << b.caption << b.header;
        for (const auto &row : b.rows) {
            for (const ReportCell &c : row)
                out << c.text;
        }
        // SVG text elements: what the plots say.
        qsizetype at = 0;
        while ((at = b.svg.indexOf(QLatin1String("<text"), at)) >= 0) {
            const qsizetype open = b.svg.indexOf(QLatin1Char('>'), at) + 1;
            const qsizetype close = b.svg.indexOf(QLatin1String("</text>"), open);
            if (open <= 0 || close < 0)
                break;
            out << b.svg.mid(open, close - open);
            at = close;
        }
    }
    out.removeAll(QString());
    return out;
}

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
        { "cpu", "CPU utilisation, process (% of one core)", "CPU 利用率，进程（单核 %）" },
        { "server_cpu", "CPU utilisation, server threads (%)", "CPU 利用率，服务器线程（%）" },
        { "rss", "Peak resident memory (MB)", "常驻内存峰值（MB）" },
        { "workers", "Worker loops (fewest–most)", "worker 循环数（最少–最多）" },
    };
    return lookup(figures, std::size(figures), id, language);
}

QString metricLabel(const QString &key, Language language)
{
    return lookup(kMetrics, std::size(kMetrics), key, language);
}

QStringList headline(const RunResult &run, Language lang)
{
    const auto L = [lang](const char *en, const char *zh) { return ReportStyle::pick(lang, en, zh); };
    QLocale locale(lang == Language::Chinese ? QLocale(QLocale::Chinese, QLocale::China)
                                             : QLocale(QLocale::English, QLocale::UnitedStates));
    const auto sig = [&](double v) {
        const double a = std::abs(v);
        return locale.toString(v, 'f', a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3);
    };
    const auto ms = [&](double v) { return locale.toString(v, 'f', std::abs(v) >= 100 ? 0 : 1); };
    QStringList out;
    QList<const VariantResult *> ran;
    for (const VariantResult &v : run.variants) {
        if (v.error.isEmpty() && v.metrics.value(QStringLiteral("makespan_s")) > 0)
            ran << &v;
    }
    if (ran.isEmpty()) {
        out << L("No variant finished any request.", "没有任何变体完成请求。");
        return out;
    }
    const auto title = [&](const VariantResult *v) { return ReportText::variantTitle(run, *v, lang); };
    const auto makespan
        = [](const VariantResult *v) { return v->metrics.value(QStringLiteral("makespan_s")); };
    if (ran.size() == 1 && ran.front()->isServerSideOnly() && run.scenario.name == QLatin1String("record")) {
        // Recorded: whatever load reached the server (`serve --record`, the window's Record).
        const VariantResult *v = ran.front();
        QSet<QString> clients; // address, User-Agent and X-LoopScope-User
        for (const RequestRecord &r : v->server)
            clients.insert(r.clientAddressText() + QLatin1Char('\n') + r.userAgentText() + QLatin1Char('\n')
                           + r.loopscopeUserText());
        out << L("%1: %2 requests from %3 clients recorded in %4 s; p95 latency %5 ms (server-side), %6 "
                 "requests/s, %7 failed.",
                 "%1：录制了 %3 个客户端的 %2 个请求，用时 %4 秒；p95 延迟 %5 毫秒（服务器端），每秒 %6 "
                 "个请求，"
                 "%7 个失败。")
                   .arg(title(v), locale.toString(qint64(v->metrics.value(QStringLiteral("requests")))),
                        locale.toString(qsizetype(clients.size())), sig(makespan(v)), ms(v->latency.p95Ms),
                        sig(v->metrics.value(QStringLiteral("achieved_rps"))),
                        locale.toString(qint64(v->metrics.value(QStringLiteral("errors")))));
    } else if (ran.size() == 1 && ran.front()->client.isEmpty() && !ran.front()->server.isEmpty()) {
        // Observed over OTLP: no simulated users, the requests came from outside services.
        const VariantResult *v = ran.front();
        QSet<quint16> lanes;
        for (const RequestRecord &r : v->server)
            lanes.insert(r.loopThread);
        out << L("%1: %2 observed requests on %3 service lanes in %4 s; p95 latency %5 ms, %6 requests/s, "
                 "%7 failed.",
                 "%1：在 %3 条服务通道上观测到 %2 个请求，用时 %4 秒；p95 延迟 %5 毫秒，每秒 %6 个请求，%7 "
                 "个失败。")
                   .arg(title(v), locale.toString(qint64(v->metrics.value(QStringLiteral("requests")))),
                        locale.toString(qsizetype(lanes.size())), sig(makespan(v)), ms(v->latency.p95Ms),
                        sig(v->metrics.value(QStringLiteral("achieved_rps"))),
                        locale.toString(qint64(v->metrics.value(QStringLiteral("errors")))));
    } else if (ran.size() == 1) {
        const VariantResult *v = ran.front();
        out << L("%1: %2 requests from %3 users in %4 s; p95 latency %5 ms, %6 requests/s, %7 failed.",
                 "%1：%3 个用户的 %2 个请求用时 %4 秒；p95 延迟 %5 毫秒，每秒 %6 个请求，%7 个失败。")
                   .arg(title(v), locale.toString(qint64(v->metrics.value(QStringLiteral("requests")))),
                        locale.toString(v->load.users), sig(makespan(v)), ms(v->latency.p95Ms),
                        sig(v->metrics.value(QStringLiteral("achieved_rps"))),
                        locale.toString(qint64(v->metrics.value(QStringLiteral("errors")))));
    } else {
        const auto [fastIt, slowIt] = std::minmax_element(
            ran.begin(), ran.end(),
            [&](const VariantResult *a, const VariantResult *b) { return makespan(a) < makespan(b); });
        const VariantResult *fast = *fastIt, *slow = *slowIt;
        const double ratio = makespan(slow) / makespan(fast);
        if (ratio < 1.1)
            out << L("%1 and %2 took about as long: %3 s and %4 s for %5 requests each.",
                     "%1 和 %2 用时相近：各 %5 个请求分别用了 %3 秒和 %4 秒。")
                       .arg(title(fast), title(slow), sig(makespan(fast)), sig(makespan(slow)),
                            locale.toString(qint64(fast->metrics.value(QStringLiteral("requests")))));
        else
            out << L("%1 answered its %2 requests in %3 s; %5 took %6 s, %4× as long.",
                     "%1 用 %3 秒完成了 %2 个请求；%5 用了 %6 秒，是它的 %4 倍。")
                       .arg(title(fast),
                            locale.toString(qint64(fast->metrics.value(QStringLiteral("requests")))),
                            sig(makespan(fast)), locale.toString(ratio, 'f', 1), title(slow),
                            sig(makespan(slow)));
        QStringList p95;
        for (const VariantResult *v : ran)
            p95 << QStringLiteral("%1 %2").arg(v->name, ms(v->latency.p95Ms));
        out << L("p95 latency (ms): %1.", "p95 延迟（毫秒）：%1。")
                   .arg(p95.join(lang == Language::Chinese ? QStringLiteral("，") : QStringLiteral(", ")));
    }
    if (!run.checks.isEmpty()) {
        int failed = 0;
        for (const FigureCheck &c : run.checks)
            failed += !c.pass;
        if (failed == 0)
            out << L("All %1 figures the seed expects were met (PASS).",
                     "种子文档预期的 %1 项数值全部符合（通过）。")
                       .arg(run.checks.size());
        else
            out << L("%1 of %2 figures the seed expects were missed (FAIL).",
                     "种子文档预期的 %2 项数值中有 %1 项不符合（未通过）。")
                       .arg(failed)
                       .arg(run.checks.size());
    }
    return out;
}

} // namespace ReportText
