#include "timelinedata.h"

#include "base/threadregistry.h"
#include "trace/tracerecorder.h"

#include <algorithm>

namespace {
constexpr qsizetype BlockSize = 256;

qint64 endOf(const RequestRecord &r, qint64 nowNs)
{
    return r.respondedNs > 0 ? r.respondedNs : std::max(nowNs, r.arrivedNs);
}
} // namespace

bool TimelineData::update(const TraceRecorder &recorder)
{
    bool changed = false;
    if (!m_started || recorder.count() < m_next) { // first use, or the recorder was cleared
        if (m_started) {
            clear();
            changed = true;
        }
        m_started = true;
        m_base = m_next = recorder.firstAvailable();
    }
    // Refresh the records still in flight; drop those that finished from the list.
    for (auto it = m_inFlight.begin(); it != m_inFlight.end();) {
        RequestRecord fresh;
        const quint64 pos = *it;
        if (recorder.read(m_base + pos, &fresh)) {
            m_records[pos] = fresh;
            noteThreads(fresh);
            noteTimes(fresh);
            changed = true;
            if (fresh.finished()) {
                const size_t block = pos / BlockSize;
                m_maxEndPrefix[block] = std::max(m_maxEndPrefix[block], fresh.respondedNs);
                m_finished.push_back(pos);
                m_finishedOrder.push_back(pos);
                it = m_inFlight.erase(it);
                continue;
            }
        } else if (recorder.firstAvailable() > m_base + pos) {
            m_finishedOrder.push_back(pos); // overwritten by the ring: keep what we had, as is
            it = m_inFlight.erase(it);
            continue;
        }
        ++it;
    }
    // Read one by one rather than with readFrom(): a record claimed but not yet published must be
    // retried on the next tick, not skipped, or positions would no longer match sequence numbers.
    const quint64 end = recorder.count();
    RequestRecord r;
    while (m_next < end) {
        if (recorder.read(m_next, &r)) {
            append(r);
        } else if (m_next < recorder.firstAvailable()) {
            RequestRecord lost; // overwritten by the ring before we saw it: keep positions aligned
            lost.arrivedNs = lost.respondedNs = m_records.empty() ? 0 : m_records.back().arrivedNs;
            lost.status = 1;
            append(lost);
        } else {
            break;
        }
        ++m_next;
        changed = true;
    }
    if (changed)
        ++m_version;
    return changed;
}

void TimelineData::reread(const TraceRecorder &recorder)
{
    if (!m_started)
        return;
    m_latestNs = 0;
    std::fill(m_maxEndPrefix.begin(), m_maxEndPrefix.end(), 0);
    RequestRecord fresh;
    for (size_t pos = 0; pos < m_records.size(); ++pos) {
        if (recorder.read(m_base + pos, &fresh))
            m_records[pos] = fresh;
        const RequestRecord &r = m_records[pos];
        noteTimes(r);
        if (r.finished())
            m_maxEndPrefix[pos / BlockSize] = std::max(m_maxEndPrefix[pos / BlockSize], r.respondedNs);
    }
    ++m_generation; // lane indexes hold the old times: rebuilt
    ++m_version;
}

void TimelineData::append(const RequestRecord &r, bool other)
{
    const size_t pos = m_records.size();
    ++m_version;
    m_records.push_back(r);
    m_sentNs.push_back(0);
    if (other) {
        m_other.resize(pos + 1);
        m_other[pos] = true;
        ++m_otherCount;
    }
    if (r.clientTag != 0)
        m_unjoined.push_back(pos);
    if (pos % BlockSize == 0)
        m_maxEndPrefix.push_back(0);
    if (!r.finished())
        m_inFlight.push_back(pos);
    else {
        m_maxEndPrefix.back() = std::max(m_maxEndPrefix.back(), r.respondedNs);
        m_finished.push_back(pos);
        m_finishedOrder.push_back(pos);
    }
    noteThreads(r);
    noteTimes(r);
}

void TimelineData::clear()
{
    m_records.clear();
    m_sentNs.clear();
    m_other.clear();
    m_otherCount = 0;
    m_unjoined.clear();
    m_inFlight.clear();
    m_finished.clear();
    m_finishedOrder.clear();
    ++m_generation;
    m_threads.clear();
    m_maxEndPrefix.clear();
    m_latestNs = 0;
    m_holds.clear();
    m_holdsOf.clear();
    m_lockBase = m_lockOpenFrom = 0;
    m_scaleEvents.clear();
    m_started = false;
    ++m_version;
    m_base = m_next = 0;
}

QString TimelineData::threadName(quint16 index) const
{
    if (!m_threadNames.isEmpty())
        return m_threadNames.value(index, QStringLiteral("thread-%1").arg(index));
    return ThreadRegistry::name(index);
}

