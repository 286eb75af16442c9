#pragma once

#include "trace/requestrecord.h"

#include <QHash>
#include <QList>
#include <QWidget>

class CounterPlotsPanel;
class ObserveDialog;
class OtlpObserver;
class QCheckBox;
class QDockWidget;
class QMainWindow;
class QTimer;
class QTreeWidget;

// The observe layout: while File > Observe services receives, this panel stands where the server
// and simulated-user panels were, with one row per observed service and its instances
// (requests/s, errors, p95, event-loop lag, clock offset), and the observed data goes into the
// window's counter plots: in flight, throughput and p95 per service (or per instance on demand),
// and per instance the event-loop delay, CPU and heap the services send as OTLP metrics.
// Reads the observer twice a second on the GUI thread (records and metric tracks only; the
// receivers and the assembler run on their own threads).
class ObservePanel : public QWidget
{
    Q_OBJECT
public:
    explicit ObservePanel(CounterPlotsPanel *plots, QWidget *parent = nullptr);

    // Docks a panel in `window` and swaps it with the docks named serverDock and usersDock while
    // `dialog` observes.
    static ObservePanel *attach(QMainWindow *window, ObserveDialog *dialog, CounterPlotsPanel *plots);

    void setObserver(OtlpObserver *observer); // nullptr: stopped
    void refresh();
    QTreeWidget *tree() const { return m_tree; }

signals:
    // Requests already published were moved (clock offsets applied or taken off): read them again.
    void publishedTimesMoved();

private:
    struct LaneRequests
    {
        QList<RequestRecord> records; // finished, by arrival
    };
    // Plots everything again from the observation's start (times moved by clock offsets).
    void replot();
    void plotSettled(qint64 horizonNs);
    void plotMetrics();
    QString seriesName(quint16 lane) const;

    CounterPlotsPanel *m_plots;
    OtlpObserver *m_observer = nullptr;
    QTreeWidget *m_tree;
    QCheckBox *m_perInstance;
    QCheckBox *m_applyOffsets;
    QTimer *m_timer;
    quint64 m_first = 0; // recorder sequence of the observation's first request
    quint64 m_next = 0; // recorder sequence read up to
    quint64 m_correctionsSeen = 0; // OtlpAssembler::correctionsVersion() plotted
    QHash<quint16, LaneRequests> m_lanes;
    qint64 m_plottedNs = 0; // counters plotted up to here (TraceClock)
    QHash<QString, int> m_metricPlotted; // instance/track -> points plotted
};
