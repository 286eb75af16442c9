#include "rangestatistics.h"

#include <algorithm>

RangeStatistics::RangeStatistics(qint64 fromNs, qint64 toNs)
    : m_fromNs(fromNs)
    , m_toNs(std::max(toNs, fromNs))
{ }

bool RangeStatistics::add(const RequestRecord &r, qint64 startNs)
{
    if (r.arrivedNs >= m_toNs)
        return false;
    if (r.arrivedNs < m_fromNs)
        return true;
    ++m_arrived;
    ++m_byMode[std::min<size_t>(size_t(r.mode), m_byMode.size() - 1)];
    if (!r.finished()) {
        ++m_inFlight;
        return true;
    }
    ++(r.status >= 200 && r.status < 300 ? m_ok : m_failed);
    m_total.record(r.respondedNs - startNs);
    if (r.firstTokenNs > 0)
        m_firstToken.record(r.firstTokenNs - startNs);
    if (r.startedNs > 0)
        m_wait.record(r.startedNs - startNs);
    m_loopWait.record(phaseTotalNs(r, Phase::LoopWait));
    return true;
}

double RangeStatistics::arrivalsPerSecond() const
{
    return double(m_arrived) / std::max(seconds(), 1e-9);
}
