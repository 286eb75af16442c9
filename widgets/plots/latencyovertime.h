#pragma once

#include <QList>
#include <map>
#include <vector>

// Latency percentiles per second of completion, for the "latency over time" plot. Requests are
// added as they finish; a second is summarised once it can no longer change.
class LatencyOverTime
{
public:
    struct Point
    {
        qint64 tNs = 0; // the middle of the second
        double p50Ms = 0, p95Ms = 0, p99Ms = 0;
        int count = 0;
    };

    explicit LatencyOverTime(qint64 originNs = 0)
        : m_originNs(originNs)
    { }
    void setOrigin(qint64 originNs) { m_originNs = originNs; }
    void add(qint64 endNs, qint64 latencyNs);
    // Summaries of the seconds that ended at or before `beforeNs`, oldest first, each once.
    QList<Point> takeClosed(qint64 beforeNs);
    void clear() { m_open.clear(); }

private:
    qint64 m_originNs;
    std::map<qint64, std::vector<qint64>> m_open; // second index -> latencies
};
