// The observed services' own runtime figures (OTLP metrics, run.json machine.otlp.metrics): per
// instance its event-loop delay, loop utilisation and CPU, and memory, on the timelines' time axis.
// Kept apart from the server counters: these are the services' numbers, not LoopScope's.
#include "reportwriter.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QSet>
#include <algorithm>
#include <cmath>
#include <limits>

namespace {

// The tracks of OtlpMetricStore::toJson, by key.
struct Track
{
    const char *key;
    double scale; // utilisation 0..1 is drawn in %
};
constexpr Track DelayMax { "loop_delay_max_ms", 1 };
constexpr Track DelayP99 { "loop_delay_p99_ms", 1 };
constexpr Track DelayMean { "loop_delay_mean_ms", 1 };
constexpr Track Utilisation { "loop_utilization", 100 };
constexpr Track Cpu { "cpu_pct", 1 };
constexpr Track Resident { "resident_mb", 1 };
constexpr Track Heap { "heap_used_mb", 1 };

QList<QPointF> points(const QJsonObject &instance, const Track &track, double factor)
{
    QList<QPointF> out;
    const QJsonArray samples
        = instance.value(QStringLiteral("tracks")).toObject().value(QLatin1String(track.key)).toArray();
    for (const QJsonValue &s : samples) {
        const QJsonArray p = s.toArray();
        const double tS = p.at(0).toDouble() / 1e3;
        if (tS >= 0)
            out.append({ tS * factor, p.at(1).toDouble() * track.scale });
    }
    return out;
}

using Spans = QList<QPair<double, double>>; // ms from the run's start

// The largest value of the export intervals (from the previous point to this one) during which
// one of `busy` ran; with no `busy`, of every interval. NaN when there is none.
double peak(const QJsonObject &instance, const Track &track, const Spans &busy)
{
    double best = std::nan("");
    double previous = -std::numeric_limits<double>::infinity();
    const QJsonArray samples
        = instance.value(QStringLiteral("tracks")).toObject().value(QLatin1String(track.key)).toArray();
    for (const QJsonValue &s : samples) {
        const double t = s.toArray().at(0).toDouble();
        const double v = s.toArray().at(1).toDouble() * track.scale;
        const bool during = busy.isEmpty() || std::any_of(busy.begin(), busy.end(), [&](const auto &b) {
                                return b.first < t && b.second > previous;
                            });
        previous = t;
        if (during)
            best = std::isnan(best) ? v : std::max(best, v);
    }
    return best;
}

// When each metrics instance served its observed requests (run.json machine.otlp.lanes).
Spans requestsOf(const RunResult &run, const QJsonObject &instance)
{
    Spans out;
    if (run.variants.isEmpty())
        return out;
    const VariantResult &v = run.variants.first();
    QSet<int> lanes;
    for (const QJsonValue &l :
         run.machine.value(QStringLiteral("otlp")).toObject().value(QStringLiteral("lanes")).toArray()) {
        const QJsonObject lane = l.toObject();
        if (lane.value(QStringLiteral("service")) == instance.value(QStringLiteral("service"))
            && lane.value(QStringLiteral("host")) == instance.value(QStringLiteral("host"))
            && lane.value(QStringLiteral("instance")) == instance.value(QStringLiteral("instance")))
            lanes.insert(lane.value(QStringLiteral("lane")).toInt());
    }
    for (const RequestRecord &r : v.server)
        if (lanes.contains(r.loopThread))
            out.append({ double(r.startedNs - v.startNs) / 1e6, double(r.respondedNs - v.startNs) / 1e6 });
    return out;
}

} // namespace

