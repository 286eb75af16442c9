#include "threadlanemodel.h"

#include "lanepacker.h"
#include "pipeline/dispatchpolicy.h"
#include "timelinedata.h"

#include <algorithm>
#include <limits>

namespace {

// Only asked of spans on a worker loop's lane: a blocking handler's calls, and CPU work in any
// mode, hold the loop's own thread; while they run that loop accepts and serves no one.
bool blocksLoop(const RequestRecord &r, Phase phase)
{
    return DispatchPolicy::holdsThread(r.mode, phase);
}

// The pieces a span puts on its lane: itself, or a CPU step under the GIL split into the
// thread's turns at the lock (held: CpuWork, waiting: GilWait), so no two lanes ever show CPU
// work under the GIL at the same instant.
template<typename F>
void forEachPieceOf(const TimelineData &data, const RequestRecord &, const TraceSpan &sp, qint64 end,
                    qint64 nowNs, F &&f)
{
    if (sp.phase == Phase::CpuWork && data.forEachLockSlice(sp.thread, sp.startNs, end, nowNs, f))
        return;
    f(sp.phase, sp.startNs, end);
}

} // namespace

int ThreadLaneModel::kindOrder(LaneKind kind)
{
    switch (kind) {
    case LaneKind::WorkerLoop:
        return 0;
    case LaneKind::PoolThread:
        return 1;
    case LaneKind::Process:
        return 2;
    case LaneKind::Service:
        return 3;
    case LaneKind::Other:
        break;
    }
    return 4;
}

int ThreadLaneModel::stripHeight(LaneKind kind, double laneHeightPx)
{
    return kind == LaneKind::WorkerLoop ? std::max(3, int(laneHeightPx / 6)) : 0;
}

int ThreadLaneModel::subLanesFor(LaneKind kind, double laneHeightPx)
{
    return std::clamp(int((laneHeightPx - stripHeight(kind, laneHeightPx) - 3) / 4), 1, 8);
}

TimelineRow ThreadLaneModel::row(qsizetype r) const
{
    const Lane &lane = m_lanes[size_t(r)];
    TimelineRow out { lane.name, lane.kind, 1, 0 };
    if (size_t(r) < m_view.size()) {
        out.subRows = m_view[size_t(r)].used;
        out.blockedShare = m_view[size_t(r)].blockedShare;
    }
    return out;
}

void ThreadLaneModel::select(qint64 fromNs, qint64 toNs, qint64 nowNs)
{
    const double h = m_laneHeightPx;
    select(fromNs, toNs, nowNs, [h](const Lane &lane) { return subLanesFor(lane.kind, h); });
}

void ThreadLaneModel::forEachPiece(qsizetype r, const std::function<void(const TimelinePiece &)> &f) const
{
    if (size_t(r) >= m_view.size() || !m_data)
        return;
    m_view[size_t(r)].forEachPiece([&](const Piece &pc, quint8 sub) {
        f(TimelinePiece { pc.s, pc.e, pc.record, pc.cat, sub, pc.blocksLoop, m_data->isOther(pc.record) });
    });
}

ThreadLaneModel::ThreadIndex &ThreadLaneModel::indexOf(quint16 thread)
{
    if (thread >= m_index.size())
        m_index.resize(size_t(thread) + 1);
    return m_index[thread];
}

void ThreadLaneModel::addToIndex(const TimelineData &data, qsizetype record)
{
    const RequestRecord &r = data.at(record);
    for (int k = 0; k < r.spanCount; ++k) {
        const TraceSpan &sp = r.spans[size_t(k)];
        // A finished record's spans have ended; one the recorder's ring overwrote while in flight
        // keeps what was last seen, its open spans ending at the latest time known.
        const qint64 end = sp.endNs > 0 ? sp.endNs : std::max(data.latestNs(), sp.startNs);
        forEachPieceOf(data, r, sp, end, data.latestNs(), [&](Phase phase, qint64 s, qint64 e) {
            insertPiece(indexOf(sp.thread), { s, e, record, quint8(int(phase) + 1), blocksLoop(r, phase) });
        });
    }
}

void ThreadLaneModel::insertPiece(ThreadIndex &ix, const Piece &pc)
{
    // Records finish roughly in start order, so a new piece lands at or near the end.
    auto at = ix.pieces.end();
    if (!ix.pieces.empty() && ix.pieces.back().s > pc.s)
        at = std::upper_bound(ix.pieces.begin(), ix.pieces.end(), pc.s,
                              [](qint64 s, const Piece &p) { return s < p.s; });
    const size_t p = size_t(at - ix.pieces.begin());
    ix.pieces.insert(at, pc);
    const qint64 before = p > 0 ? ix.maxEnd[p - 1] : std::numeric_limits<qint64>::min();
    ix.maxEnd.insert(ix.maxEnd.begin() + qsizetype(p), std::max(before, pc.e));
    // Later running maxima change only until one already covers the new end.
    for (size_t q = p + 1; q < ix.maxEnd.size() && ix.maxEnd[q] < pc.e; ++q)
        ix.maxEnd[q] = pc.e;
}

