// The render passes other than the items (timelineitems.cpp): labels, selection, range, ruler,
// now line and the auto-scaling supervisor's markers. Each draws any TimelineModel.
#include "timelinepasses.h"

#include "gui/theme.h"
#include "timeline/axisticks.h"
#include "timeline/timelinedata.h"
#include "timeline/timelinelod.h"
#include "timeline/timelinemodel.h"
#include "timeviewstate.h"

#include <QPainter>
#include <algorithm>
#include <cmath>

qsizetype TimelineFrame::firstRow() const
{
    return std::clamp<qsizetype>(qsizetype(std::floor(rows.topRow)), 0, model->rowCount());
}

qsizetype TimelineFrame::endRow() const
{
    return std::clamp<qsizetype>(qsizetype(std::ceil(rows.toRow(area.height()))), 0, model->rowCount());
}

bool TimelineFrame::lodFits() const
{
    const TimelineLod *lod = model->lod();
    return lod && lod->rowsPerBlock() <= std::max(1.0, 1.0 / rows.rowPx);
}

TimelineFrame::Band TimelineFrame::band(qsizetype r, int subRows) const
{
    Band b;
    b.top = area.top() + rows.toY(double(r));
    b.height = rows.rowPx;
    b.subRows = std::max(1, subRows);
    if (model->row(r).record >= 0) { // a request's bar: the row, a pixel apart from the next when it can
        b.strip = -1;
        return b;
    }
    b.strip = model->stripPx(r, rows.rowPx);
    return b;
}

double TimelineFrame::Band::subTop(int s) const
{
    if (strip < 0)
        return top;
    return top + 1 + strip + 1 + s * (height - strip - 3) / subRows;
}

double TimelineFrame::Band::subBottom(int s) const
{
    if (strip < 0)
        return top + height - (height >= 5 ? 1.0 : 0.0);
    const double subH = (height - strip - 3) / subRows;
    return std::floor(top + 1 + strip + 1 + (s + 1) * subH) - (subH >= 4 ? 1 : 0);
}

namespace {

QString otherLabel(const RequestRecord &r)
{
    const QString who = r.userId().isEmpty() ? QString() : QStringLiteral(" \u00b7 %1").arg(r.userId());
    return TimelinePasses::tr("other traffic%1").arg(who);
}

} // namespace

void TimelinePasses::labels(QPainter &p, const TimelineFrame &f, const RowsDrawn &drawn)
{
    const Theme &t = Theme::current();
    const TimelineModel &m = *f.model;
    const qsizetype first = f.firstRow(), end = f.endRow();
    const QRect margin(6, f.area.top(), f.margin - 10, f.area.height());
    if (first >= end)
        return;
    if (m.row(first).record >= 0) {
        // Rows of requests: which are shown, and how many; "other traffic" beside such a bar.
        p.setPen(t.mutedText);
        p.drawText(QRect(6, f.area.top() + 2, f.margin - 14, 16), Qt::AlignLeft | Qt::AlignVCenter,
                   m.row(first).label);
        p.drawText(QRect(6, f.area.bottom() - 18, f.margin - 14, 16), Qt::AlignLeft | Qt::AlignVCenter,
                   m.row(end - 1).label);
        const qsizetype others = m.data()->otherCount();
        p.drawText(margin.adjusted(0, 20, -4, -20), Qt::AlignLeft | Qt::AlignVCenter | Qt::TextWordWrap,
                   others > 0 ? tr("%1 requests\nin arrival order\n\n%2 of them other traffic (muted)")
                                    .arg(end - first)
                                    .arg(others)
                              : tr("%1 requests\nin arrival order").arg(end - first));
        if (f.rows.rowPx < 9)
            return;
        for (qsizetype r = first; r < end; ++r) {
            const RequestRecord &rec = m.data()->at(m.row(r).record);
            if (!m.data()->isOther(m.row(r).record))
                continue;
            const double barEnd = f.ax.toX(rec.respondedNs > 0 ? rec.respondedNs : f.nowNs);
            if (barEnd < f.area.width() - 40)
                p.drawText(QRectF(f.area.left() + std::max(0.0, barEnd) + 4,
                                  f.area.top() + f.rows.toY(double(r)), f.area.width() - barEnd - 4,
                                  f.rows.rowPx),
                           Qt::AlignLeft | Qt::AlignVCenter, otherLabel(rec));
        }
        return;
    }
    // Lanes: a name each (long observed names keep both ends; hover shows all), the blocked share.
    for (qsizetype r = first; r < end; ++r) {
        const double y = f.area.top() + f.rows.toY(double(r));
        p.setPen(QPen(t.grid, 1));
        p.drawLine(QPointF(0, y), QPointF(f.area.right(), y));
        const TimelineRow row = m.row(r);
        const bool loop = row.kind == LaneKind::WorkerLoop;
        const double h = f.rows.rowPx;
        const QRectF label(6, y, f.margin - 10, h);
        const QString name = p.fontMetrics().elidedText(row.label, Qt::ElideMiddle, int(label.width()));
        const size_t k = size_t(r - drawn.first);
        const double share = k < drawn.blockedShare.size() ? drawn.blockedShare[k] : 0.0;
        if (loop && share > 0.005 && h >= 26) {
            p.setPen(t.text);
            p.drawText(label.adjusted(0, 0, 0, -h / 2), Qt::AlignLeft | Qt::AlignBottom, name);
            p.setPen(t.blocked);
            p.drawText(label.adjusted(0, h / 2, 0, 0), Qt::AlignLeft | Qt::AlignTop,
                       tr("blocked %1%").arg(qRound(share * 100)));
        } else {
            p.setPen(loop && share > 0.005 ? t.blocked : (loop ? t.text : t.mutedText));
            p.drawText(label, Qt::AlignLeft | Qt::AlignVCenter, name);
        }
    }
    if (first > 0 || end < m.rowCount()) {
        // More lanes than fit: say which are shown (Shift+wheel scrolls them).
        p.setPen(t.mutedText);
        p.drawText(QRect(6, f.area.bottom() - 16, f.margin - 10, 16), Qt::AlignLeft | Qt::AlignVCenter,
                   tr("lanes %1-%2 of %3").arg(first + 1).arg(end).arg(m.rowCount()));
    }
}

