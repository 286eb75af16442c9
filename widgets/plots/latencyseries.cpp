#include "latencyseries.h"

#include "scenario/runresult.h"
#include "timeline/timelinedata.h"

#include <limits>

QList<LatencySeries::Point> LatencySeries::ofRun(const VariantResult &v)
{
    LatencyOverTime latency(v.startNs);
    for (const ClientRecord &c : v.client) {
        if (c.finished())
            latency.add(c.completeNs, c.latencyNs());
    }
    if (v.isServerSideOnly()) { // a recording: the server's latency, from arrival to answer
        for (const RequestRecord &r : v.server) {
            if (r.finished() && r.arrivedNs)
                latency.add(r.respondedNs, r.respondedNs - r.arrivedNs);
        }
    }
    return latency.takeClosed(std::numeric_limits<qint64>::max());
}

void LatencySeries::restart(qint64 originNs)
{
    m_latency.clear();
    m_latency.setOrigin(originNs);
    m_pending.clear();
}

void LatencySeries::addFinished(const std::vector<quint64> &positions)
{
    m_pending.insert(m_pending.end(), positions.begin(), positions.end());
}

QList<LatencySeries::Point> LatencySeries::takeSettled(const TimelineData &data, qint64 settledNs)
{
    std::erase_if(m_pending, [&](quint64 pos) {
        const RequestRecord &r = data.at(qsizetype(pos));
        if (r.respondedNs >= settledNs)
            return false;
        m_latency.add(r.respondedNs, r.respondedNs - data.barStartNs(qsizetype(pos)));
        return true;
    });
    return m_latency.takeClosed(settledNs);
}