void ThreadLaneModel::sync(const TimelineData &data)
{
    if (m_data != &data || m_generation != data.generation()
        || m_finishedCursor > data.finishedOrder().size()) {
        m_data = &data;
        m_generation = data.generation();
        m_finishedCursor = 0;
        m_index.clear();
        ++m_rebuilds;
    }
    const auto &finished = data.finishedOrder();
    for (; m_finishedCursor < finished.size(); ++m_finishedCursor)
        addToIndex(data, qsizetype(finished[m_finishedCursor]));

    m_lanes.clear();
    for (quint16 th : data.threads())
        m_lanes.push_back({ th, data.threadName(th), data.laneKind(th) });
    std::sort(m_lanes.begin(), m_lanes.end(), [](const Lane &a, const Lane &b) {
        if (a.kind != b.kind)
            return kindOrder(a.kind) < kindOrder(b.kind);
        if (a.name.size() != b.name.size())
            return a.name.size() < b.name.size(); // pool-2 before pool-10
        return a.name < b.name;
    });
}

size_t ThreadLaneModel::indexedPieces() const
{
    size_t n = 0;
    for (const ThreadIndex &ix : m_index)
        n += ix.pieces.size();
    return n;
}

void ThreadLaneModel::select(qint64 startNs, qint64 endNs, qint64 nowNs,
                             const std::function<int(const Lane &)> &maxSubLanes)
{
    m_view.resize(m_lanes.size());
    m_piecesInView = 0;
    if (!m_data)
        return;
    const TimelineData &data = *m_data;
    std::vector<int> laneOf(m_index.size(), -1);
    for (size_t l = 0; l < m_lanes.size(); ++l) {
        if (m_lanes[l].thread >= laneOf.size())
            laneOf.resize(size_t(m_lanes[l].thread) + 1, -1);
        laneOf[m_lanes[l].thread] = int(l);
    }
    for (LaneView &v : m_view)
        v.running.clear();
    // Records in flight: few, and their open spans end at "now", which moves every frame.
    for (quint64 pos : data.inFlight()) {
        const RequestRecord &r = data.at(qsizetype(pos));
        for (int k = 0; k < r.spanCount; ++k) {
            const TraceSpan &sp = r.spans[size_t(k)];
            const qint64 e = sp.endNs > 0 ? sp.endNs : std::max(nowNs, sp.startNs);
            if (e < startNs || sp.startNs > endNs || sp.thread >= laneOf.size() || laneOf[sp.thread] < 0)
                continue;
            auto &running = m_view[size_t(laneOf[sp.thread])].running;
            forEachPieceOf(data, r, sp, e, nowNs, [&](Phase phase, qint64 s, qint64 pe) {
                running.push_back({ s, pe, qsizetype(pos), quint8(int(phase) + 1), blocksLoop(r, phase) });
            });
        }
    }
    const auto byStart = [](const Piece &a, const Piece &b) { return a.s < b.s; };
    for (size_t l = 0; l < m_lanes.size(); ++l) {
        const Lane &lane = m_lanes[l];
        LaneView &v = m_view[l];
        // The index's slice: from the first piece whose running max end reaches the window, to the
        // last that starts in it. Some in between ended before it: marked, not copied.
        v.indexed = {};
        if (lane.thread < m_index.size()) {
            const ThreadIndex &ix = m_index[lane.thread];
            const size_t k0
                = size_t(std::lower_bound(ix.maxEnd.begin(), ix.maxEnd.end(), startNs) - ix.maxEnd.begin());
            const size_t k1 = size_t(std::upper_bound(ix.pieces.begin() + qsizetype(k0), ix.pieces.end(),
                                                      endNs, [](qint64 t, const Piece &p) { return t < p.s; })
                                     - ix.pieces.begin());
            v.indexed = std::span<const Piece>(ix.pieces.data() + k0, k1 - k0);
        }
        std::sort(v.running.begin(), v.running.end(), byStart);
        v.indexedSub.resize(v.indexed.size());
        v.runningSub.resize(v.running.size());

        // Pack both in start order (a merge of two sorted runs) and sum the blocked time.
        LanePacker packer(std::max(1, maxSubLanes(lane)));
        const bool loop = lane.kind == LaneKind::WorkerLoop;
        qint64 blockedNs = 0, coveredTo = startNs;
        size_t a = 0, b = 0;
        while (a < v.indexed.size() || b < v.running.size()) {
            const bool fromIndex
                = b >= v.running.size() || (a < v.indexed.size() && v.indexed[a].s <= v.running[b].s);
            const Piece &pc = fromIndex ? v.indexed[a] : v.running[b];
            quint8 &sub = fromIndex ? v.indexedSub[a++] : v.runningSub[b++];
            if (pc.e < startNs) {
                sub = NotInView;
                continue;
            }
            sub = quint8(packer.place(pc.s, pc.e));
            ++m_piecesInView;
            if (loop && pc.blocksLoop) {
                // The share of the visible time this loop could not serve anyone.
                const qint64 s = std::max(pc.s, coveredTo), e = std::min(pc.e, endNs);
                if (e > s) {
                    blockedNs += e - s;
                    coveredTo = e;
                }
            }
        }
        v.used = std::max(1, packer.lanesUsed());
        v.blockedShare = endNs > startNs ? double(blockedNs) / double(endNs - startNs) : 0.0;
    }
}
