#include "timelineview.h"

#include "clientlegend.h"
#include "gui/theme.h"
#include "requestdescription.h"
#include "timeline/timelinedata.h"
#include "timeline/timelinelod.h"
#include "timeviewstate.h"

#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <QWheelEvent>
#include <algorithm>
#include <cmath>

TimelineView::TimelineView(std::unique_ptr<TimelineModel> model, TimelineData *data, TimeViewState *state,
                           QWidget *parent)
    : QWidget(parent)
    , m_model(std::move(model))
    , m_data(data)
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

void TimelineView::setData(TimelineData *data)
{
    m_data = data;
    m_selected = -1;
    update();
}

void TimelineView::setClientColourKey(ClientColours::Key key)
{
    m_clientColours.setKey(key);
    update();
}

void TimelineView::setSelected(qsizetype index)
{
    if (index == m_selected)
        return;
    m_selected = index;
    update();
}

void TimelineView::followRows()
{
    m_rowsFollow = true;
    update();
}

void TimelineView::setLeftMargin(int px)
{
    px = std::max(60, px);
    if (px == m_margin)
        return;
    m_margin = px;
    update();
}

QRect TimelineView::plotArea() const
{
    return rect().adjusted(m_margin, RulerHeight, -RightMargin, 0);
}

TimeAxis TimelineView::timeAxis() const
{
    TimeAxis ax;
    ax.startNs = m_state->startNs();
    ax.spanNs = m_state->spanNs();
    ax.widthPx = std::max(1, plotArea().width());
    return ax;
}

void TimelineView::layoutRows()
{
    if (m_syncedData != m_data || m_syncedVersion != m_data->version()) {
        m_model->sync(*m_data); // only what is new since the last frame
        m_syncedData = m_data;
        m_syncedVersion = m_data->version();
    }
    const TimelineRowLayout layout = m_model->rowLayout();
    const qsizetype n = m_model->rowCount();
    const double h = plotArea().height();
    m_rows.heightPx = h;
    if (layout.minRowPx > 0) {
        // Rows fill the height within their bounds; more than fit scroll by whole rows.
        m_rows.rowPx = std::clamp(h / double(std::max<qsizetype>(1, n)), layout.minRowPx, layout.maxRowPx);
        const double fits = std::max(1.0, std::floor(h / m_rows.rowPx));
        m_rows.topRow = std::clamp(std::round(m_rows.topRow), 0.0, std::max(0.0, double(n) - fits));
    } else if (m_rowsFollow && layout.followsTime && n > 0) {
        const qsizetype first = std::min(m_model->firstRowReaching(m_state->startNs()), n - 1);
        m_rows.fit(double(first), double(n - first), layout.maxRowPx);
    }
}

TimelineFrame TimelineView::frame() const
{
    TimelineFrame f;
    f.area = plotArea();
    f.margin = m_margin;
    f.ax = timeAxis();
    f.rows = m_rows;
    f.model = m_model.get();
    f.state = m_state;
    f.nowNs = m_nowNs;
    f.selected = m_selected;
    f.clients = const_cast<ClientColours *>(&m_clientColours); // assigns colours to new clients
    f.rangeFromNs = m_rangeFromNs;
    f.rangeToNs = m_rangeToNs;
    f.following = m_state->following();
    const TimelineLod *lod = m_model->lod();
    f.useLod = lod && lod->fineEnoughFor(f.ax.nsPerPx()) && f.lodFits()
        && m_clientColours.key() == ClientColours::Key::None;
    return f;
}

void TimelineView::ensureSelected(const TimelineFrame &f)
{
    const Selected key { f.ax.startNs, f.ax.spanNs, f.nowNs, f.rows.rowPx, m_data->version(), m_data };
    if (key == m_selectedFor)
        return;
    m_model->setRowHeight(f.rows.rowPx);
    m_model->select(f.ax.startNs, f.ax.endNs(), f.nowNs);
    m_selectedFor = key;
}

void TimelineView::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    const Theme &t = Theme::current();
    p.fillRect(rect(), t.window);
    layoutRows();
    const TimelineFrame f = frame();
    p.fillRect(f.area, t.base);
    if (m_model->rowCount() == 0) {
        m_drawn = {};
        TimelinePasses::empty(p, f,
                              m_model->rowLayout().followsTime
                                  ? tr("No requests yet: start the server, then send load or chat.")
                                  : tr("No thread has run a request yet."));
    } else {
        const Drawn key { m_data,  m_data->version(), f.ax.startNs,         f.ax.spanNs,
                          f.nowNs, f.rows.topRow,     f.rows.rowPx,         f.area.size(),
                          t.dark,  f.useLod,          m_clientColours.key() };
        if (key == m_drawnFor && m_buffer.size() == f.area.size()) {
            p.drawImage(f.area.topLeft(), m_buffer);
        } else {
            if (!f.useLod)
                ensureSelected(f);
            m_drawn = TimelinePasses::items(p, m_buffer, f);
            m_drawnFor = key;
        }
        if (m_clientColours.key() != ClientColours::Key::None)
            paintClientLegend(p, m_clientColours, f.area);
        TimelinePasses::labels(p, f, m_drawn);
        TimelinePasses::selection(p, f, m_drawn);
    }
    TimelinePasses::ruler(p, f, width(), height());
    TimelinePasses::scaleMarkers(p, f, m_data->scaleEvents());
    TimelinePasses::range(p, f);
    TimelinePasses::nowLine(p, f);
}

