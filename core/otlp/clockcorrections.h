#pragma once

#include <QHash>
#include <QMap>
#include <QPair>

// Puts every host of an observation on one clock. Each estimated offset says how far one host's
// clock runs ahead of the host that called it (OtlpAssembler's ClockOffset); chained calls
// (A calls B, B calls C) add up, so C is moved by both. Per group of hosts that call each other,
// the reference clock is the first host (lowest id) that calls others and is called by none (the
// front end); when every host is called by another (A and B call each other), the lowest id.
namespace ClockCorrections {

// offsetsNs: (caller host, called host) -> the called host's clock minus the caller's, in ns.
// Returns, per host with an estimate, the ns to subtract from its times (the reference: 0).
QHash<int, qint64> solve(const QMap<QPair<int, int>, qint64> &offsetsNs);

} // namespace ClockCorrections
