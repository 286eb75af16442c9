#pragma once

#include <QtGlobal>
#include <chrono>

// The one clock every timestamp in LoopScope comes from: monotonic, nanoseconds.
// Server records, client records and counter samples share it, so a run joins them
// without any clock correction (they live in one process).
namespace TraceClock {

inline qint64 nowNs() noexcept
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

inline double nsToMs(qint64 ns) noexcept
{
    return double(ns) / 1e6;
}

} // namespace TraceClock