void TimelinePasses::selection(QPainter &p, const TimelineFrame &f, const RowsDrawn &drawn)
{
    if (f.selected < 0 || f.selected >= f.model->data()->size())
        return;
    const Theme &t = Theme::current();
    p.setPen(QPen(t.selection, 1.5));
    p.setBrush(Qt::NoBrush);
    const qsizetype first = f.firstRow(), end = f.endRow();
    double left = 1e300, right = -1e300;
    qsizetype rowOf = -1;
    f.model->forEachPieceOfRecord(f.selected, f.nowNs, f.useLod, [&](qsizetype r, const TimelinePiece &pc) {
        left = std::min(left, f.ax.toX(pc.startNs));
        right = std::max(right, f.ax.toX(pc.endNs));
        rowOf = r;
        if (f.model->row(r).record >= 0 || r < first || r >= end)
            return; // a request's bar is outlined whole, below
        // A lane: each of its pieces, on its sub-row.
        const size_t k = size_t(r - drawn.first);
        const int used = k < drawn.subRows.size() ? drawn.subRows[k] : 1;
        const TimelineFrame::Band b = f.band(r, used);
        const int s = std::min(int(pc.sub), used - 1);
        const double y0 = b.subTop(s), y1 = std::max(b.subBottom(s), b.subTop(s) + 1);
        const double x0 = f.area.left() + f.ax.toX(pc.startNs), x1 = f.area.left() + f.ax.toX(pc.endNs);
        p.drawRect(QRectF(x0 - 1, y0 - 1, std::max(1.0, x1 - x0) + 2, y1 - y0 + 2));
    });
    if (rowOf < 0 || f.model->row(rowOf).record < 0)
        return;
    // A request's row: outlined, plus a marker in the margin so it is found when rows are thin.
    const double y = f.area.top() + f.rows.toY(double(rowOf));
    if (y < f.area.top() - 2 || y > f.area.bottom())
        return;
    const double x0 = f.area.left() + left, x1 = f.area.left() + right;
    p.drawRect(QRectF(x0 - 1, y - 1, x1 - x0 + 2, std::max(2.0, f.rows.rowPx) + 1));
    p.setBrush(t.selection);
    p.drawPolygon(QPolygonF({ QPointF(f.area.left() - 8, y - 4), QPointF(f.area.left() - 1, y + 1),
                              QPointF(f.area.left() - 8, y + 6) }));
    p.setBrush(Qt::NoBrush);
}

