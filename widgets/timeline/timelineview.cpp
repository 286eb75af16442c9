#include "timelineview.h"

#include "base/threadregistry.h"
#include "clientlegend.h"
#include "gui/theme.h"
#include "pipeline/dispatchpolicy.h"
#include "requestdescription.h"
#include "timeline/axisticks.h"
#include "timeline/pixelrow.h"
#include "timeline/timelinedata.h"
#include "timeviewstate.h"

#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>
#include <limits>

namespace {

// Writes a PixelRow (the level of detail, core/timeline/pixelrow.h) into rows y0..y1 of `img`.
void resolveInto(PixelRow &row, QImage &img, int y0, int y1)
{
    y1 = std::min(y1, img.height());
    if (y0 < 0 || y1 <= y0) {
        row.resolve([](int, quint32) {});
        return;
    }
    auto *line0 = reinterpret_cast<QRgb *>(img.scanLine(y0));
    int minX = img.width(), maxX = -1;
    row.resolve([&](int x, quint32 rgb) {
        line0[x] = 0xff000000u | rgb;
        minX = std::min(minX, x);
        maxX = x;
    });
    for (int y = y0 + 1; y < y1 && maxX >= minX; ++y)
        std::memcpy(img.scanLine(y) + minX * 4, line0 + minX, size_t(maxX - minX + 1) * 4);
}

int stripHeight(LaneKind kind, double laneH)
{
    return ThreadLaneModel::stripHeight(kind, laneH);
}

} // namespace

TimelineView::TimelineView(Mode mode, TimelineData *data, TimeViewState *state, QWidget *parent)
    : QWidget(parent)
    , m_mode(mode)
    , m_data(data)
    , m_requests(data)
    , m_state(state)
{
    setMouseTracking(true);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setFocusPolicy(Qt::ClickFocus);
    setMinimumHeight(120); // both timelines and the plots fit a 768-pixel-high screen
    connect(state, &TimeViewState::rangeChanged, this, qOverload<>(&QWidget::update));
    connect(state, &TimeViewState::followingChanged, this, [this](bool on) {
        if (on)
            m_rowsFollow = true;
    });
    connect(ThemeNotifier::instance(), &ThemeNotifier::changed, this, qOverload<>(&QWidget::update));
}

QRect TimelineView::plotArea() const
{
    return rect().adjusted(LeftMargin, RulerHeight, -RightMargin, 0);
}

TimeAxis TimelineView::timeAxis() const
{
    TimeAxis ax;
    ax.startNs = m_state->startNs();
    ax.spanNs = m_state->spanNs();
    ax.widthPx = std::max(1, plotArea().width());
    return ax;
}

void TimelineView::setSelected(qsizetype index)
{
    if (index == m_selected)
        return;
    m_selected = index;
    update();
}

void TimelineView::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    const Theme &t = Theme::current();
    p.fillRect(rect(), t.window);
    p.fillRect(plotArea(), t.base);
    const TimeAxis ax = timeAxis();
    if (m_mode == Mode::Requests)
        paintRequests(p, ax);
    else
        paintThreads(p, ax);
    paintRuler(p, ax);
    const QRect area = plotArea();
    if (m_rangeToNs > m_rangeFromNs) {
        const double x0 = area.left() + std::max(-1.0, ax.toX(m_rangeFromNs));
        const double x1 = area.left() + std::min(double(area.width()) + 1, ax.toX(m_rangeToNs));
        if (x1 > x0) {
            QColor fill = t.nowLine;
            fill.setAlpha(40);
            p.fillRect(QRectF(x0, area.top(), x1 - x0, area.height()), fill);
            p.setPen(QPen(t.nowLine, 1));
            p.drawLine(QPointF(x0, area.top()), QPointF(x0, area.bottom()));
            p.drawLine(QPointF(x1, area.top()), QPointF(x1, area.bottom()));
        }
    }
    if (m_nowNs > ax.startNs && m_nowNs < ax.endNs()) {
        const double x = area.left() + ax.toX(m_nowNs);
        p.setPen(QPen(t.nowLine, 1, Qt::DashLine));
        p.drawLine(QPointF(x, area.top()), QPointF(x, area.bottom()));
    }
}

