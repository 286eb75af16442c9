#pragma once

#include "plots/latencyseries.h"
#include "timeline/timelinedata.h"
#include "timeline/tracesource.h"
#include "trace/servercounters.h"

#include <QHash>
#include <QList>

class ChatServer;

// The live data pump: what the window shows of the running server, taken ~30 times a second on
// the GUI thread (never blocking the server: the recorder and the counter series are read
// without locks). Owns the live TimelineData, filled through a RecorderSource; the counter
// samples since the last pull; and the latency seconds that have settled. The window decides
// what to repaint with what a pull returns.
class LiveFeed
{
public:
    explicit LiveFeed(ChatServer *server);

    TimelineData &data() { return m_data; }
    const TimelineData &data() const { return m_data; }
    qint64 originNs() const { return m_originNs; }

    struct Pull
    {
        bool changed = false; // records arrived or changed
        QList<CounterSample> samples; // new counter samples
        QList<LatencySeries::Point> latency; // newly settled seconds
    };
    // Records only (while a saved run is shown, the recorder, a ring, keeps being read).
    bool pullRecords() { return m_source.pull(m_data); }
    // Every record taken so far, read again (observed requests moved by clock offsets); the
    // latency seconds are recomputed (the plots' latency percentiles must be cleared first).
    void rereadRecords();
    // Everything new. `settling`: users are still running, so their send times are still joining
    // and only seconds older than 1.2 s are summarised; otherwise every second is.
    Pull pull(qint64 nowNs, bool settling);
    // Where the axes rest: the clock while serving, else the last data.
    qint64 liveEdge(bool running, qint64 nowNs) const;
    // A server started with nothing recorded yet: times count from its start.
    void restart(qint64 originNs);
    // Back to live after a run was shown: the counters are read again from the start and the
    // latencies recomputed from every finished record.
    void replay();
    // Joins the load generator's send times (backlog waits show on the request bars). True if
    // any record changed.
    bool joinClientSends(const QHash<quint64, qint64> &sentByTag);
    // While users run their send times are joined a few times a second: true when one is due.
    bool takeJoinDue(qint64 nowNs)
    {
        if (nowNs - m_lastJoinNs <= 250'000'000)
            return false;
        m_lastJoinNs = nowNs;
        return true;
    }
    // Nothing taken yet (no record, no counter sample).
    bool isEmpty() const { return m_data.size() == 0 && m_sampleCursor == 0; }

private:
    void replayLatency();

    ChatServer *m_server;
    TimelineData m_data;
    RecorderSource m_source;
    LatencySeries m_latency;
    qint64 m_originNs = 0;
    quint64 m_sampleCursor = 0;
    qint64 m_lastSampleNs = 0;
    qint64 m_lastJoinNs = 0;
};
