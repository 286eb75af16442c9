#pragma once

#include "timeline/lanepacker.h" // LanePacker moved to the trace model (core/timeline)

#include <QtGlobal>
#include <vector>

// Time <-> pixel mapping, zoom and pan for the timeline views. Plain value: no widget, no
// screen, so it is unit-tested directly (tests/auto/gui/tst_timelinegeometry.cpp).
// Times are nanoseconds on TraceClock; x is in pixels from the left of the plotting area.
struct TimeAxis
{
    qint64 startNs = 0; // time at x = 0
    qint64 spanNs = 30'000'000'000; // time across the whole width
    double widthPx = 1000;

    double nsPerPx() const { return double(spanNs) / std::max(1.0, widthPx); }
    qint64 endNs() const { return startNs + spanNs; }
    double toX(qint64 ns) const { return double(ns - startNs) / nsPerPx(); }
    qint64 toNs(double x) const { return startNs + qint64(x * nsPerPx()); }

    // Zooms by `factor` (< 1 zooms in) keeping the time under `anchorX` where it is.
    void zoom(double factor, double anchorX);
    // Moves the view by `dx` pixels (dragging right shows earlier times).
    void pan(double dx) { startNs -= qint64(dx * nsPerPx()); }
    // Keeps `endNs()` at `nowNs` without changing the zoom (follow-live mode).
    void follow(qint64 nowNs) { startNs = nowNs - spanNs; }

    static constexpr qint64 MinSpanNs = 1'000'000; // 1 ms across the view
    static constexpr qint64 MaxSpanNs = 24LL * 3600 * 1'000'000'000;
};

// Vertical mapping of the request view: row i (arrival order) to y.
struct RowAxis
{
    double topRow = 0; // row at y = 0 (fractional while scrolling)
    double rowPx = 12; // height of one row; below 1 the view draws aggregated pixels
    double heightPx = 600;

    double toY(double row) const { return (row - topRow) * rowPx; }
    double toRow(double y) const { return topRow + y / rowPx; }
    double visibleRows() const { return heightPx / rowPx; }
    void zoom(double factor, double anchorY, double rowCount);
    void scroll(double dy, double rowCount);
    void fit(double firstRow, double rowCount, double maxRowPx = 22);
};
