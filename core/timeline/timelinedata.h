#pragma once

#include "base/threadregistry.h"
#include "trace/locktrack.h"
#include "trace/requestrecord.h"
#include "trace/servercounters.h"

#include <QHash>
#include <QStringList>
#include <algorithm>
#include <utility>
#include <vector>

class TraceRecorder;

// The trace model's records: a copy of the server's request records in arrival order, with the
// names and kinds of the lanes their spans ran on. Filled by a TraceSource (tracesource.h): the
// live feed ~30 times a second with only what is new (plus the few records still in flight), or a
// saved run once. The views read it, through RequestRowModel and ThreadLaneModel, without
// touching the recorder. QtCore only (core/timeline), so it is tested headless (tst_tracemodel).
class TimelineData
{
public:
    // Takes new and changed records from `recorder`. Returns true if anything changed.
    bool update(const TraceRecorder &recorder);
    // Reads every record taken so far again, in place (positions stay; views rebuild): for a
    // source that publishes finished records again (observed services whose clock offsets were
    // applied or taken off, OtlpAssembler::correctionsVersion()).
    void reread(const TraceRecorder &recorder);
    void clear();
    // For tests and the benchmark: appends records as if they came from a recorder.
    // `other`: a recorded run's view shows traffic that was not the run's own (the chat panel's
    // message, another client) muted and labelled; it shaped the run but is not counted in it.
    void append(const RequestRecord &record, bool other = false);
    bool isOther(qsizetype i) const { return size_t(i) < m_other.size() && m_other[size_t(i)]; }
    qsizetype otherCount() const { return m_otherCount; }

    const std::vector<RequestRecord> &records() const { return m_records; }
    // Changes whenever the records do (views cache what they derive from them).
    quint64 version() const { return m_version; }
    qsizetype size() const { return qsizetype(m_records.size()); }
    const RequestRecord &at(qsizetype i) const { return m_records[size_t(i)]; }
    // When the load generator sent request i (0 if unknown): the time before the server read it,
    // spent in the listen backlog while a blocked loop could not accept, shows as waiting.
    qint64 sentNs(qsizetype i) const { return m_sentNs[size_t(i)]; }
    qint64 barStartNs(qsizetype i) const;
    // Joins client send times by X-LoopScope-Client-Tag. Returns true if any record changed.
    bool joinClientSends(const QHash<quint64, qint64> &sentByTag);
    qint64 latestNs() const { return m_latestNs; }
    bool hasInFlight() const { return !m_inFlight.empty(); }
    // Threads that appear in any span, indexes into ThreadRegistry.
    const std::vector<quint16> &threads() const { return m_threads; }
    // Positions of the records that finished since the last call (latency over time).
    std::vector<quint64> takeFinished() { return std::exchange(m_finished, {}); }
    // Every finished record's position in the order they finished (appended ones count as finished
    // when appended); never taken, so a model keeps its own cursor into it (ThreadLaneModel's index).
    const std::vector<quint64> &finishedOrder() const { return m_finishedOrder; }
    // Positions of the records still in flight.
    const std::vector<quint64> &inFlight() const { return m_inFlight; }
    // Changes on clear(): positions and finishedOrder() start again.
    quint64 generation() const { return m_generation; }
    // Names and kinds of the lane indexes in spans; a recorded run brings its own (another
    // process's registry). Empty: this process's ThreadRegistry, read when asked, so lanes
    // registered later (pool processes, observed services) appear without any call here.
    void setThreadNames(const QStringList &names, const QList<LaneKind> &kinds = {})
    {
        m_threadNames = names;
        m_threadKinds = kinds;
        ++m_version;
    }
    const QStringList &threadNames() const { return m_threadNames; }
    QString threadName(quint16 index) const;
    LaneKind laneKind(quint16 index) const;
    // First record whose arrival is at or after `ns` (binary search on arrival order).
    qsizetype lowerBoundArrival(qint64 ns) const;
    // First record that may still overlap time `ns` (looks back over long-running requests).
    qsizetype firstOverlapping(qint64 ns) const;

    // The auto-scaling supervisor's decisions: markers across both timelines.
    void setScaleEvents(const QList<ScaleEvent> &events)
    {
        m_scaleEvents = events;
        ++m_version;
    }
    const QList<ScaleEvent> &scaleEvents() const { return m_scaleEvents; }

    // The modelled GIL's turns (trace/locktrack.h): read live from the recorder's track (only what
    // is new, and the turns still open), or a saved run's all at once. Returns true if any changed.
    bool updateLocks(const LockTrack &track);
    void setLockHolds(const std::vector<LockHold> &holds);
    const std::vector<LockHold> &lockHolds() const { return m_holds; }
    // Splits [s, e] of `thread` by its turns at the lock: f(Phase::CpuWork, from, to) while it held
    // it, f(Phase::GilWait, from, to) while it waited for it (or between turns). Returns false, and
    // calls nothing, if the thread had no turn in [s, e] (a CPU step without the GIL). Turns still
    // open end at nowNs.
    template<typename F> bool forEachLockSlice(quint16 thread, qint64 s, qint64 e, qint64 nowNs, F &&f) const;

