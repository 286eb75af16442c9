#include "distributionplot.h"

#include "gui/theme.h"
#include "plots/plottheme.h"

#include <QFileInfo>
#include <QVBoxLayout>
#include <qcustomplot.h>

DistributionPlot::DistributionPlot(const QString &title, QWidget *parent)
    : QWidget(parent)
    , m_plot(new QCustomPlot(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    setObjectName(title);
    m_plot->setMinimumHeight(160);
    m_plot->plotLayout()->insertRow(0);
    m_plot->plotLayout()->addElement(0, 0, new QCPTextElement(m_plot, title));
    m_plot->xAxis->setLabel(tr("latency (ms)"));
    m_plot->yAxis->setLabel(tr("share finished"));
    m_plot->yAxis->setRange(0, 1.02);
    m_plot->legend->setVisible(true);
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->axisRect()->setRangeDrag(Qt::Horizontal);
    m_plot->axisRect()->setRangeZoom(Qt::Horizontal);
    connect(ThemeNotifier::instance(), &ThemeNotifier::changed, this, &DistributionPlot::applyTheme);
    applyTheme();
}

int DistributionPlot::addDistribution(const QString &name, const QColor &color, const QList<double> &sortedMs)
{
    QCPGraph *g = m_plot->addGraph();
    g->setName(name);
    g->setPen(QPen(color, 2));
    g->setLineStyle(QCPGraph::lsStepLeft);
    const qsizetype n = sortedMs.size();
    // At most ~2,000 steps: enough for the eye, cheap for 100,000 requests.
    const qsizetype stride = std::max<qsizetype>(1, n / 2000);
    QVector<double> x, y;
    for (qsizetype i = 0; i < n; i += stride) {
        x << sortedMs[i];
        y << double(i + 1) / double(n);
    }
    if (n > 0 && x.last() != sortedMs.last()) {
        x << sortedMs.last();
        y << 1.0;
    }
    g->setData(x, y, true);
    double top = 1;
    for (int i = 0; i < m_plot->graphCount(); ++i) {
        bool found = false;
        const QCPRange r = m_plot->graph(i)->getKeyRange(found);
        if (found)
            top = std::max(top, r.upper);
    }
    m_plot->xAxis->setRange(0, top * 1.05);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
    return m_plot->graphCount() - 1;
}

void DistributionPlot::clear()
{
    m_plot->clearGraphs();
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

int DistributionPlot::curveCount() const
{
    return m_plot->graphCount();
}

bool DistributionPlot::exportTo(const QString &path, int width, int height)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("pdf"))
        return m_plot->savePdf(path, width, height);
    return m_plot->savePng(path, width, height);
}

void DistributionPlot::applyTheme()
{
    const Theme &t = Theme::current();
    applyThemeToPlot(m_plot);
    if (auto *title = qobject_cast<QCPTextElement *>(m_plot->plotLayout()->element(0, 0)))
        title->setTextColor(t.text);
    m_plot->legend->setBrush(QColor(t.base.red(), t.base.green(), t.base.blue(), 210));
    m_plot->legend->setBorderPen(QPen(t.grid));
    m_plot->legend->setTextColor(t.text);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}
