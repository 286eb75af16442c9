#pragma once

#include "timelinegeometry.h"

#include <QImage>
#include <QWidget>
#include <vector>

class TimelineData;
class TimeViewState;

// The request timeline: custom-painted, with level of detail so 100,000 requests repaint in a
// few milliseconds. Two views of the same data:
// - Requests: one row per request in arrival order, its bar split into coloured phases;
// - Threads: one lane per thread (worker loops first, then pool threads), showing what each thread
//   runs; the intervals where a worker loop was blocked are marked with a red strip.
// Wheel zooms time (Ctrl+wheel zooms rows), drag pans, hover explains, click selects,
// double-click resumes following the live edge.
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
        m_selected = -1;
        m_hits.clear();
        update();
    }
    void setNow(qint64 nowNs) { m_nowNs = nowNs; }
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

    struct ThreadLane
    {
        quint16 thread;
        QString name;
        bool worker;
    };
    struct LanePiece
    {
        qint64 s, e;
        qsizetype record;
        quint8 cat;
        bool blocked;
    };
    // The thread view's packing and rendering, kept between frames (see paintThreads).
    struct LaneCache
    {
        const TimelineData *data = nullptr;
        quint64 version = ~quint64(0);
        qint64 startNs = 0, spanNs = 0, nowNs = 0;
        QSize size;
        std::vector<ThreadLane> lanes;
        std::vector<std::vector<LanePiece>> perLane;
        std::vector<std::vector<quint8>> sub; // sub-lane of each piece
        std::vector<int> used; // sub-lanes used per lane
        std::vector<double> blockedShare;
        std::vector<LanePiece> scratch; // counting sort
        double laneH = 12;
        bool rendered = false;
        qsizetype selected = -1;
        bool dark = true;
    };

    // Every span per lane sorted by start, with the running max of their ends (see packLanes).
    struct LaneIndex
    {
        const TimelineData *data = nullptr;
        quint64 version = ~quint64(0);
        std::vector<ThreadLane> lanes;
        std::vector<std::vector<LanePiece>> pieces;
        std::vector<std::vector<qint64>> maxEnd;
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
    LaneCache m_laneCache;
    LaneIndex m_laneIndex;
    const TimelineData *m_lastPackData = nullptr;
    quint64 m_lastPackVersion = ~quint64(0);
    QPoint m_pressPos;
    QPoint m_lastPos;
    bool m_dragging = false;
    bool m_selectingRange = false;
    qint64 m_rangeFromNs = 0, m_rangeToNs = 0; // shown while non-empty
};
