#include "latencyovertime.h"

#include <algorithm>
#include <cmath>

namespace {
constexpr qint64 SecondNs = 1'000'000'000;

qint64 floorDiv(qint64 a, qint64 b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

double percentileMs(const std::vector<qint64> &sorted, double q)
{
    // Nearest rank, as LatencyStats reports.
    const size_t rank = size_t(std::ceil(q * double(sorted.size())));
    return double(sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1]) / 1e6;
}
} // namespace

void LatencyOverTime::add(qint64 endNs, qint64 latencyNs)
{
    m_open[floorDiv(endNs - m_originNs, SecondNs)].push_back(latencyNs);
}

QList<LatencyOverTime::Point> LatencyOverTime::takeClosed(qint64 beforeNs)
{
    QList<Point> out;
    while (!m_open.empty()) {
        auto it = m_open.begin();
        const qint64 secondEnd = m_originNs + (it->first + 1) * SecondNs;
        if (secondEnd > beforeNs)
            break;
        std::vector<qint64> &v = it->second;
        std::sort(v.begin(), v.end());
        out.push_back({ secondEnd - SecondNs / 2, percentileMs(v, 0.50), percentileMs(v, 0.95),
                        percentileMs(v, 0.99), int(v.size()) });
        m_open.erase(it);
    }
    return out;
}
