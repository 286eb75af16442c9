#pragma once

#include "timeline/clientcolours.h"
#include "timeline/timelinemodel.h"
#include "timelinegeometry.h"
#include "timelinepasses.h"

#include <QImage>
#include <QWidget>
#include <memory>

class TimelineData;
class TimeViewState;

// A timeline: any core/timeline TimelineModel drawn by render passes (timelinepasses.h: items,
// labels, selection, ruler, scale markers, range, now line). The main window shows two, one per
// model: RequestRowModel (a row per request in arrival order, its bar split into phases) and
// ThreadLaneModel (a lane per thread, what each ran, a worker loop's blocked strip). What the rows
// are and what is in them, tooltips and details included, is the model's; the widget handles
// input, zoom and selection only. Wheel zooms time (Ctrl+wheel zooms rows, Shift+wheel scrolls
// them), drag pans, hover explains, click selects, Shift+drag selects a range, double-click
// resumes following the live edge; dragging the margin's edge widens it (the counter plots follow).
class TimelineView : public QWidget
{
    Q_OBJECT
public:
    static constexpr int DefaultLeftMargin = 110;
    static constexpr int RightMargin = 12;
    static constexpr int RulerHeight = 22;

    TimelineView(std::unique_ptr<TimelineModel> model, TimelineData *data, TimeViewState *state,
                 QWidget *parent = nullptr);

    const TimelineModel &model() const { return *m_model; }
    // Shows other records (a saved run, a lesson replay); the live data otherwise.
    void setData(TimelineData *data);
    void setNow(qint64 nowNs) { m_nowNs = nowNs; }
    qint64 nowNs() const { return m_nowNs; }
    // Bars coloured by who sent them instead of by phase, with their legend.
    void setClientColourKey(ClientColours::Key key);
    ClientColours::Key clientColourKey() const { return m_clientColours.key(); }
    void setSelected(qsizetype index);
    qsizetype selected() const { return m_selected; }
    TimeAxis timeAxis() const;
    const RowAxis &rowAxis() const { return m_rows; }
    void followRows();
    // The label margin's width: a setting of each view, widened by dragging its edge.
    int leftMargin() const { return m_margin; }
    void setLeftMargin(int px);
    // What the model says about request `index`, as HTML (the tooltip and the details panel).
    QString describe(qsizetype index) const;
    // Index of the request under a widget position, or -1.
    qsizetype requestAt(QPointF pos);

    QSize sizeHint() const override { return { 900, 420 }; }

signals:
    void requestSelected(qsizetype index);
    // Shift+drag selected a time range (the statistics of the requests that arrived in it).
    void rangeSelected(qint64 fromNs, qint64 toNs);
    // The user dragged the margin's edge (views and plots that align with this one follow).
    void leftMarginChanged(int px);

protected:
    void paintEvent(QPaintEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void leaveEvent(QEvent *event) override;

private:
    QRect plotArea() const;
    // Syncs the model with the data and lays out its rows for the current size; then the frame
    // every pass reads.
    void layoutRows();
    TimelineFrame frame() const;
    // The model's range query for this frame, skipped when nothing it depends on changed.
    void ensureSelected(const TimelineFrame &f);
    bool onMarginEdge(QPoint pos) const { return std::abs(pos.x() - m_margin) <= 3 && pos.y() > RulerHeight; }
    void showTooltip(QMouseEvent *event);

    std::unique_ptr<TimelineModel> m_model;
    TimelineData *m_data;
    TimeViewState *m_state;
    RowAxis m_rows;
    bool m_rowsFollow = true;
    qsizetype m_selected = -1;
    qint64 m_nowNs = 0;
    int m_margin = DefaultLeftMargin;
    QImage m_buffer;
    ClientColours m_clientColours;
    TimelinePasses::RowsDrawn m_drawn;
    const TimelineData *m_syncedData = nullptr;
    quint64 m_syncedVersion = ~quint64(0);
    // What the items pass drew last, and for what: a repaint with the same inputs (hover, a
    // tooltip, a new selection, the range) draws the buffer again.
    struct Drawn
    {
        const TimelineData *data = nullptr;
        quint64 version = 0;
        qint64 startNs = 0, spanNs = -1, nowNs = 0;
        double topRow = 0, rowPx = 0;
        QSize size;
        bool dark = false, useLod = false;
        ClientColours::Key clients = ClientColours::Key::None;
        bool operator==(const Drawn &) const = default;
    } m_drawnFor;
    struct Selected
    {
        qint64 startNs = 0, spanNs = -1, nowNs = 0;
        double rowPx = 0;
        quint64 version = 0;
        const TimelineData *data = nullptr;
        bool operator==(const Selected &) const = default;
    } m_selectedFor;
    QPoint m_pressPos;
    QPoint m_lastPos;
    bool m_dragging = false;
    bool m_selectingRange = false;
    bool m_resizingMargin = false;
    qint64 m_rangeFromNs = 0, m_rangeToNs = 0; // shown while non-empty
};
