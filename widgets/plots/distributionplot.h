#pragma once

#include <QList>
#include <QWidget>

class QCustomPlot;

// A small facade over one QCustomPlot: latency distributions overlaid as cumulative curves
// (x: latency in ms, y: share of requests finished within it), for comparing runs.
class DistributionPlot : public QWidget
{
    Q_OBJECT
public:
    explicit DistributionPlot(const QString &title, QWidget *parent = nullptr);

    // `sortedMs` ascending. Returns the curve's index.
    int addDistribution(const QString &name, const QColor &color, const QList<double> &sortedMs);
    void clear();
    int curveCount() const;
    bool exportTo(const QString &path, int width = 1000, int height = 500);

private:
    void applyTheme();

    QCustomPlot *m_plot;
};
