#pragma once

#include "timeline/clientcolours.h"
#include "timelinegeometry.h"
#include "trace/servercounters.h"

#include <QCoreApplication>
#include <QImage>
#include <QList>
#include <QRect>

class QPainter;
class TimelineModel;
class TimeViewState;
struct TimelinePiece;
struct TimelineRow;

// One frame of a timeline, as every render pass reads it: where the plot is, the time and row
// axes, the model (any core/timeline TimelineModel: request rows or thread lanes, already synced
// and, for the exact path, selected) and what the user chose. The passes draw; the widget
// (timelineview.h) only turns input into these values.
struct TimelineFrame
{
    QRect area; // the plot, in widget coordinates
    int margin = 110; // the label margin left of it
    TimeAxis ax;
    RowAxis rows;
    const TimelineModel *model = nullptr;
    const TimeViewState *state = nullptr;
    qint64 nowNs = 0;
    qsizetype selected = -1;
    bool useLod = false; // draw the finished records from the model's level of detail
    ClientColours *clients = nullptr; // colour by who sent a request, if keyed
    qint64 rangeFromNs = 0, rangeToNs = 0; // the Shift+drag range, shown while non-empty
    bool following = true;

    // Rows [first, end) in view.
    qsizetype firstRow() const;
    qsizetype endRow() const;
    // Where row r's pixel band starts and how tall it is; for lanes, the strip and sub-rows in it.
    struct Band
    {
        double top = 0, height = 0; // widget y of the whole row
        int strip = 0; // the worker loop's "blocked" strip, from top + 1
        int subRows = 1;
        double subTop(int s) const;
        double subBottom(int s) const;
    };
    Band band(qsizetype r, int subRows) const;
    // Whether the level of detail can draw these rows: a block of them fits in one band.
    bool lodFits() const;
};

// The render passes, in the order the widget runs them. Each reads the frame and paints; none
// keeps state between frames except the items pass's image buffer and lane labels' shares.
struct TimelinePasses
{
    Q_DECLARE_TR_FUNCTIONS(TimelinePasses)
public:
    // The rows' pieces rasterised into `buffer` (the plot's size): exact pieces, or the level of
    // detail plus what it does not hold yet. Returns the sub-rows and blocked share drawn per row.
    struct RowsDrawn
    {
        qsizetype first = 0;
        std::vector<int> subRows;
        std::vector<double> blockedShare;
    };
    static RowsDrawn items(QPainter &p, QImage &buffer, const TimelineFrame &f);
    // Labels in the margin: a lane's name (elided in the middle) and blocked share, or for rows of
    // requests which ones are shown; "other traffic" beside such a request's bar.
    static void labels(QPainter &p, const TimelineFrame &f, const RowsDrawn &drawn);
    static void selection(QPainter &p, const TimelineFrame &f, const RowsDrawn &drawn);
    static void range(QPainter &p, const TimelineFrame &f);
    static void ruler(QPainter &p, const TimelineFrame &f, int width, int height);
    static void nowLine(QPainter &p, const TimelineFrame &f);
    static void scaleMarkers(QPainter &p, const TimelineFrame &f, const QList<ScaleEvent> &events);
    static void empty(QPainter &p, const TimelineFrame &f, const QString &text);

    // The scale event whose marker is at `pos` (on the ruler), or null.
    static const ScaleEvent *scaleMarkerAt(const TimelineFrame &f, const QList<ScaleEvent> &events,
                                           QPointF pos);
    // The request under `pos` (a piece of it, a few pixels of slack), or -1.
    static qsizetype requestAt(const TimelineFrame &f, const RowsDrawn &drawn, QPointF pos);
};
