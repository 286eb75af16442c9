#include "lanepacker.h"

#include <algorithm>

int LanePacker::place(qint64 startNs, qint64 endNs)
{
    for (size_t i = 0; i < m_laneEnds.size(); ++i) {
        if (m_laneEnds[i] <= startNs) {
            m_laneEnds[i] = endNs;
            return int(i);
        }
    }
    if (int(m_laneEnds.size()) < m_maxLanes) {
        m_laneEnds.push_back(endNs);
        return int(m_laneEnds.size()) - 1;
    }
    auto &last = m_laneEnds.back();
    last = std::max(last, endNs);
    return m_maxLanes - 1;
}
