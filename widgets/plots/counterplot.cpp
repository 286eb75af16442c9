#include "counterplot.h"

#include "gui/theme.h"
#include "plots/plottheme.h"

#include <QFileDialog>
#include <QMenu>
#include <QStandardPaths>
#include <QSvgGenerator>
#include <QVBoxLayout>
#include <cmath>
#include <qcustomplot.h>

CounterPlot::CounterPlot(const QString &title, const QString &unit, QWidget *parent)
    : QWidget(parent)
    , m_plot(new QCustomPlot(this))
    , m_title(title)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_plot);
    setObjectName(title);
    m_plot->setNoAntialiasingOnDrag(true);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    m_plot->axisRect()->setRangeDrag(Qt::Horizontal);
    m_plot->axisRect()->setRangeZoom(Qt::Horizontal);
    m_plot->yAxis->setLabel(unit);
    m_plot->legend->setVisible(true);
    m_plot->legend->setRowSpacing(-3);
    // One row across the top: a short plot (a 768-pixel screen) keeps its whole legend.
    m_plot->legend->setFillOrder(QCPLayoutGrid::foColumnsFirst);
    m_plot->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignLeft);
    m_plot->setMinimumHeight(50); // all six still fit a 1366x768 laptop screen, lesson bar included
    m_plot->setToolTip(title);
    QFont f = font();
    f.setPointSizeF(f.pointSizeF() * 0.9);
    m_plot->legend->setFont(f);
    m_plot->xAxis->setTickLabelFont(f);
    m_plot->yAxis->setTickLabelFont(f);
    m_plot->yAxis->setLabelFont(f);
    m_plot->yAxis->ticker()->setTickCount(3);
    m_plot->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_plot, &QWidget::customContextMenuRequested, this, &CounterPlot::showContextMenu);
    connect(m_plot->xAxis, qOverload<const QCPRange &>(&QCPAxis::rangeChanged), this,
            [this](const QCPRange &r) {
                if (!m_syncing)
                    emit userRangeChanged(r.lower, r.upper);
            });
    connect(ThemeNotifier::instance(), &ThemeNotifier::changed, this, &CounterPlot::applyTheme);
    applyTheme();
}

int CounterPlot::addSeries(const QString &name, const QColor &color, bool filled, bool dashed)
{
    QCPGraph *g = m_plot->addGraph();
    g->setName(name);
    QPen pen(color, 1.6);
    if (dashed)
        pen.setStyle(Qt::DashLine);
    g->setPen(pen);
    if (filled) {
        QColor fill = color;
        fill.setAlpha(50);
        g->setBrush(fill);
    }
    g->setAdaptiveSampling(true);
    m_graphs.append(g);
    return int(m_graphs.size()) - 1;
}

void CounterPlot::append(int series, double tSeconds, double value)
{
    m_graphs[series]->addData(tSeconds, value);
}

void CounterPlot::setPointMarkers(int series)
{
    m_graphs[series]->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 4));
}

void CounterPlot::clear()
{
    for (QCPGraph *g : std::as_const(m_graphs))
        g->data()->clear();
}

void CounterPlot::clearSeries(int series)
{
    m_graphs.at(series)->data()->clear();
}

void CounterPlot::setTimeRange(double from, double to)
{
    m_syncing = true;
    m_plot->xAxis->setRange(from, to);
    m_syncing = false;
}

void CounterPlot::setPlayhead(double tSeconds)
{
    if (!m_playhead) {
        m_playhead = new QCPItemStraightLine(m_plot);
        m_playhead->setPen(QPen(Theme::current().nowLine, 2));
        m_playhead->setClipToAxisRect(true);
    }
    const bool show = !std::isnan(tSeconds);
    m_playhead->setVisible(show);
    if (show) {
        m_playhead->point1->setCoords(tSeconds, 0);
        m_playhead->point2->setCoords(tSeconds, 1);
    }
}