void TimelineView::paintRuler(QPainter &p, const TimeAxis &ax)
{
    const Theme &t = Theme::current();
    const QRect area = plotArea();
    p.fillRect(QRect(0, 0, width(), RulerHeight), t.window);
    const double secPerPx = ax.nsPerPx() / 1e9;
    const double step = AxisTicks::stepAtLeast(secPerPx * 110); // a label about every 110 px
    const double first = std::ceil(m_state->toSeconds(ax.startNs) / step) * step;
    const int decimals = AxisTicks::decimalsFor(step);
    p.setFont(font());
    for (double s = first; s <= m_state->toSeconds(ax.endNs()); s += step) {
        const double x = area.left() + ax.toX(m_state->fromSeconds(s));
        p.setPen(QPen(t.grid, 1));
        p.drawLine(QPointF(x, RulerHeight), QPointF(x, height()));
        p.setPen(t.mutedText);
        p.drawLine(QPointF(x, RulerHeight - 5), QPointF(x, RulerHeight));
        p.drawText(QRectF(x - 50, 2, 100, RulerHeight - 6), Qt::AlignCenter,
                   QStringLiteral("%1 s").arg(s, 0, 'f', decimals));
    }
    p.setPen(t.axis);
    p.drawLine(area.left(), RulerHeight, area.right(), RulerHeight);
    p.setPen(t.mutedText);
    const QString status = m_state->following() ? tr("● live") : tr("❚❚ paused");
    p.drawText(QRect(6, 2, LeftMargin - 8, RulerHeight - 4), Qt::AlignVCenter | Qt::AlignLeft, status);
}

void TimelineView::paintEmpty(QPainter &p, const QString &text)
{
    p.setPen(Theme::current().mutedText);
    p.drawText(plotArea(), Qt::AlignCenter, text);
}

namespace {

// Other traffic in a run's view: the phase colour, faded towards the background.
QColor muted(const QColor &c, const QColor &base)
{
    const auto mix = [](int a, int b) { return (a * 35 + b * 65) / 100; };
    return QColor(mix(c.red(), base.red()), mix(c.green(), base.green()), mix(c.blue(), base.blue()));
}

QString otherLabel(const RequestRecord &r)
{
    const QString who = r.userId().isEmpty() ? QString() : QStringLiteral(" \u00b7 %1").arg(r.userId());
    return TimelineView::tr("other traffic%1").arg(who);
}

} // namespace