QString TimelineView::describe(qsizetype index) const
{
    if (!m_data || index < 0 || index >= m_data->size())
        return {};
    return describeRequest(m_model->details(index, m_nowNs), m_state->originNs(), m_nowNs);
}

qsizetype TimelineView::requestAt(QPointF pos)
{
    layoutRows();
    const TimelineFrame f = frame();
    ensureSelected(f); // under the level of detail, the pieces are selected only when pointed at
    return TimelinePasses::requestAt(f, m_drawn, pos);
}

void TimelineView::wheelEvent(QWheelEvent *event)
{
    const double steps = event->angleDelta().y() / 120.0;
    if (steps == 0)
        return;
    const double factor = std::pow(0.8, steps);
    const QPointF pos = event->position() - QPointF(plotArea().topLeft());
    const bool thinRows = m_model->rowLayout().minRowPx <= 0; // rows of any height: they zoom
    const double n = double(m_model->rowCount());
    if (thinRows && (event->modifiers() & Qt::ControlModifier)) {
        m_rowsFollow = false;
        m_rows.zoom(factor, pos.y(), n);
    } else if (event->modifiers() & Qt::ShiftModifier) {
        m_rowsFollow = false;
        if (thinRows)
            m_rows.scroll(-steps * 60, n);
        else
            m_rows.topRow = std::max(0.0, m_rows.topRow - std::round(steps * 3)); // layoutRows clamps
    } else {
        TimeAxis ax = timeAxis();
        ax.zoom(factor, std::max(0.0, pos.x()));
        m_state->setUserRange(ax.startNs, ax.spanNs);
    }
    update();
    event->accept();
}

void TimelineView::mousePressEvent(QMouseEvent *event)
{
    m_pressPos = m_lastPos = event->position().toPoint();
    m_dragging = false;
    m_resizingMargin = event->button() == Qt::LeftButton && onMarginEdge(m_pressPos);
    m_selectingRange
        = !m_resizingMargin && event->button() == Qt::LeftButton && (event->modifiers() & Qt::ShiftModifier);
    if (m_selectingRange) {
        m_rangeFromNs = m_rangeToNs = timeAxis().toNs(m_pressPos.x() - plotArea().left());
        update();
    }
}

void TimelineView::mouseMoveEvent(QMouseEvent *event)
{
    const QPoint pos = event->position().toPoint();
    if ((event->buttons() & Qt::LeftButton) && m_resizingMargin) {
        setLeftMargin(std::min(pos.x(), width() / 2));
        emit leftMarginChanged(m_margin);
        return;
    }
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
            if (m_model->rowLayout().minRowPx <= 0 && d.y() != 0) {
                m_rowsFollow = false;
                m_rows.scroll(-d.y(), double(m_model->rowCount()));
            }
            m_state->setUserRange(ax.startNs, ax.spanNs);
            update();
        }
        m_lastPos = pos;
        return;
    }
    if (onMarginEdge(pos))
        setCursor(Qt::SplitHCursor);
    else
        unsetCursor();
    showTooltip(event);
}

void TimelineView::showTooltip(QMouseEvent *event)
{
    const QPoint pos = event->position().toPoint();
    const QPoint global = event->globalPosition().toPoint();
    const TimelineFrame f = frame();
    if (const ScaleEvent *e = TimelinePasses::scaleMarkerAt(f, m_data->scaleEvents(), pos)) {
        QToolTip::showText(global,
                           tr("Supervisor %1: %2 (%3 worker loops)")
                               .arg(ScaleEvent::kindName(e->kind), e->reason.toHtmlEscaped())
                               .arg(e->workers),
                           this);
        return;
    }
    if (pos.x() < m_margin && pos.y() > RulerHeight) {
        // A lane label's full name (elided in the margin).
        const qsizetype r = qsizetype(std::floor(m_rows.toRow(pos.y() - RulerHeight)));
        if (r >= 0 && r < m_model->rowCount() && m_model->row(r).record < 0) {
            QToolTip::showText(global, m_model->row(r).label, this);
            return;
        }
    }
    const qsizetype hit = requestAt(pos);
    if (hit < 0) {
        QToolTip::hideText();
        return;
    }
    QToolTip::showText(global,
                       (m_data->isOther(hit) ? tr("<i>Other traffic: not part of this run, but it shared the "
                                                  "server with it.</i><br>")
                                             : QString())
                           + describe(hit),
                       this);
}

void TimelineView::mouseReleaseEvent(QMouseEvent *event)
{
    if (std::exchange(m_resizingMargin, false))
        return;
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