void CounterPlot::addMarker(double tSeconds, const QString &label, const QColor &color,
                            const QString &toolTip)
{
    auto *line = new QCPItemStraightLine(m_plot);
    line->setPen(QPen(color, 1.4, Qt::DashLine));
    line->setClipToAxisRect(true);
    line->point1->setTypeY(QCPItemPosition::ptAxisRectRatio);
    line->point2->setTypeY(QCPItemPosition::ptAxisRectRatio);
    line->point1->setCoords(tSeconds, 0);
    line->point2->setCoords(tSeconds, 1);
    m_markers.append(line);
    if (label.isEmpty())
        return;
    auto *text = new QCPItemText(m_plot);
    text->position->setTypeX(QCPItemPosition::ptPlotCoords);
    text->position->setTypeY(QCPItemPosition::ptAxisRectRatio);
    // Near the bottom: the legend takes the top left, where a run's first decisions fall.
    text->position->setCoords(tSeconds, 0.97);
    text->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
    QColor back = Theme::current().base;
    back.setAlpha(210);
    text->setBrush(back);
    text->setText(label);
    text->setColor(color);
    QFont f = font();
    f.setPointSizeF(f.pointSizeF() * 0.85);
    f.setBold(true);
    text->setFont(f);
    text->setClipToAxisRect(true);
    text->setPadding(QMargins(3, 0, 0, 0));
    Q_UNUSED(toolTip)
    m_markers.append(text);
}

void CounterPlot::clearMarkers()
{
    for (QCPAbstractItem *item : std::as_const(m_markers))
        m_plot->removeItem(item);
    m_markers.clear();
}

void CounterPlot::setShowTimeLabels(bool on)
{
    m_plot->xAxis->setTickLabels(on);
}

void CounterPlot::setLeftMargin(int px)
{
    m_plot->axisRect()->setAutoMargins(QCP::msTop | QCP::msBottom);
    m_plot->axisRect()->setMargins(QMargins(px, 0, 12, 0));
}

void CounterPlot::rescaleValues(double minTop)
{
    double top = minTop;
    const QCPRange x = m_plot->xAxis->range();
    for (QCPGraph *g : std::as_const(m_graphs)) {
        bool found = false;
        const QCPRange r = g->getValueRange(found, QCP::sdBoth, x);
        if (found)
            top = std::max(top, r.upper);
    }
    m_plot->yAxis->setRange(0, top * 1.12);
}

void CounterPlot::replot()
{
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

int CounterPlot::seriesCount() const
{
    return int(m_graphs.size());
}

int CounterPlot::pointCount(int series) const
{
    return m_graphs[series]->dataCount();
}

bool CounterPlot::exportTo(const QString &path, int width, int height)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("png"))
        return m_plot->savePng(path, width, height);
    if (suffix == QLatin1String("pdf"))
        return m_plot->savePdf(path, width, height);
    if (suffix == QLatin1String("svg")) {
        QSvgGenerator gen;
        gen.setFileName(path);
        gen.setSize(QSize(width, height));
        gen.setViewBox(QRect(0, 0, width, height));
        gen.setTitle(m_title);
        gen.setDescription(QStringLiteral("LoopScope counter plot"));
        QCPPainter painter;
        if (!painter.begin(&gen))
            return false;
        m_plot->toPainter(&painter, width, height);
        painter.end();
        return QFileInfo(path).size() > 0;
    }
    return false;
}

void CounterPlot::showContextMenu(const QPoint &pos)
{
    QMenu menu(this);
    for (const QString &fmt : { QStringLiteral("PNG"), QStringLiteral("PDF"), QStringLiteral("SVG") }) {
        menu.addAction(tr("Export \"%1\" as %2…").arg(m_title, fmt), this, [this, fmt] {
            const QString suffix = fmt.toLower();
            QString name = m_title.toLower();
            name.replace(QRegularExpression(QStringLiteral("[^a-z0-9]+")), QStringLiteral("-"));
            const QString path = QFileDialog::getSaveFileName(
                this, tr("Export plot"),
                QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation) + QLatin1Char('/') + name
                    + QLatin1Char('.') + suffix,
                tr("%1 files (*.%2)").arg(fmt, suffix));
            if (!path.isEmpty())
                exportTo(path);
        });
    }
    menu.exec(m_plot->mapToGlobal(pos));
}

void CounterPlot::applyTheme()
{
    const Theme &t = Theme::current();
    applyThemeToPlot(m_plot);
    m_plot->legend->setBrush(QColor(t.base.red(), t.base.green(), t.base.blue(), 200));
    m_plot->legend->setBorderPen(QPen(t.grid));
    m_plot->legend->setTextColor(t.text);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}