void TimelineView::paintRequests(QPainter &p, const TimeAxis &ax)
{
    const Theme &t = Theme::current();
    const QRect area = plotArea();
    const qsizetype n = m_requests.rowCount();
    m_rows.heightPx = area.height();
    if (n == 0) {
        paintEmpty(p, tr("No requests yet: start the server, then send load or chat."));
        return;
    }
    if (m_rowsFollow) {
        const qsizetype first = std::min(m_requests.firstRowReaching(ax.startNs), n - 1);
        m_rows.fit(double(first), double(n - first));
    }
    const qsizetype rowBegin = std::clamp<qsizetype>(qsizetype(std::floor(m_rows.topRow)), 0, n);
    const qsizetype rowEnd = std::clamp<qsizetype>(qsizetype(std::ceil(m_rows.toRow(area.height()))), 0, n);
    const qint64 now = m_nowNs;
    std::array<QRgb, Theme::CategoryCount> rgb, mutedRgb;
    for (int i = 0; i < Theme::CategoryCount; ++i) {
        rgb[size_t(i)] = t.category[size_t(i)].rgb();
        mutedRgb[size_t(i)] = muted(t.category[size_t(i)], t.base).rgb();
    }

    const bool byClient = m_clientColours.key() != ClientColours::Key::None;
    if (m_rows.rowPx >= 1.0) {
        // Detailed: at most a few hundred rows, one rectangle per piece.
        const double gap = m_rows.rowPx >= 5 ? 1.0 : 0.0;
        for (qsizetype i = rowBegin; i < rowEnd; ++i) {
            const RequestRecord &r = m_requests.record(i);
            const double y = area.top() + m_rows.toY(double(i));
            const bool other = m_requests.isOther(i);
            const QColor client = byClient ? QColor::fromRgb(m_clientColours.colourOf(r)) : QColor();
            double barEnd = 0;
            m_requests.forEachPiece(i, now, [&](int cat, qint64 s, qint64 e) {
                const double x0 = std::max(-1.0, ax.toX(s));
                const double x1 = std::min(double(area.width()) + 1, ax.toX(e));
                barEnd = std::max(barEnd, x1);
                if (x1 < 0 || x0 > area.width())
                    return;
                p.fillRect(QRectF(area.left() + x0, y, std::max(1.0, x1 - x0), m_rows.rowPx - gap),
                           byClient    ? (other ? muted(client, t.base) : client)
                               : other ? muted(t.category[size_t(cat)], t.base)
                                       : t.category[size_t(cat)]);
            });
            if (other && m_rows.rowPx >= 9 && barEnd < area.width() - 40) {
                // Labelled: not the run's own request, but it shared the server with it.
                p.setPen(t.mutedText);
                p.drawText(QRectF(area.left() + std::max(0.0, barEnd) + 4, y, area.width() - barEnd - 4,
                                  m_rows.rowPx),
                           Qt::AlignLeft | Qt::AlignVCenter, otherLabel(r));
            }
        }
    } else {
        // Aggregated: many requests per pixel row, averaged colours.
        if (m_buffer.size() != area.size())
            m_buffer = QImage(area.size(), QImage::Format_RGB32);
        m_buffer.fill(t.base);
        PixelRow acc(area.width());
        qsizetype i = rowBegin;
        for (int py = 0; py < area.height() && i < rowEnd; ++py) {
            const double rowTo = m_rows.toRow(py + 1);
            for (; i < rowEnd && double(i) < rowTo; ++i) {
                const RequestRecord &r = m_requests.record(i);
                if (r.arrivedNs > ax.endNs())
                    continue;
                const auto &colours = m_requests.isOther(i) ? mutedRgb : rgb;
                QRgb client = 0;
                if (byClient) {
                    const QColor c = QColor::fromRgb(m_clientColours.colourOf(r));
                    client = (m_requests.isOther(i) ? muted(c, t.base) : c).rgb();
                }
                m_requests.forEachPiece(i, now, [&](int cat, qint64 s, qint64 e) {
                    acc.add(ax.toX(s), ax.toX(e), byClient ? client : colours[size_t(cat)]);
                });
            }
            resolveInto(acc, m_buffer, py, py + 1);
        }
        p.drawImage(area.topLeft(), m_buffer);
    }

    // The selected request: outlined, plus a marker in the margin so it is found when rows are thin.
    if (m_selected >= 0 && m_selected < n) {
        const RequestRecord &r = m_requests.record(m_selected);
        const double y = area.top() + m_rows.toY(double(m_selected));
        if (y >= area.top() - 2 && y <= area.bottom()) {
            const double x0 = area.left() + ax.toX(m_requests.barStartNs(m_selected));
            const double x1 = area.left() + ax.toX(r.respondedNs > 0 ? r.respondedNs : now);
            p.setPen(QPen(t.selection, 1.5));
            p.setBrush(Qt::NoBrush);
            p.drawRect(QRectF(x0 - 1, y - 1, x1 - x0 + 2, std::max(2.0, m_rows.rowPx) + 1));
            p.setBrush(t.selection);
            p.drawPolygon(QPolygonF({ QPointF(area.left() - 8, y - 4), QPointF(area.left() - 1, y + 1),
                                      QPointF(area.left() - 8, y + 6) }));
        }
    }

    if (byClient)
        paintClientLegend(p, m_clientColours, plotArea());
    // Margin: which rows are shown.
    p.setPen(t.mutedText);
    const QString top = tr("#%1").arg(m_requests.record(rowBegin < n ? rowBegin : n - 1).id);
    const QString bottom = tr("#%1").arg(m_requests.record(std::max<qsizetype>(0, rowEnd - 1)).id);
    p.drawText(QRect(6, area.top() + 2, LeftMargin - 14, 16), Qt::AlignLeft | Qt::AlignVCenter, top);
    p.drawText(QRect(6, area.bottom() - 18, LeftMargin - 14, 16), Qt::AlignLeft | Qt::AlignVCenter, bottom);
    p.drawText(QRect(6, area.top() + 20, LeftMargin - 14, area.height() - 40),
               Qt::AlignLeft | Qt::AlignVCenter | Qt::TextWordWrap,
               m_requests.otherCount() > 0
                   ? tr("%1 requests\nin arrival order\n\n%2 of them other traffic (muted)")
                         .arg(rowEnd - rowBegin)
                         .arg(m_requests.otherCount())
                   : tr("%1 requests\nin arrival order").arg(rowEnd - rowBegin));
}