void TimelinePasses::range(QPainter &p, const TimelineFrame &f)
{
    if (f.rangeToNs <= f.rangeFromNs)
        return;
    const Theme &t = Theme::current();
    const double x0 = f.area.left() + std::max(-1.0, f.ax.toX(f.rangeFromNs));
    const double x1 = f.area.left() + std::min(double(f.area.width()) + 1, f.ax.toX(f.rangeToNs));
    if (x1 <= x0)
        return;
    QColor fill = t.nowLine;
    fill.setAlpha(40);
    p.fillRect(QRectF(x0, f.area.top(), x1 - x0, f.area.height()), fill);
    p.setPen(QPen(t.nowLine, 1));
    p.drawLine(QPointF(x0, f.area.top()), QPointF(x0, f.area.bottom()));
    p.drawLine(QPointF(x1, f.area.top()), QPointF(x1, f.area.bottom()));
}

void TimelinePasses::ruler(QPainter &p, const TimelineFrame &f, int width, int height)
{
    const Theme &t = Theme::current();
    const int rulerH = f.area.top();
    p.fillRect(QRect(0, 0, width, rulerH), t.window);
    const double step = AxisTicks::stepAtLeast(f.ax.nsPerPx() / 1e9 * 110); // a label about every 110 px
    const double first = std::ceil(f.state->toSeconds(f.ax.startNs) / step) * step;
    const int decimals = AxisTicks::decimalsFor(step);
    for (double s = first; s <= f.state->toSeconds(f.ax.endNs()); s += step) {
        const double x = f.area.left() + f.ax.toX(f.state->fromSeconds(s));
        p.setPen(QPen(t.grid, 1));
        p.drawLine(QPointF(x, rulerH), QPointF(x, height));
        p.setPen(t.mutedText);
        p.drawLine(QPointF(x, rulerH - 5), QPointF(x, rulerH));
        p.drawText(QRectF(x - 50, 2, 100, rulerH - 6), Qt::AlignCenter,
                   QStringLiteral("%1 s").arg(s, 0, 'f', decimals));
    }
    p.setPen(t.axis);
    p.drawLine(f.area.left(), rulerH, f.area.right(), rulerH);
    p.setPen(t.mutedText);
    p.drawText(QRect(6, 2, f.margin - 8, rulerH - 4), Qt::AlignVCenter | Qt::AlignLeft,
               f.following ? tr("● live") : tr("❚❚ paused"));
}

void TimelinePasses::nowLine(QPainter &p, const TimelineFrame &f)
{
    if (f.nowNs <= f.ax.startNs || f.nowNs >= f.ax.endNs())
        return;
    const double x = f.area.left() + f.ax.toX(f.nowNs);
    p.setPen(QPen(Theme::current().nowLine, 1, Qt::DashLine));
    p.drawLine(QPointF(x, f.area.top()), QPointF(x, f.area.bottom()));
}

// As in the counter plots: a dashed line across the view, up or down with the number of worker
// loops after the decision on the ruler (hover it for the reason).
void TimelinePasses::scaleMarkers(QPainter &p, const TimelineFrame &f, const QList<ScaleEvent> &events)
{
    const Theme &t = Theme::current();
    for (const ScaleEvent &e : events) {
        if (e.tNs < f.ax.startNs || e.tNs > f.ax.endNs())
            continue;
        const bool up = e.kind == ScaleEvent::Kind::ScaleUp;
        const QColor c = up ? t.category[2] : t.category[4];
        const double x = f.area.left() + f.ax.toX(e.tNs);
        p.setPen(QPen(c, 1.5, Qt::DashLine));
        p.drawLine(QPointF(x, f.area.top()), QPointF(x, f.area.bottom()));
        p.setPen(c);
        p.drawText(QRectF(x + 2, 2, 60, f.area.top() - 4), Qt::AlignLeft | Qt::AlignVCenter,
                   (up ? QStringLiteral("▲%1") : QStringLiteral("▼%1")).arg(e.workers));
    }
}

const ScaleEvent *TimelinePasses::scaleMarkerAt(const TimelineFrame &f, const QList<ScaleEvent> &events,
                                                QPointF pos)
{
    if (pos.y() > f.area.top())
        return nullptr;
    for (const ScaleEvent &e : events) {
        const double x = f.area.left() + f.ax.toX(e.tNs);
        if (e.tNs >= f.ax.startNs && e.tNs <= f.ax.endNs() && pos.x() >= x - 3 && pos.x() <= x + 30)
            return &e;
    }
    return nullptr;
}

void TimelinePasses::empty(QPainter &p, const TimelineFrame &f, const QString &text)
{
    p.setPen(Theme::current().mutedText);
    p.drawText(f.area, Qt::AlignCenter, text);
}
