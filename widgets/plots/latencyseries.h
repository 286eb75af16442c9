#pragma once

#include "latencyovertime.h"

#include <QList>
#include <vector>

class TimelineData;
struct VariantResult;

// The one builder of the "latency over time" plot's points, for every view:
// - a run (shown from the Runs list, or replayed as a lesson): ofRun(), every finished client
//   request by the second it completed, latency from its intended send time;
// - live: the server's finished records as the live feed takes them (addFinished), each second
//   summarised once it is settled (takeSettled), latency from the client's send time where it
//   has joined, else from the server's read.
class LatencySeries
{
public:
    using Point = LatencyOverTime::Point;

    static QList<Point> ofRun(const VariantResult &v);

    explicit LatencySeries(qint64 originNs = 0)
        : m_latency(originNs)
    { }
    // Starts again at `originNs` (a new server, or back to live from a run).
    void restart(qint64 originNs);
    // Positions in `data` of records that finished; their latency is read when their second settles.
    void addFinished(const std::vector<quint64> &positions);
    // Summaries of the seconds that closed before `settledNs`, oldest first, each once.
    QList<Point> takeSettled(const TimelineData &data, qint64 settledNs);

private:
    LatencyOverTime m_latency;
    std::vector<quint64> m_pending; // finished, latency not settled yet (send times join late)
};