void TimelineView::packLanes(const TimeAxis &ax, const QRect &area)
{
    LaneCache &c = m_laneCache;
    // The model extends its time index with the records that finished since the last frame, then
    // selects and packs what is in view; the widget only chooses how tall a lane is.
    if (c.data != m_data || c.version != m_data->version())
        m_laneModel.sync(*m_data);
    c.data = m_data;
    c.version = m_data->version();
    c.startNs = ax.startNs;
    c.spanNs = ax.spanNs;
    c.size = area.size();
    c.nowNs = m_nowNs;
    const int laneCount = int(m_laneModel.lanes().size());
    c.laneH = std::clamp(double(area.height()) / std::max(1, laneCount), 12.0, 48.0);
    // Many lanes (observed service instances, say) scroll: Shift+wheel or a vertical drag.
    const int fits = std::max(1, int(area.height() / c.laneH));
    m_laneTop = std::clamp(m_laneTop, 0, std::max(0, laneCount - fits));
    const double laneH = c.laneH;
    m_laneModel.setLaneHeight(laneH);
    m_laneModel.select(ax.startNs, ax.endNs(), m_nowNs);
}

void TimelineView::renderLanes(const TimeAxis &ax, const QRect &area)
{
    const Theme &t = Theme::current();
    const LaneCache &c = m_laneCache;
    const auto &lanes = m_laneModel.lanes();
    const auto &view = m_laneModel.view();
    m_hits.clear();
    if (m_buffer.size() != area.size())
        m_buffer = QImage(area.size(), QImage::Format_RGB32);
    m_buffer.fill(t.base);
    PixelRow acc(area.width());
    std::vector<PixelRow> subAcc;
    const size_t totalPieces = m_laneModel.piecesInView();
    // Dense views keep fewer hover targets: a piece must be a few pixels wide to be pointed at.
    const double minHitPx = totalPieces > 100'000 ? 4.0 : 1.5;
    m_hits.reserve(std::min<size_t>(totalPieces, 65536));
    const double laneH = c.laneH;
    const qint64 startNs = ax.startNs;
    const double pxPerNs = 1.0 / ax.nsPerPx();
    std::array<QRgb, Theme::CategoryCount> rgb;
    for (size_t i = 0; i < rgb.size(); ++i)
        rgb[i] = t.category[i].rgb();
    const QRgb blocked = t.blockedStrip.rgb();
    for (int l = m_laneTop; l < int(lanes.size()); ++l) {
        const ThreadLaneModel::LaneView &v = view[size_t(l)];
        const double y0 = (l - m_laneTop) * laneH;
        if (y0 >= area.height())
            break;
        const bool loop = lanes[size_t(l)].kind == LaneKind::WorkerLoop;
        const int strip = stripHeight(lanes[size_t(l)].kind, laneH);
        const int used = v.used;
        const double subH = (laneH - strip - 3) / used;
        // One accumulator per sub-lane and one for the blocked strip (where this loop could not
        // serve anyone), filled in a single pass over the pieces.
        while (int(subAcc.size()) < used)
            subAcc.emplace_back(area.width());
        std::vector<int> subY0(static_cast<size_t>(used), 0), subY1(static_cast<size_t>(used), 0);
        for (int s = 0; s < used; ++s) {
            subY0[size_t(s)] = int(y0 + 1 + strip + 1 + s * subH);
            subY1[size_t(s)]
                = std::min(area.height(), int(y0 + 1 + strip + 1 + (s + 1) * subH) - (subH >= 4 ? 1 : 0));
        }
        v.forEachPiece([&](const ThreadLaneModel::Piece &pc, quint8 sub) {
            const double x0 = double(pc.s - startNs) * pxPerNs, x1 = double(pc.e - startNs) * pxPerNs;
            subAcc[sub].add(x0, x1, rgb[pc.cat]);
            if (loop && pc.blocksLoop)
                acc.add(x0, x1, blocked);
            // Hover targets: pieces wide enough to point at, and the selected request's own.
            if (x1 - x0 < minHitPx && pc.record != m_selected)
                return;
            const int sy0 = subY0[sub], sy1 = subY1[sub];
            m_hits.push_back({ float(area.left() + x0), float(area.left() + std::max(x1, x0 + 1)),
                               float(area.top() + sy0), float(area.top() + std::max(sy1, sy0 + 1)),
                               pc.record });
        });
        if (strip > 0)
            resolveInto(acc, m_buffer, int(y0) + 1, std::min(area.height(), int(y0) + 1 + strip));
        for (int s = 0; s < used; ++s)
            resolveInto(subAcc[size_t(s)], m_buffer, subY0[size_t(s)], subY1[size_t(s)]);
    }
}

