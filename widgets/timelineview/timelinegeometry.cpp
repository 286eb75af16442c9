#include "timelinegeometry.h"

#include <algorithm>
#include <cmath>

void TimeAxis::zoom(double factor, double anchorX)
{
    const qint64 anchorNs = toNs(anchorX);
    const double next = std::clamp(double(spanNs) * factor, double(MinSpanNs), double(MaxSpanNs));
    spanNs = qint64(next);
    startNs = anchorNs - qint64(anchorX * nsPerPx());
}

void RowAxis::zoom(double factor, double anchorY, double rowCount)
{
    const double anchorRow = toRow(anchorY);
    const double minPx = std::min(1.0, heightPx / std::max(1.0, rowCount)) * 0.5;
    rowPx = std::clamp(rowPx / factor, std::max(1e-4, minPx), 40.0);
    topRow = anchorRow - anchorY / rowPx;
    scroll(0, rowCount);
}

void RowAxis::scroll(double dy, double rowCount)
{
    topRow += dy / rowPx;
    const double maxTop = std::max(0.0, rowCount - visibleRows() * 0.5);
    topRow = std::clamp(topRow, 0.0, maxTop);
}

void RowAxis::fit(double firstRow, double rowCount, double maxRowPx)
{
    topRow = firstRow;
    rowPx = std::min(maxRowPx, heightPx / std::max(1.0, rowCount));
}
