#include "axisticks.h"

#include <algorithm>
#include <cmath>

namespace AxisTicks {

double stepAtLeast(double raw)
{
    if (!(raw > 0) || !std::isfinite(raw))
        return 1;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : { 1.0, 2.0, 5.0 }) {
        if (raw <= m * magnitude * (1 + 1e-9))
            return m * magnitude;
    }
    return 10 * magnitude;
}

QList<double> fromZero(double max, int target)
{
    if (!(max > 0) || !std::isfinite(max))
        max = 1;
    const double step = stepAtLeast(max / (std::max(1, target) + 1));
    QList<double> out;
    for (int i = 0;; ++i) {
        const double v = i * step;
        out.push_back(v);
        if (v >= max * (1 - 1e-9))
            break;
    }
    return out;
}

int decimalsFor(double step)
{
    int decimals = 0;
    while (decimals < 6
           && std::abs(step * std::pow(10.0, decimals) - std::round(step * std::pow(10.0, decimals))) > 1e-6)
        ++decimals;
    return decimals;
}

} // namespace AxisTicks