void TimelineView::paintThreads(QPainter &p, const TimeAxis &ax)
{
    const Theme &t = Theme::current();
    const QRect area = plotArea();
    // Two caches: the selection and packing (the model's) is redone only when the records, the
    // time range, the size or "now" change; the rendered lanes also when the selection, the
    // theme or the lane scroll change. A repaint for hover, a tooltip or an overlay just blits.
    LaneCache &c = m_laneCache;
    const bool packed = c.data == m_data && c.version == m_data->version() && c.startNs == ax.startNs
        && c.spanNs == ax.spanNs && c.size == area.size() && c.nowNs == m_nowNs;
    if (!packed) {
        c.rendered = false;
        packLanes(ax, area);
    }
    const auto &lanes = m_laneModel.lanes();
    if (lanes.empty()) {
        m_hits.clear();
        paintEmpty(p, tr("No thread has run a request yet."));
        return;
    }
    const int laneCount = int(lanes.size());
    const double laneH = c.laneH;
    if (!c.rendered || c.selected != m_selected || c.dark != t.dark || c.laneTop != m_laneTop
        || m_buffer.size() != area.size()) {
        renderLanes(ax, area);
        c.rendered = true;
        c.selected = m_selected;
        c.dark = t.dark;
        c.laneTop = m_laneTop;
    }
    p.drawImage(area.topLeft(), m_buffer);

    // Lane labels and separators.
    for (int l = m_laneTop; l < laneCount; ++l) {
        const double y = area.top() + (l - m_laneTop) * laneH;
        if (y >= area.bottom())
            break;
        p.setPen(QPen(t.grid, 1));
        p.drawLine(QPointF(0, y), QPointF(area.right(), y));
        const ThreadLaneModel::Lane &lane = lanes[size_t(l)];
        const bool loop = lane.kind == LaneKind::WorkerLoop;
        const QRectF label(6, y, LeftMargin - 10, laneH);
        // Long names (observed "service @ host [instance]") keep both ends; hover shows all.
        const QString name = p.fontMetrics().elidedText(lane.name, Qt::ElideMiddle, int(label.width()));
        const double share = m_laneModel.view()[size_t(l)].blockedShare;
        if (loop && share > 0.005 && laneH >= 26) {
            p.setPen(t.text);
            p.drawText(label.adjusted(0, 0, 0, -laneH / 2), Qt::AlignLeft | Qt::AlignBottom, name);
            p.setPen(t.blocked);
            p.drawText(label.adjusted(0, laneH / 2, 0, 0), Qt::AlignLeft | Qt::AlignTop,
                       tr("blocked %1%").arg(qRound(share * 100)));
        } else {
            p.setPen(loop && share > 0.005 ? t.blocked : (loop ? t.text : t.mutedText));
            p.drawText(label, Qt::AlignLeft | Qt::AlignVCenter, name);
        }
    }
    if (m_laneTop > 0 || laneCount - m_laneTop > int(area.height() / laneH)) {
        // More lanes than fit: say which are shown (Shift+wheel scrolls them).
        p.setPen(t.mutedText);
        p.drawText(QRect(6, area.bottom() - 16, LeftMargin - 10, 16), Qt::AlignLeft | Qt::AlignVCenter,
                   tr("lanes %1-%2 of %3")
                       .arg(m_laneTop + 1)
                       .arg(std::min(laneCount, m_laneTop + int(area.height() / laneH)))
                       .arg(laneCount));
    }

    // The selected request's own path across threads.
    if (m_selected >= 0) {
        p.setPen(QPen(t.selection, 1.5));
        p.setBrush(Qt::NoBrush);
        for (const Hit &h : m_hits) {
            if (h.record == m_selected)
                p.drawRect(QRectF(h.x0 - 1, h.y0 - 1, h.x1 - h.x0 + 2, h.y1 - h.y0 + 2));
        }
    }
}

