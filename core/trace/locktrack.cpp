#include "locktrack.h"

#include <algorithm>

LockTrack::LockTrack(quint64 capacity)
    : m_capacity(std::max<quint64>(1, capacity))
{ }

quint64 LockTrack::ask(quint16 thread, qint64 nowNs)
{
    std::lock_guard lock(m_mutex);
    const LockHold h { nowNs, 0, 0, thread };
    if (m_ring.size() < m_capacity)
        m_ring.push_back(h);
    else
        m_ring[m_next % m_capacity] = h;
    return m_next++;
}

LockHold *LockTrack::at(quint64 seq)
{
    if (seq >= m_next || m_next - seq > m_capacity)
        return nullptr; // forgotten
    return &m_ring[seq % m_capacity];
}

void LockTrack::start(quint64 seq, qint64 nowNs)
{
    std::lock_guard lock(m_mutex);
    if (LockHold *h = at(seq))
        h->startNs = nowNs;
}

void LockTrack::end(quint64 seq, qint64 nowNs)
{
    std::lock_guard lock(m_mutex);
    if (LockHold *h = at(seq))
        h->endNs = nowNs;
}

quint64 LockTrack::count() const
{
    std::lock_guard lock(m_mutex);
    return m_next;
}

quint64 LockTrack::firstAvailable() const
{
    std::lock_guard lock(m_mutex);
    return m_next > m_capacity ? m_next - m_capacity : 0;
}

std::vector<LockHold> LockTrack::readFrom(quint64 from, quint64 *first) const
{
    std::lock_guard lock(m_mutex);
    from = std::min(std::max(from, m_next > m_capacity ? m_next - m_capacity : 0), m_next);
    if (first)
        *first = from;
    std::vector<LockHold> out;
    out.reserve(size_t(m_next - std::min(from, m_next)));
    for (quint64 s = from; s < m_next; ++s)
        out.push_back(m_ring[s % m_capacity]);
    return out;
}

std::vector<LockHold> LockTrack::between(qint64 fromNs, qint64 toNs) const
{
    std::vector<LockHold> out;
    for (const LockHold &h : readFrom(0)) {
        const qint64 end = h.endNs > 0 ? h.endNs : toNs;
        if (end >= fromNs && h.askedNs <= toNs)
            out.push_back(h);
    }
    return out;
}

void LockTrack::clear()
{
    std::lock_guard lock(m_mutex);
    m_ring.clear();
    m_next = 0;
}
