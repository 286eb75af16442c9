#pragma once

#include "timeline/clientcolours.h"
#include "timeline/requestrowmodel.h"
#include "timeline/threadlanemodel.h"
#include "timelinegeometry.h"

#include <QImage>
#include <QWidget>
#include <vector>

class TimelineData;
class TimeViewState;

// The request timeline: custom-painted, with level of detail so 100,000 requests repaint in a
// few milliseconds. Two views of the same data, each reading its model (core/timeline: what the
// rows and lanes are and what is in them lives there, tested headless in tst_tracemodel); the
// widget only paints and handles input:
// - Requests (RequestRowModel): one row per request in arrival order, its bar split into phases;
// - Threads (ThreadLaneModel): one lane per thread or other lane (worker loops first, then pool
//   threads, processes, observed services), showing what each runs; the intervals where a worker
//   loop was blocked are marked with a red strip. The lane's kind is data, not its name.
// Wheel zooms time (Ctrl+wheel zooms rows, Shift+wheel scrolls rows or lanes), drag pans, hover
// explains, click selects, double-click resumes following the live edge.
class TimelineView : public QWidget
{
    Q_OBJECT
public:
    enum class Mode { Requests, Threads };
    static constexpr int LeftMargin = 110; // the counter plots use the same margin so axes align
    static constexpr int RightMargin = 12;
    static constexpr int RulerHeight = 22;

    TimelineView(Mode mode, TimelineData *data, TimeViewState *state, QWidget *parent = nullptr);

    Mode mode() const { return m_mode; }
    // Shows other records (a saved run, a lesson replay); the live data otherwise.
    void setData(TimelineData *data)
    {
        m_data = data;
        m_requests.setData(data);
        m_selected = -1;
        m_hits.clear();
        update();
    }
    void setNow(qint64 nowNs) { m_nowNs = nowNs; }
    // Requests view: bars coloured by who sent them instead of by phase, with their legend.
    void setClientColourKey(ClientColours::Key key)
    {
        m_clientColours.setKey(key);
        update();
    }
    ClientColours::Key clientColourKey() const { return m_clientColours.key(); }
    qint64 nowNs() const { return m_nowNs; }
    void setSelected(qsizetype index);
    qsizetype selected() const { return m_selected; }
    TimeAxis timeAxis() const;
    const RowAxis &rowAxis() const { return m_rows; }
    void followRows()
    {
        m_rowsFollow = true;
        update();
    }
    // What the model says about request `index`, as HTML (the tooltip and the details panel).
    QString describe(qsizetype index) const;
    // Index of the request under a widget position, or -1.
    qsizetype requestAt(QPointF pos) const;

    QSize sizeHint() const override { return { 900, 420 }; }

signals:
    void requestSelected(qsizetype index);
    // Shift+drag selected a time range (the statistics of the requests that arrived in it).
    void rangeSelected(qint64 fromNs, qint64 toNs);

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
    void paintRuler(class QPainter &p, const TimeAxis &ax);
    void paintRequests(QPainter &p, const TimeAxis &ax);
    void paintThreads(QPainter &p, const TimeAxis &ax);
    void paintEmpty(QPainter &p, const QString &text);

    void packLanes(const TimeAxis &ax, const QRect &area);
    void renderLanes(const TimeAxis &ax, const QRect &area);

    // The thread view's selection and rendering, kept between frames (see paintThreads).
    struct LaneCache
    {
        const TimelineData *data = nullptr;
        quint64 version = ~quint64(0);
        qint64 startNs = 0, spanNs = 0, nowNs = 0;
        QSize size;
        double laneH = 12;
        bool rendered = false;
        qsizetype selected = -1;
        bool dark = true;
        int laneTop = 0;
    };

    struct Hit
    {
        float x0, x1, y0, y1;
        qsizetype record;
    };

    Mode m_mode;
    TimelineData *m_data;
    TimeViewState *m_state;
    RowAxis m_rows;
    bool m_rowsFollow = true;
    qsizetype m_selected = -1;
    qint64 m_nowNs = 0;
    QImage m_buffer;
    std::vector<Hit> m_hits; // thread view: what was drawn where, for hover and click
    RequestRowModel m_requests;
    ClientColours m_clientColours;
    ThreadLaneModel m_laneModel;
    LaneCache m_laneCache;
    int m_laneTop = 0; // first lane shown when there are more than fit
    QPoint m_pressPos;
    QPoint m_lastPos;
    bool m_dragging = false;
    bool m_selectingRange = false;
    qint64 m_rangeFromNs = 0, m_rangeToNs = 0; // shown while non-empty
};