QString TimelineView::describe(qsizetype index) const
{
    if (!m_data || index < 0 || index >= m_data->size())
        return {};
    return describeRequest(m_requests.details(index, m_nowNs), m_state->originNs(), m_nowNs);
}

qsizetype TimelineView::requestAt(QPointF pos) const
{
    const QRect area = plotArea();
    if (!area.contains(pos.toPoint()))
        return -1;
    if (m_mode == Mode::Requests) {
        const qsizetype row = qsizetype(std::floor(m_rows.toRow(pos.y() - area.top())));
        if (row < 0 || row >= m_requests.rowCount())
            return -1;
        const TimeAxis ax = timeAxis();
        const RequestRecord &r = m_requests.record(row);
        const double x0 = area.left() + ax.toX(m_requests.barStartNs(row));
        const double x1 = area.left() + ax.toX(r.respondedNs > 0 ? r.respondedNs : m_nowNs);
        return pos.x() >= x0 - 3 && pos.x() <= x1 + 3 ? row : -1;
    }
    // Thread view: the last piece drawn under the cursor (a few pixels of slack for thin ones).
    for (auto it = m_hits.rbegin(); it != m_hits.rend(); ++it) {
        if (pos.y() >= it->y0 && pos.y() < it->y1 && pos.x() >= it->x0 - 2 && pos.x() <= it->x1 + 2)
            return it->record;
    }
    return -1;
}

void TimelineView::wheelEvent(QWheelEvent *event)
{
    const double steps = event->angleDelta().y() / 120.0;
    if (steps == 0)
        return;
    const double factor = std::pow(0.8, steps);
    const QPointF pos = event->position() - QPointF(plotArea().topLeft());
    if (m_mode == Mode::Requests && (event->modifiers() & Qt::ControlModifier)) {
        m_rowsFollow = false;
        m_rows.zoom(factor, pos.y(), double(m_requests.rowCount()));
        update();
    } else if (m_mode == Mode::Requests && (event->modifiers() & Qt::ShiftModifier)) {
        m_rowsFollow = false;
        m_rows.scroll(-steps * 60, double(m_requests.rowCount()));
        update();
    } else if (m_mode == Mode::Threads && (event->modifiers() & Qt::ShiftModifier)) {
        // More lanes than fit (many observed service instances): scroll them; packLanes clamps.
        m_laneTop = std::max(0, m_laneTop - int(std::round(steps * 3)));
        m_laneCache.startNs = ~qint64(0); // re-clamp and repack
        update();
    } else {
        TimeAxis ax = timeAxis();
        ax.zoom(factor, std::max(0.0, pos.x()));
        m_state->setUserRange(ax.startNs, ax.spanNs);
    }
    event->accept();
}

