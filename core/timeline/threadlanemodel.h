#pragma once

#include "base/threadregistry.h"
#include "timelinemodel.h"

#include <QString>
#include <functional>
#include <span>
#include <vector>

class TimelineData;

// The thread view's model: one lane per thread (or other lane: a pool process, an observed
// service instance) that ran any span, what each lane ran when, packed into sub-lanes where
// spans overlap, and the share of the time in view that each worker loop was blocked.
//
// In the spirit of Qt Creator's TimelineModel and hotspot's EventModel: the model owns the rows
// and what is in them, the widget (widgets/timeline/timelineview.cpp) only paints them and turns
// input into a time range. Lives in core/timeline, QtCore only (no QtGui), so the packing, the
// time index and the blocked share are tested headless (tests/auto/tst_tracemodel.cpp). Where the
// records come from (the live recorder, a saved run, observed services) is TraceSource's business
// (tracesource.h): the model reads TimelineData whatever filled it.
//
// A lane's kind comes from data (ThreadRegistry::kind(), or the kinds a saved run stored), never
// from its name: worker loops are listed first and get the blocked strip; pool threads, pool
// processes, services and other threads follow, grouped by kind.
//
// The one lane rule: the window's thread view, the reports' lanes and trace.json's thread tracks
// all read this model (through TimelineModel), so they show the same lanes in the same order with
// the same pieces, packed the same way for the same lane height (subLanesFor).
class ThreadLaneModel final : public TimelineModel
{
public:
    struct Lane
    {
        quint16 thread; // index into the data's lane names (ThreadRegistry for live data)
        QString name;
        LaneKind kind;
    };
    // One span on a lane: [s, e], the record it belongs to, its colour category (Phase + 1) and
    // whether it held its worker loop (a blocking call on the loop's own thread).
    struct Piece
    {
        qint64 s, e;
        qsizetype record;
        quint8 cat;
        bool blocksLoop;
    };
    static constexpr quint8 NotInView = 0xff; // sub-lane of an indexed piece outside the window

    // What one lane shows in the selected window: indexed pieces (finished records, sorted by
    // start, a slice of the time index: no copy) and running ones (records in flight, sorted by
    // start), each with its sub-lane.
    struct LaneView
    {
        std::span<const Piece> indexed;
        std::vector<quint8> indexedSub; // NotInView for pieces of the slice that end before it
        std::vector<Piece> running;
        std::vector<quint8> runningSub;
        int used = 1; // sub-lanes used
        double blockedShare = 0; // worker loops: share of the window blocked
        template<typename F> void forEachPiece(F &&f) const
        {
            for (size_t k = 0; k < indexed.size(); ++k) {
                if (indexedSub[k] != NotInView)
                    f(indexed[k], indexedSub[k]);
            }
            for (size_t k = 0; k < running.size(); ++k)
                f(running[k], runningSub[k]);
        }
    };

    // Brings the lanes and the time index up to date with `data`: only the records that finished
    // since the last call are added (a new data object, or a cleared one, starts again).
    void sync(const TimelineData &data);
    const std::vector<Lane> &lanes() const { return m_lanes; }

    // Selects what overlaps [startNs, endNs] (spans still running end at nowNs) and packs each
    // lane into at most maxSubLanes(lane) sub-lanes. Call sync() first.
    void select(qint64 startNs, qint64 endNs, qint64 nowNs,
                const std::function<int(const Lane &)> &maxSubLanes);
    const std::vector<LaneView> &view() const { return m_view; }
    size_t piecesInView() const { return m_piecesInView; }

    // Counts, for tests: pieces in the index over all lanes, and how many times it was rebuilt.
    size_t indexedPieces() const;
    int rebuilds() const { return m_rebuilds; }

    // Worker loops first, then pool threads, processes, services and other threads.
    static int kindOrder(LaneKind kind);
    // How a lane `laneHeightPx` tall is laid out: worker loops carry a strip (red where blocked)
    // above their spans; below it, overlapping spans are stacked into at most subLanesFor() rows.
    static int stripHeight(LaneKind kind, double laneHeightPx);
    static int subLanesFor(LaneKind kind, double laneHeightPx);

    // TimelineModel: a row per lane, packed for the lane height set here (12 px until set).
    void setLaneHeight(double px) { m_laneHeightPx = px; }
    const TimelineData *data() const override { return m_data; }
    qsizetype rowCount() const override { return qsizetype(m_lanes.size()); }
    TimelineRow row(qsizetype r) const override;
    void select(qint64 fromNs, qint64 toNs, qint64 nowNs) override;
    void forEachPiece(qsizetype r, const std::function<void(const TimelinePiece &)> &f) const override;

private:
    struct ThreadIndex
    {
        std::vector<Piece> pieces; // finished records' spans, sorted by start
        std::vector<qint64> maxEnd; // running max of pieces[0..k].e, for the first that reaches a time
    };
    void addToIndex(const TimelineData &data, qsizetype record);
    static void insertPiece(ThreadIndex &ix, const Piece &pc);
    ThreadIndex &indexOf(quint16 thread);

    const TimelineData *m_data = nullptr;
    quint64 m_generation = ~quint64(0);
    size_t m_finishedCursor = 0;
    std::vector<ThreadIndex> m_index; // by thread index
    std::vector<Lane> m_lanes;
    std::vector<LaneView> m_view;
    size_t m_piecesInView = 0;
    int m_rebuilds = 0;
    double m_laneHeightPx = 12;
};
