#pragma once

#include "plots/latencyovertime.h"
#include "trace/servercounters.h"

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
    // Per-second latency percentiles (the latency plot, next to throughput).
    void appendLatency(const QList<LatencyOverTime::Point> &points);
    void clear();
    // The lesson playhead across every plot; 0 hides it.
    void setPlayhead(qint64 ns);
    // Follows the shared time range and replots (queued).
    void refresh();
    QList<CounterPlot *> plots() const { return m_plots; }

private:
    void ensureLagSeries(int workers);

    TimeViewState *m_state;
    QList<CounterPlot *> m_plots;
    CounterPlot *m_load, *m_pool, *m_lag, *m_throughput, *m_latency;
    int m_lagSeries = 0;
    std::deque<std::pair<qint64, quint64>> m_completedWindow; // last second of (t, completed)
    qint64 m_lastThroughputNs = 0;
};