void TimelineView::mousePressEvent(QMouseEvent *event)
{
    m_pressPos = m_lastPos = event->position().toPoint();
    m_dragging = false;
    m_selectingRange = event->button() == Qt::LeftButton && (event->modifiers() & Qt::ShiftModifier);
    if (m_selectingRange) {
        m_rangeFromNs = m_rangeToNs = timeAxis().toNs(m_pressPos.x() - plotArea().left());
        update();
    }
}

void TimelineView::mouseMoveEvent(QMouseEvent *event)
{
    const QPoint pos = event->position().toPoint();
    if ((event->buttons() & Qt::LeftButton) && m_selectingRange) {
        const qint64 a = timeAxis().toNs(m_pressPos.x() - plotArea().left());
        const qint64 b = timeAxis().toNs(pos.x() - plotArea().left());
        m_rangeFromNs = std::min(a, b);
        m_rangeToNs = std::max(a, b);
        update();
        return;
    }
    if (event->buttons() & Qt::LeftButton) {
        if (!m_dragging && (pos - m_pressPos).manhattanLength() > 4)
            m_dragging = true;
        if (m_dragging) {
            const QPoint d = pos - m_lastPos;
            TimeAxis ax = timeAxis();
            ax.pan(d.x());
            if (m_mode == Mode::Requests && d.y() != 0) {
                m_rowsFollow = false;
                m_rows.scroll(-d.y(), double(m_requests.rowCount()));
            }
            m_state->setUserRange(ax.startNs, ax.spanNs);
            update();
        }
        m_lastPos = pos;
        return;
    }
    if (m_mode == Mode::Threads && pos.x() < LeftMargin && pos.y() > RulerHeight) {
        // The lane label's full name (elided in the margin).
        const int l = m_laneTop + int((pos.y() - plotArea().top()) / std::max(1.0, m_laneCache.laneH));
        const auto &lanes = m_laneModel.lanes();
        if (l >= 0 && l < int(lanes.size())) {
            QToolTip::showText(event->globalPosition().toPoint(), lanes[size_t(l)].name, this);
            return;
        }
    }
    const qsizetype hit = requestAt(pos);
    if (hit >= 0)
        QToolTip::showText(event->globalPosition().toPoint(),
                           (m_data->isOther(hit) ? tr("<i>Other traffic: not part of this run, but it shared "
                                                      "the server with it.</i><br>")
                                                 : QString())
                               + describe(hit),
                           this);
    else
        QToolTip::hideText();
}

void TimelineView::mouseReleaseEvent(QMouseEvent *event)
{
    if (m_selectingRange) {
        m_selectingRange = false;
        if (m_rangeToNs > m_rangeFromNs)
            emit rangeSelected(m_rangeFromNs, m_rangeToNs);
        return;
    }
    if (!m_dragging && event->button() == Qt::LeftButton) {
        if (m_rangeToNs > m_rangeFromNs) {
            m_rangeFromNs = m_rangeToNs = 0; // a plain click clears the range
            update();
        }
        const qsizetype hit = requestAt(event->position());
        setSelected(hit);
        emit requestSelected(hit);
    }
    m_dragging = false;
}

void TimelineView::mouseDoubleClickEvent(QMouseEvent *)
{
    m_rowsFollow = true;
    m_state->setFollowing(true);
    update();
}

void TimelineView::leaveEvent(QEvent *)
{
    QToolTip::hideText();
}
