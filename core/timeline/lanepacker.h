#pragma once

#include <QtGlobal>
#include <vector>

// Greedy interval partitioning: assigns each interval (sorted by start) the lowest sub-lane whose
// previous interval ended. At most `maxLanes`; the overflow shares the last lane.
// Returns the lane of each interval and, in `lanesUsed`, how many lanes were needed.
struct LanePacker
{
    explicit LanePacker(int maxLanes = 8)
        : m_maxLanes(maxLanes)
    { }
    int place(qint64 startNs, qint64 endNs); // call in order of start time
    int lanesUsed() const { return int(m_laneEnds.size()); }
    void reset() { m_laneEnds.clear(); }

private:
    int m_maxLanes;
    std::vector<qint64> m_laneEnds;
};
