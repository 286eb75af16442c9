// The timelines section: per variant, one bar per request and, below, one lane per thread, both
// read from the trace model the window draws (core/timeline), rasterised per pixel by the same
// PixelRow, so the report's lanes are the window's thread view on paper.
#include "reportwriter.h"
#include "timeline/axisticks.h"
#include "timeline/pixelrow.h"
#include "timeline/requestrowmodel.h"
#include "timeline/threadlanemodel.h"
#include "timeline/timelinedata.h"
#include "timeline/tracesource.h"

#include <QHash>
#include <QSet>
#include <algorithm>
#include <tuple>

using ReportStyle::Language;

namespace {
constexpr double LaneHeightPx = 12;
} // namespace

void ReportWriter::timelines()
{
    if (run.variants.isEmpty())
        return;
    heading(L("Timelines", "时间线"));
    const QList<double> xTicks = AxisTicks::fromZero(spanS * unit.factor, 8);
    const double xMax = xTicks.back();
    const qint64 xMaxNs = qint64(xMax / unit.factor * 1e9);
    const QString xTitle = timeAxisTitle();
    const QString failedName = L("failed request", "失败的请求");
    constexpr int maxRows = 60;
    constexpr int maxLanes = 16;
    for (const VariantResult &v : run.variants) {
        // The window's model of this variant: the same source, the same lanes, the same pieces.
        TimelineData data;
        SavedRunSource(&v).pull(data);
        RequestRowModel requests(&data);
        ThreadLaneModel laneModel;
        laneModel.sync(data);
        laneModel.setLaneHeight(LaneHeightPx);
        laneModel.select(v.startNs, v.startNs + xMaxNs, data.latestNs());
        QHash<quint64, qsizetype> rowOfTag;
        for (qsizetype i = 0; i < data.size(); ++i) {
            if (!data.isOther(i) && data.at(i).clientTag != 0)
                rowOfTag.insert(data.at(i).clientTag, i);
        }

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
        const int laneCount = int(std::min<qsizetype>(laneModel.rowCount(), maxLanes));

        const int width = 900;
        const double rowH = shown ? std::clamp(240.0 / shown, 3.0, 14.0) : 0;
        const double laneH = LaneHeightPx;
        const double top = 34;
        const double lanesTop = top + shown * rowH + (laneCount == 0 ? 0 : 14);
        const double plotBottom = lanesTop + laneCount * laneH;
        const int height = int(plotBottom + 44);
        SvgPlot::Area a = SvgPlot::area(width, height);
        a.top = top;
        a.bottom = plotBottom + 4;
        const double pxPerNs = a.width() / double(std::max<qint64>(1, xMaxNs));
        const auto x = [&](qint64 ns) {
            return a.left + std::clamp(double(ns - v.startNs) * pxPerNs, 0.0, a.width());
        };
        QString s = SvgPlot::open(width, height);
        s += SvgPlot::axes(a, xTicks, xMax, xTitle, {}, 1, {});
        const auto rect = [&](double x0, double y, double x1, double h, quint32 color) {
            s += QStringLiteral("<rect x='%1' y='%2' width='%3' height='%4' fill='%5'/>")
                     .arg(QString::number(x0, 'f', 1), QString::number(y, 'f', 1),
                          QString::number(std::max(0.6, x1 - x0), 'f', 1), QString::number(h, 'f', 1),
                          ReportStyle::hex(color));
        };
        QSet<int> usedCats;
        bool anyFailed = false, anyBlocked = false;
        for (int i = 0, row = 0; i < rows.size(); i += step, ++row) {
            const ClientRecord &c = *rows[i];
            const double y = top + row * rowH;
            const double h = std::max(1.0, rowH - (rowH >= 6 ? 2 : 1));
            anyFailed = anyFailed || !c.ok();
            rect(x(c.intendedNs), y, x(c.completeNs), h,
                 c.ok() ? ReportStyle::categoryColor(0, false) : 0xf4a6a6);
            usedCats.insert(0);
            const auto at = rowOfTag.constFind(c.tag);
            if (at == rowOfTag.constEnd() || !data.at(*at).finished())
                continue;
            // The server's part of the bar: the request view's pieces, each phase in its colour.
            requests.forEachPiece(*at, data.latestNs(), [&](int cat, qint64 from, qint64 to) {
                if (cat == 0)
                    return;
                usedCats.insert(cat);
                rect(x(from), y, x(to), h, ReportStyle::categoryColor(cat, false));
            });
        }
        // A server-side recording (observed services, outside load) has no client bars to label.
        if (shown > 0 && (rowH >= 12 || shown <= 30)) {
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
        } else if (shown > 0) {
            s += QStringLiteral(
                     "<text x='0' y='0' transform='translate(14 %1) rotate(-90)' text-anchor='middle' "
                     "fill='#333333'>%2</text>")
                     .arg(QString::number(top + shown * rowH / 2, 'f', 1),
                          SvgPlot::esc(L("requests", "请求")));
        }
        // Lanes as the window draws them: a worker loop's strip (red where blocked), then the
        // pieces in their sub-lanes, coalesced to the pixel (never more rectangles than pixels).
        const int px = int(a.width());
        for (int li = 0; li < laneCount; ++li) {
            const TimelineRow lane = laneModel.row(li);
            const double y = lanesTop + li * laneH;
            const int strip = ThreadLaneModel::stripHeight(lane.kind, laneH);
            const double subH = (laneH - strip - 3) / lane.subRows;
            std::vector<PixelRow> subRows(size_t(lane.subRows), PixelRow(px));
            PixelRow blocked(px);
            laneModel.forEachPiece(li, [&](const TimelinePiece &pc) {
                const double x0 = double(pc.startNs - v.startNs) * pxPerNs,
                             x1 = double(pc.endNs - v.startNs) * pxPerNs;
                subRows[pc.sub].add(x0, x1, ReportStyle::categoryColor(pc.colour, false));
                usedCats.insert(pc.colour);
                if (strip > 0 && pc.holdsThread)
                    blocked.add(x0, x1, ReportStyle::blockedColor(false));
            });
            blocked.resolveRuns([&](int x0, int x1, quint32 rgb) {
                anyBlocked = true;
                rect(a.left + x0, y + 1, a.left + x1, strip, rgb);
            });
            for (int sub = 0; sub < lane.subRows; ++sub)
                subRows[size_t(sub)].resolveRuns([&](int x0, int x1, quint32 rgb) {
                    rect(a.left + x0, y + 1 + strip + 1 + sub * subH, a.left + x1, std::max(1.0, subH - 0.5),
                         rgb);
                });
            QString name = lane.label;
            if (name.size() > 12)
                name = name.left(11) + QStringLiteral("…");
            s += QStringLiteral(
                     "<text x='%1' y='%2' text-anchor='end' font-size='10' fill='#555555'>%3</text>")
                     .arg(QString::number(a.left - 6, 'f', 1), QString::number(y + laneH - 4, 'f', 1),
                          SvgPlot::esc(name));
        }
        if (laneCount > 0)
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
        if (anyBlocked)
            legend.push_back({ L("worker loop blocked", "工作循环被阻塞"), ReportStyle::blockedColor(false),
                               false, true });
        if (anyFailed)
            legend.push_back({ failedName, 0xf4a6a6, false, true });
        s += SvgPlot::legendRow(legend, a.left, 16, a.right);
        s += QStringLiteral("</svg>");

        QStringList caption;
        if (rows.isEmpty() && v.isServerSideOnly())
            caption << L("Recorded server-side: no client bars; each request is drawn on its lane below.",
                         "服务器端录制：没有客户端横条；每个请求画在下面它所在的行上。");
        else if (rows.isEmpty())
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
        if (laneCount > 0)
            caption << L(
                "Below the dashed line, one lane per server thread, as in the window's thread view: "
                "what ran on it, overlapping steps stacked; a worker loop's thin top strip is red "
                "where it was blocked. Where several steps share a pixel, their colours are mixed.",
                "虚线下方每一行是一个服务器线程，与窗口的线程视图相同：显示它执行的内容，重叠的步骤"
                "上下堆叠；工作循环顶部的细条在循环被阻塞时为红色。多个步骤落在同一像素时颜色混合。");
        if (laneModel.rowCount() > laneCount)
            caption << L("First %1 of %2 threads shown.", "显示前 %1 个线程（共 %2 个）。")
                           .arg(laneCount)
                           .arg(laneModel.rowCount());
        if (run.variants.size() > 1)
            caption << L("All variants share one time axis.", "所有变体使用同一时间轴。");
        figure(variantTitle(v), s, width, height, caption.join(QLatin1Char(' ')));
    }
}
