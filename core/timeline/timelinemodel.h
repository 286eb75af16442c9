#pragma once

#include "base/threadregistry.h"
#include "trace/requestrecord.h"

#include <QList>
#include <QString>
#include <functional>

class TimelineData;
class TimelineLod;

// One piece of a row: what a request was doing from startNs to endNs.
struct TimelinePiece
{
    qint64 startNs = 0;
    qint64 endNs = 0;
    qsizetype record = -1; // position in TimelineData
    quint8 colour = 0; // colour key: 0 waiting (no span running), otherwise Phase + 1
    quint8 sub = 0; // sub-row (thread lanes: overlapping spans are stacked)
    bool holdsThread = false; // the step held its thread (a blocking call, CPU work)
    bool other = false; // not the run's own traffic: drawn muted
};

// What a row is: a request (its id) or a lane (a thread's name), its kind, how many sub-rows its
// pieces were packed into and, for a worker loop, the share of the selected time it was blocked.
struct TimelineRow
{
    QString label;
    LaneKind kind = LaneKind::Other;
    int subRows = 1;
    double blockedShare = 0;
    qsizetype record = -1; // the row is this one request (request rows), else -1
};

// How a view lays out a model's rows: at most maxRowPx tall; at least minRowPx (0: rows may get
// thinner than a pixel and are drawn merged per pixel; more rows than fit at minRowPx scroll).
// `followsTime`: while following the live edge, the view shows the rows from the first that
// reaches the time in view (requests in arrival order); otherwise from the top.
struct TimelineRowLayout
{
    double minRowPx = 0;
    double maxRowPx = 22;
    bool followsTime = false;
};

// What the details panel and a tooltip say about one request: the record, where its times come
// from, and each step with its thread's name. A CPU step under the modelled GIL carries the true
// sums from the lock's own track (TimelineData::lockHolds): time holding it, time waiting for it,
// and how many times it was handed over.
struct TimelineDetails
{
    RequestRecord record;
    qint64 sentNs = 0; // the client's send time, 0 if unknown
    bool other = false;
    QString loopThread;
    struct Step
    {
        Phase phase = Phase::DbRead;
        quint8 index = 0;
        QString thread;
        qint64 startNs = 0;
        qint64 endNs = 0; // 0 while running
        bool underGil = false;
        qint64 heldNs = 0; // under the GIL: time holding the lock
        qint64 waitNs = 0; // ... and waiting for it
        int handOvers = 0; // ... and how many times it gave it up before the step ended
    };
    QList<Step> steps;
};

// The one model every consumer of a timeline reads: the window's request and thread views, the
// HTML/PDF reports' lanes and trace.json's thread tracks (in the spirit of Qt Creator's
// TimelineModel: rows, a range query, pieces with a colour key, details of an item). Implemented
// by RequestRowModel (a row per request) and ThreadLaneModel (a lane per thread, the one lane
// rule), both reading TimelineData. QtCore only: tested headless (tst_tracemodel).
class TimelineModel
{
public:
    virtual ~TimelineModel() = default;

    virtual const TimelineData *data() const = 0;
    virtual qsizetype rowCount() const = 0;
    virtual TimelineRow row(qsizetype r) const = 0;
    // The range query: selects what overlaps [fromNs, toNs]; spans still running end at nowNs.
    virtual void select(qint64 fromNs, qint64 toNs, qint64 nowNs) = 0;
    // Calls f for each selected piece of row r.
    virtual void forEachPiece(qsizetype r, const std::function<void(const TimelinePiece &)> &f) const = 0;
    // The details of request `record` (a TimelinePiece::record).
    TimelineDetails details(qsizetype record, qint64 nowNs) const;

    // Brings the model up to date with `data` (a new data object starts again), its level of
    // detail included: only what finished since the last call is added.
    virtual void sync(const TimelineData &data) = 0;
    virtual TimelineRowLayout rowLayout() const = 0;
    // A row `rowPx` tall: how many sub-rows it may stack overlapping pieces into, and how tall the
    // strip above them is (a worker loop's "blocked" strip; 0 for none). select() packs for the
    // height set here.
    virtual int maxSubRows(qsizetype r, double rowPx) const
    {
        Q_UNUSED(r);
        Q_UNUSED(rowPx);
        return 1;
    }
    virtual int stripPx(qsizetype r, double rowPx) const
    {
        Q_UNUSED(r);
        Q_UNUSED(rowPx);
        return 0;
    }
    virtual void setRowHeight(double px) { Q_UNUSED(px); }
    // First row that may reach time `ns` (rowLayout().followsTime).
    virtual qsizetype firstRowReaching(qint64 ns) const
    {
        Q_UNUSED(ns);
        return 0;
    }
    // The precomputed level of detail of the finished records (timelinelod.h), and the row in it
    // of row r. What it does not hold yet (records in flight) comes from forEachPieceOutsideLod.
    virtual const TimelineLod *lod() const { return nullptr; }
    virtual qsizetype lodRow(qsizetype r) const { return r; }
    // Calls f for the pieces of row r overlapping [fromNs, toNs] that the level of detail does not
    // hold yet (spans still running end at nowNs), on sub-rows that overlap nothing in it.
    virtual void forEachPieceOutsideLod(qsizetype r, qint64 fromNs, qint64 toNs, qint64 nowNs,
                                        const std::function<void(const TimelinePiece &)> &f) const
    {
        Q_UNUSED(r);
        Q_UNUSED(fromNs);
        Q_UNUSED(toNs);
        Q_UNUSED(nowNs);
        Q_UNUSED(f);
    }
    // Calls f(row, piece) for the pieces of request `record` in the rows (the selection's outline):
    // all of them, selected or not, on the sub-row the level of detail keeps them on (`lodSubRows`)
    // or the one select() gave them.
    virtual void
    forEachPieceOfRecord(qsizetype record, qint64 nowNs, bool lodSubRows,
                         const std::function<void(qsizetype, const TimelinePiece &)> &f) const = 0;
};
