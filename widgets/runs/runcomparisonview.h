#pragma once

#include "runs/sessionrun.h"
#include "timeline/timelinedata.h"

#include <QWidget>
#include <optional>

class DistributionPlot;
class QPushButton;
class ReportExporter;
class QLabel;
class QTableWidget;
class TimelineView;
class TimeViewState;

// Two runs side by side: the summary figures with their deltas, the latency distributions
// overlaid, and both request timelines aligned at t = 0 (each run's first intended send), so
// zooming or panning one moves the other.
class RunComparisonView : public QWidget
{
    Q_OBJECT
public:
    explicit RunComparisonView(QWidget *parent = nullptr);
    // A window of its own comparing a and b, deleted when closed.
    static RunComparisonView *open(const SessionRun &a, const SessionRun &b, QWidget *parent);

    void setRuns(const SessionRun &a, const SessionRun &b);
    const QList<RunDelta> &deltas() const { return m_deltas; }
    DistributionPlot *distributions() const { return m_distributions; }
    TimelineView *timelineA() const { return m_viewA; }
    TimelineView *timelineB() const { return m_viewB; }
    TimeViewState *stateA() const { return m_stateA; }
    TimeViewState *stateB() const { return m_stateB; }
    const TimelineData &dataA() const { return m_dataA; }
    const TimelineData &dataB() const { return m_dataB; }
    // Writes the report of both runs (variants A and B) into dir on a worker thread, in the UI
    // language; the exporter reports progress and `finished`.
    ReportExporter *exportReport(const QString &dir);
    QPushButton *exportButton() const { return m_export; }

private:
    void syncFrom(TimeViewState *from, TimeViewState *to);

    QList<RunDelta> m_deltas;
    TimelineData m_dataA, m_dataB;
    TimeViewState *m_stateA, *m_stateB;
    TimelineView *m_viewA, *m_viewB;
    QLabel *m_titleA, *m_titleB;
    QTableWidget *m_table;
    DistributionPlot *m_distributions;
    bool m_syncing = false;
    QPushButton *m_export;
    std::optional<SessionRun> m_a, m_b;
    ReportExporter *m_exporter = nullptr;
};
