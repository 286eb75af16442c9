// The server counters over time: in flight, the pool, loop lag, workers, CPU and memory.
#include "reportwriter.h"

#include <algorithm>

using ReportStyle::Language;

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

void ReportWriter::counterChart(const QString &title, const QString &yTitle, const QString &caption,
                                const QList<CounterLine> &lines)
{
    SvgPlot::Chart c;
    c.height = 200;
    c.xTitle = timeAxisTitle();
    c.yTitle = yTitle;
    c.xMax = spanS * unit.factor;
    c.yMax = 1;
    for (int i = 0; i < run.variants.size(); ++i) {
        const VariantResult &v = run.variants[i];
        for (int l = 0; l < lines.size(); ++l) {
            SvgPlot::Series s;
            s.name = lines.size() > 1 ? QStringLiteral("%1 %2").arg(v.name, lines[l].first) : variantTitle(v);
            s.color = ReportStyle::variantColor(i);
            s.dashed = l == 1; // solid, dashed, dotted: the lines of one variant share its colour
            s.dotted = l >= 2;
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
}

void ReportWriter::counters()
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
    const auto chart
        = [this](const QString &title, const QString &yTitle, const QString &caption,
                 const QList<CounterLine> &lines) { counterChart(title, yTitle, caption, lines); };
    // Observed services (OTLP): their requests in flight, derived from their spans, and nothing of
    // LoopScope's own server; their event-loop delay, CPU and memory are drawn per instance, as
    // theirs, by observed().
    if (run.machine.contains(QStringLiteral("otlp"))) {
        chart(L("Requests in flight", "处理中的请求"), L("requests", "请求"),
              L("Requests in flight on the observed services, derived from their spans: a request counts "
                "from its server span's start to its end. Each point is the largest value of a 10 ms step. "
                "The services report no waiting requests.",
                "被观测服务上处理中的请求，由其跨度推算：一个请求从其服务端跨度开始计到结束。每个点取 10 "
                "毫秒区间内的最大值。服务不报告等待中的请求。"),
              { { L("in flight", "处理中"), [](const CounterSample &k) { return double(k.inFlight); } } });
        return;
    }
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
                "generator runs in the same process; a process pool's worker processes are added). Dashed: "
                "resident "
                "memory (RSS) in MB. Read from /proc "
                "every "
                "100 ms.",
                "实线：进程每秒运行时间所用的 CPU 时间，以单核百分比表示（100 % = "
                "一个核满载；负载生成器在同一进程中；进程池的工作进程计入其中）。虚线："
                "常驻内存（RSS），单位 MB。每 100 毫秒从 /proc 读取。"),
              { { L("CPU %", "CPU %"),
                  [](const CounterSample &k) { return double(k.cpuPct) + double(k.poolCpuPct); } },
                { L("RSS MB", "RSS MB"),
                  [](const CounterSample &k) { return double(k.rssBytes) / (1024.0 * 1024.0); } } });
}
