#pragma once

#include <QWidget>

class QCustomPlot;
class QCPGraph;
class QCPItemStraightLine;

// A small facade over one QCustomPlot: a titled time plot with named series. Nothing else in
// LoopScope touches plottables; views call addSeries/append/setTimeRange and exportTo.
class CounterPlot : public QWidget
{
    Q_OBJECT
public:
    explicit CounterPlot(const QString &title, const QString &unit, QWidget *parent = nullptr);

    int addSeries(const QString &name, const QColor &color, bool filled = false, bool dashed = false);
    void append(int series, double tSeconds, double value);
    // Draws a dot at every point too (sparse series such as one value per second).
    void setPointMarkers(int series);
    void clear();
    void clearSeries(int series);
    // Shows [from, to] seconds; does not emit userRangeChanged.
    void setTimeRange(double from, double to);
    void setShowTimeLabels(bool on);
    // A vertical line at t (lesson replay); NaN hides it.
    void setPlayhead(double tSeconds);
    // An event marker: a dashed vertical line at t, with `label` at its top when not empty
    // (the auto-scaling supervisor's decisions). clearMarkers() removes them all.
    void addMarker(double tSeconds, const QString &label, const QColor &color, const QString &toolTip = {});
    void clearMarkers();
    int markerCount() const { return int(m_markers.size()); }
    void setLeftMargin(int px);
    // Fits the y axis to what is visible (with a floor so an idle plot is not all noise).
    void rescaleValues(double minTop);
    void replot();
    // PNG, PDF or SVG, chosen by the file suffix. Returns false on failure.
    bool exportTo(const QString &path, int width = 1200, int height = 400);
    QString title() const { return m_title; }
    int seriesCount() const;
    int pointCount(int series) const;
    QCustomPlot *plot() const { return m_plot; } // for tests only

signals:
    void userRangeChanged(double from, double to);

private:
    void applyTheme();
    void showContextMenu(const QPoint &pos);

    QCustomPlot *m_plot;
    QString m_title;
    QList<QCPGraph *> m_graphs;
    QCPItemStraightLine *m_playhead = nullptr;
    QList<class QCPAbstractItem *> m_markers;
    bool m_syncing = false;
};
