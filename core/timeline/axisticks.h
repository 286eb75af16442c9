#pragma once

#include <QList>

// 1-2-5 tick steps, the one rule for every time and value axis: the window's ruler (about one
// label every 110 pixels) and the reports' SVG axes (about `target` intervals). QtCore only, so it
// is tested headless (tst_tracemodel).
namespace AxisTicks {

// The smallest step of the form {1, 2, 5} x 10^k that is at least `raw` (raw > 0).
double stepAtLeast(double raw);
// 0, step, 2 step, ... up to at least `max`, with the finest 1-2-5 step needing at most
// target + 1 intervals.
QList<double> fromZero(double max, int target = 5);
// Decimals a label of that step needs: 0 for 1, 2, 5, 10...; 1 for 0.5; 3 for 0.002.
int decimalsFor(double step);

} // namespace AxisTicks
