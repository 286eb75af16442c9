#pragma once

#include "base/threadregistry.h"
#include "trace/requestrecord.h"

#include <QList>
#include <QString>
#include <functional>

class TimelineData;

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
};