void ReportWriter::observed()
{
    const QJsonObject otlp = run.machine.value(QStringLiteral("otlp")).toObject();
    QList<QJsonObject> instances;
    for (const QJsonValue &in : otlp.value(QStringLiteral("metrics")).toArray()) {
        if (!in.toObject().value(QStringLiteral("tracks")).toObject().isEmpty())
            instances.append(in.toObject());
    }
    if (instances.isEmpty())
        return;
    std::sort(instances.begin(), instances.end(), [](const QJsonObject &a, const QJsonObject &b) {
        return a.value(QStringLiteral("name")).toString() < b.value(QStringLiteral("name")).toString();
    });
    heading(L("The observed services' own figures", "被观测服务自身的指标"));
    paragraph(
        L("Measured by the observed services themselves and sent as OpenTelemetry metrics (their runtime "
          "instrumentation), not by LoopScope: none of these numbers is LoopScope's own. Each point is one "
          "export interval (OTEL_METRIC_EXPORT_INTERVAL), stamped when it ended, on the timelines' time "
          "axis.",
          "以下数值由被观测的服务自己测量（其运行时插桩），以 OpenTelemetry 指标发送，并非 LoopScope "
          "测得：没有一个是 LoopScope 自己的数值。每个点是一个导出间隔（OTEL_METRIC_EXPORT_INTERVAL），"
          "时间戳为间隔结束时刻，与上面的时间线使用同一时间轴。")
        + (otlp.value(QStringLiteral("clock_offsets_applied")).toBool()
               ? L(" The estimated clock offsets between hosts are applied to these points as to the spans.",
                   "主机之间估算的时钟偏差已像跨度一样应用到这些点上。")
               : QString()));

    // The peaks side by side: which instance's loop was blocked, at a glance.
    const QList<std::pair<QString, Track>> columns {
        { L("max delay (ms)", "最大延迟（毫秒）"), DelayMax },
        { L("p99 delay (ms)", "p99 延迟（毫秒）"), DelayP99 },
        { L("mean delay (ms)", "平均延迟（毫秒）"), DelayMean },
        { L("loop utilisation (%)", "循环利用率（%）"), Utilisation },
        { L("CPU (% of one core)", "CPU（单核 %）"), Cpu },
        { L("resident (MB)", "常驻内存（MB）"), Resident },
        { L("heap (MB)", "堆（MB）"), Heap },
    };
    ReportBlock table;
    table.kind = ReportBlock::Kind::Table;
    table.wide = true;
    table.header << L("Instance (peak while serving)", "实例（处理请求期间的峰值）");
    for (const auto &c : columns)
        table.header << c.first;
    for (const QJsonObject &in : std::as_const(instances)) {
        QList<ReportCell> row { { in.value(QStringLiteral("name")).toString(), ReportCell::Style::Strong } };
        const Spans busy = requestsOf(run, in);
        for (const auto &c : columns) {
            const double v = peak(in, c.second, busy);
            row << (std::isnan(v) ? ReportCell { QStringLiteral("–"), ReportCell::Style::Muted }
                                  : ReportCell { sig(v) });
        }
        table.rows << row;
    }
    doc.blocks.push_back(table);
    paragraph(L("Peaks of the export intervals during which the instance had an observed request in flight "
                "(start-up, before the first request, delays a Node loop too: the plots below show it); an "
                "instance without observed requests: of all its intervals. –: not sent.",
                "实例有被观测请求处理中的那些导出间隔内的峰值（启动时、第一个请求之前，Node "
                "循环也会延迟：见下面的图）；没有被观测请求的实例：其全部间隔的峰值。–：未发送。"),
              ReportBlock::Kind::Note);

    const double xMax = spanS * unit.factor;
    const QString xTitle = timeAxisTitle();
    struct Line
    {
        QString name;
        Track track;
        int color;
        int style; // 0 solid, 1 dashed, 2 dotted
    };
    struct Plot
    {
        QString title; // %1: the instance
        QString yTitle;
        QString caption;
        QList<Line> lines;
    };
    const QList<Plot> plots {
        { L("%1: event-loop delay", "%1：事件循环延迟"),
          L("delay (ms)", "延迟（毫秒）"),
          L("How late this instance's event loop ran, as Node measured it itself "
            "(nodejs.eventloop.delay.max, .p99 and .mean of each export interval, in ms). While a handler "
            "runs without yielding, nothing else on that loop runs: a blocked Node loop shows as a max delay "
            "at least as long as the handler's busy time (a 300 ms busy-wait: 300 ms or more), while a loop "
            "whose handlers await stays near the sampling resolution (a few ms to a few tens). A high max "
            "with a low mean is one long block; a high mean is a loop busy all the time.",
            "该实例的事件循环延迟，由 Node 自己测量（每个导出间隔内的 nodejs.eventloop.delay.max、.p99 和 "
            ".mean，单位毫秒）。处理函数不让出执行权时，该循环上的其他任务都无法运行：被阻塞的 Node "
            "循环表现为最大延迟不小于处理函数的忙碌时间（忙等 300 毫秒：300 毫秒或更多），而处理函数都在 "
            "await 的循环只停留在采样精度附近（几毫秒到几十毫秒）。最大值高而平均值低，是一次长时间阻塞；"
            "平均值高，是循环一直在忙。"),
          { { L("max", "最大值"), DelayMax, 0, 0 },
            { L("p99", "p99"), DelayP99, 1, 1 },
            { L("mean", "平均值"), DelayMean, 2, 2 } } },
        { L("%1: loop utilisation and CPU", "%1：循环利用率与 CPU"),
          L("%", "%"),
          L("Solid: event-loop utilisation (nodejs.eventloop.utilization × 100), the share of each interval "
            "the loop spent running code rather than waiting for I/O; near 100 % its one thread is "
            "saturated and every other request waits. Dashed: the process's CPU time per second "
            "(process.cpu.time, user and system), in % of one core; a Node process's JavaScript runs on one "
            "thread, so a blocked loop reads about 100 %.",
            "实线：事件循环利用率（nodejs.eventloop.utilization × 100），即每个间隔中循环运行代码而不是等待 "
            "I/O 的时间比例；接近 100 % 时这一个线程已饱和，其他请求都在等待。虚线：进程每秒的 CPU 时间"
            "（process.cpu.time，用户态与内核态），以单核百分比表示；Node 进程的 JavaScript "
            "在一个线程上运行，所以被阻塞的循环约为 100 %。"),
          { { L("loop utilisation", "循环利用率"), Utilisation, 0, 0 }, { L("CPU", "CPU"), Cpu, 1, 1 } } },
        { L("%1: memory", "%1：内存"),
          L("MB", "MB"),
          L("Solid: the process's resident memory (process.memory.usage). Dashed: V8's JavaScript heap in "
            "use (v8js.memory.heap.used, its spaces summed).",
            "实线：进程的常驻内存（process.memory.usage）。虚线：V8 JavaScript 堆的已用大小"
            "（v8js.memory.heap.used，各堆空间之和）。"),
          { { L("resident", "常驻内存"), Resident, 0, 0 }, { L("heap", "堆"), Heap, 1, 1 } } },
    };
    // One y scale per kind of plot for every instance, so a blocked instance stands out.
    QList<double> yMax(plots.size(), 1.0);
    for (int p = 0; p < plots.size(); ++p)
        for (const QJsonObject &in : std::as_const(instances))
            for (const Line &l : plots[p].lines)
                for (const QPointF &pt : points(in, l.track, unit.factor))
                    yMax[p] = std::max(yMax[p], pt.y());
    for (const QJsonObject &in : std::as_const(instances)) {
        const QString name = in.value(QStringLiteral("name")).toString();
        for (int p = 0; p < plots.size(); ++p) {
            SvgPlot::Chart c;
            c.height = 180;
            c.xTitle = xTitle;
            c.yTitle = plots[p].yTitle;
            c.xMax = xMax;
            c.yMax = yMax[p];
            for (const Line &l : plots[p].lines) {
                SvgPlot::Series s;
                s.name = l.name;
                s.color = ReportStyle::variantColor(l.color);
                s.dashed = l.style == 1;
                s.dotted = l.style == 2;
                // Not held as steps: a point is its interval's figure, stamped when it ended.
                s.points = points(in, l.track, unit.factor);
                if (!s.points.isEmpty())
                    c.series << s;
            }
            if (c.series.isEmpty())
                continue;
            int height = c.height;
            const QString svg = SvgPlot::lineChart(c, &height);
            figure(plots[p].title.arg(name), svg, c.width, height, plots[p].caption);
        }
    }
}