LaneKind TimelineData::laneKind(quint16 index) const
{
    if (!m_threadNames.isEmpty())
        return m_threadKinds.value(index, LaneKind::Other);
    return ThreadRegistry::kind(index);
}

void TimelineData::noteThreads(const RequestRecord &r)
{
    for (int i = 0; i < r.spanCount; ++i) {
        const quint16 t = r.spans[size_t(i)].thread;
        if (std::find(m_threads.begin(), m_threads.end(), t) == m_threads.end())
            m_threads.push_back(t);
    }
}

void TimelineData::noteTimes(const RequestRecord &r)
{
    m_latestNs = std::max({ m_latestNs, r.arrivedNs, r.respondedNs });
}

qsizetype TimelineData::lowerBoundArrival(qint64 ns) const
{
    auto it = std::lower_bound(m_records.begin(), m_records.end(), ns,
                               [](const RequestRecord &r, qint64 t) { return r.arrivedNs < t; });
    return qsizetype(it - m_records.begin());
}

qsizetype TimelineData::firstOverlapping(qint64 ns) const
{
    // A block may hold requests ending after `ns` if its max end is later, or it has one in flight.
    size_t firstInFlightBlock = m_maxEndPrefix.size();
    for (quint64 pos : m_inFlight)
        firstInFlightBlock = std::min(firstInFlightBlock, size_t(pos / BlockSize));
    for (size_t b = 0; b < m_maxEndPrefix.size(); ++b) {
        if (b >= firstInFlightBlock || m_maxEndPrefix[b] >= ns) {
            const qsizetype from = qsizetype(b) * BlockSize;
            const qsizetype to = std::min(size(), from + BlockSize);
            for (qsizetype i = from; i < to; ++i) {
                if (endOf(m_records[size_t(i)], m_latestNs) >= ns)
                    return i;
            }
        }
    }
    return size();
}

qint64 TimelineData::barStartNs(qsizetype i) const
{
    const qint64 sent = m_sentNs[size_t(i)];
    const qint64 arrived = m_records[size_t(i)].arrivedNs;
    return sent > 0 && sent < arrived ? sent : arrived;
}

bool TimelineData::joinClientSends(const QHash<quint64, qint64> &sentByTag)
{
    bool changed = false;
    for (auto it = m_unjoined.begin(); it != m_unjoined.end();) {
        const auto found = sentByTag.constFind(m_records[*it].clientTag);
        if (found != sentByTag.constEnd() && found.value() > 0) {
            m_sentNs[*it] = found.value();
            it = m_unjoined.erase(it);
            changed = true;
        } else {
            ++it;
        }
    }
    return changed;
}

void TimelineData::addHold(const LockHold &h)
{
    if (h.thread >= m_holdsOf.size())
        m_holdsOf.resize(size_t(h.thread) + 1);
    m_holdsOf[h.thread].push_back(quint32(m_holds.size()));
    m_holds.push_back(h);
    m_latestNs = std::max({ m_latestNs, h.startNs, h.endNs });
}

void TimelineData::setLockHolds(const std::vector<LockHold> &holds)
{
    m_holds.clear();
    m_holdsOf.clear();
    for (const LockHold &h : holds)
        addHold(h);
    m_lockBase = 0;
    m_lockOpenFrom = m_holds.size();
    ++m_version;
}

bool TimelineData::updateLocks(const LockTrack &track)
{
    const quint64 next = m_lockBase + m_holds.size();
    if (track.count() < next) { // the track was cleared
        m_holds.clear();
        m_holdsOf.clear();
        m_lockBase = m_lockOpenFrom = 0;
    }
    quint64 first = 0;
    const std::vector<LockHold> fresh = track.readFrom(m_lockOpenFrom, &first);
    if (fresh.empty())
        return false;
    if (m_holds.empty() || first > m_lockBase + m_holds.size()) { // nothing yet, or a gap: start here
        m_holds.clear();
        m_holdsOf.clear();
        m_lockBase = first;
    }
    quint64 open = ~quint64(0);
    for (size_t i = 0; i < fresh.size(); ++i) {
        const quint64 seq = first + i;
        const LockHold &h = fresh[i];
        if (seq < m_lockBase + m_holds.size())
            m_holds[size_t(seq - m_lockBase)] = h; // was open when last read
        else
            addHold(h);
        if ((h.startNs == 0 || h.endNs == 0) && open == ~quint64(0))
            open = seq;
        m_latestNs = std::max({ m_latestNs, h.startNs, h.endNs });
    }
    m_lockOpenFrom = open != ~quint64(0) ? open : m_lockBase + m_holds.size();
    ++m_version;
    return true;
}
