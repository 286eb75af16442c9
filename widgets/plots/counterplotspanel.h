#pragma once

#include "base/threadregistry.h"
#include "plots/latencyovertime.h"
#include "trace/servercounters.h"

#include <QHash>
#include <QList>
#include <QWidget>
#include <deque>

class CounterPlot;
class TimeViewState;

// The counter plots under the timeline, on the same time axis: in flight and waiting, pool
// active vs size, event-loop lag per worker, throughput, latency percentiles per second. Fed in batches by
// the live feed.
class CounterPlotsPanel : public QWidget
{
    Q_OBJECT
public:
    explicit CounterPlotsPanel(TimeViewState *state, QWidget *parent = nullptr);

    void appendSamples(const QList<CounterSample> &samples);
    // The auto-scaling supervisor's decisions: markers across the plots, labelled in the top one.
    void addScaleEvent(const ScaleEvent &event);
    void setScaleEvents(const QList<ScaleEvent> &events);
    // Live: adds the events of `all` not shown yet (all = ChatServer::scaleEvents()).
    void syncScaleEvents(const QList<ScaleEvent> &all);
    // Lane names of a saved run (its lane indices are not this process's); empty: the live registry.
    // A saved run's lane kinds (live: the thread registry's), to sum the server's own CPU.
    void setLaneKinds(const QList<LaneKind> &kinds) { m_laneKinds = kinds; }
    // Per-second latency percentiles (the latency plot, next to throughput).
    void appendLatency(const QList<LatencyOverTime::Point> &points);
    // Empties the percentiles appendLatency() fed, to append them again.
    void clearLatency();
    void clear();
    // Series fed from outside the server's sampler (observed services or instances), one per
    // name in the plot `which`, created on first use.
    enum class Plot { Load, Lag, Resources, Throughput, Latency };
    void appendNamed(Plot which, const QString &name, qint64 tNs, double value);
    // Empties every series appendNamed() fed (they are kept, with their colours), to plot again.
    void clearNamed();
    // The lesson playhead across every plot; 0 hides it.
    void setPlayhead(qint64 ns);
    // Follows the shared time range and replots (queued).
    void refresh();
    QList<CounterPlot *> plots() const { return m_plots; }
    // Writes every plot to `dir` as <title>.<suffix> (png, pdf, svg); returns the files written.
    QStringList exportAll(const QString &dir, const QString &suffix) const;

private:
    void ensureLagSeries(int workers);

    TimeViewState *m_state;
    QList<CounterPlot *> m_plots;
    CounterPlot *m_load, *m_pool, *m_lag, *m_throughput, *m_latency;
    CounterPlot *m_db; // the PostgreSQL connection pool; shown once a sample has one
    CounterPlot *m_resources; // process CPU, the server threads' CPU, RSS, threads
    int m_lagSeries = 0;
    QList<int> m_lagIndex; // series index of worker w's lag
    QHash<QString, int> m_named; // plot + name -> series (appendNamed)
    QList<LaneKind> m_laneKinds;
    qsizetype m_scaleShown = 0;
    std::deque<std::pair<qint64, quint64>> m_completedWindow; // last second of (t, completed)
    qint64 m_lastThroughputNs = 0;
};