    // Calls f(category, startNs, endNs) for the consecutive pieces of a request's bar:
    // category 0 is waiting (no span running), otherwise Phase + 1. Unfinished pieces end at nowNs.
    // With `locks`, a CPU step under the GIL is split into its holds and waits (forEachLockSlice).
    template<typename F>
    static void forEachSegment(const RequestRecord &r, qint64 nowNs, F &&f, qint64 sentNs = 0,
                               const TimelineData *locks = nullptr);

private:
    void noteThreads(const RequestRecord &r);
    void noteTimes(const RequestRecord &r);

    std::vector<RequestRecord> m_records;
    QStringList m_threadNames;
    QList<LaneKind> m_threadKinds;
    std::vector<quint64> m_finishedOrder;
    quint64 m_generation = 0;
    std::vector<quint64> m_inFlight; // positions of unfinished records
    std::vector<quint64> m_finished; // finished since takeFinished()
    std::vector<quint16> m_threads;
    std::vector<qint64> m_sentNs;
    std::vector<bool> m_other; // sized on the first "other" record only
    qsizetype m_otherCount = 0;
    std::vector<quint64> m_unjoined; // positions with a client tag and no send time yet
    std::vector<qint64> m_maxEndPrefix; // for firstOverlapping: max end over each block of 256
    quint64 m_base = 0; // recorder sequence of m_records[0]
    quint64 m_next = 0; // next recorder sequence to read
    bool m_started = false;
    quint64 m_version = 0;
    qint64 m_latestNs = 0;
    QList<ScaleEvent> m_scaleEvents;
    std::vector<LockHold> m_holds; // in the order threads asked
    std::vector<std::vector<quint32>> m_holdsOf; // by thread: positions in m_holds
    quint64 m_lockBase = 0; // track sequence of m_holds[0]
    quint64 m_lockOpenFrom = 0; // first sequence still open (or the next to read)
    void addHold(const LockHold &h);
};

template<typename F>
bool TimelineData::forEachLockSlice(quint16 thread, qint64 s, qint64 e, qint64 nowNs, F &&f) const
{
    if (thread >= m_holdsOf.size() || m_holdsOf[thread].empty())
        return false;
    const std::vector<quint32> &mine = m_holdsOf[thread];
    const auto endOf = [&](const LockHold &h) { return h.endNs > 0 ? h.endNs : nowNs; };
    // A thread's turns follow each other: sorted by when it asked, and by when they ended.
    auto it = std::lower_bound(mine.begin(), mine.end(), s,
                               [&](quint32 k, qint64 t) { return endOf(m_holds[k]) < t; });
    if (it == mine.end() || m_holds[*it].askedNs > e)
        return false;
    qint64 cursor = s;
    for (; it != mine.end() && m_holds[*it].askedNs <= e; ++it) {
        const LockHold &h = m_holds[*it];
        const qint64 heldFrom = std::clamp(h.startNs > 0 ? h.startNs : nowNs, cursor, e);
        if (heldFrom > cursor)
            f(Phase::GilWait, cursor, heldFrom);
        const qint64 heldTo = std::clamp(h.startNs > 0 ? endOf(h) : heldFrom, heldFrom, e);
        if (heldTo > heldFrom)
            f(Phase::CpuWork, heldFrom, heldTo);
        cursor = std::max(cursor, heldTo);
    }
    if (e > cursor)
        f(Phase::GilWait, cursor, e);
    return true;
}

template<typename F>
void TimelineData::forEachSegment(const RequestRecord &r, qint64 nowNs, F &&f, qint64 sentNs,
                                  const TimelineData *locks)
{
    if (sentNs > 0 && sentNs < r.arrivedNs)
        f(0, sentNs, r.arrivedNs);
    const qint64 end = r.respondedNs > 0 ? r.respondedNs : nowNs;
    qint64 cursor = r.arrivedNs;
    // Spans are stored in the order they began; a fan-out's overlapping calls merge naturally.
    for (int i = 0; i < r.spanCount; ++i) {
        const TraceSpan &s = r.spans[size_t(i)];
        const qint64 se = s.endNs > 0 ? s.endNs : std::max(nowNs, s.startNs);
        if (s.startNs > cursor)
            f(0, cursor, s.startNs);
        const qint64 from = std::max(cursor, s.startNs);
        if (se > from) {
            if (s.phase != Phase::CpuWork || !locks || locks->m_holds.empty()
                || !locks->forEachLockSlice(s.thread, from, se, nowNs,
                                            [&](Phase p, qint64 a, qint64 b) { f(int(p) + 1, a, b); }))
                f(int(s.phase) + 1, from, se);
            cursor = se;
        }
    }
    if (end > cursor)
        f(0, cursor, end);
}
