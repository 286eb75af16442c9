#include "plottheme.h"

#include "gui/theme.h"

#include <qcustomplot.h>

void applyThemeToPlot(QCustomPlot *plot)
{
    const Theme &t = Theme::current();
    plot->setBackground(t.base);
    plot->axisRect()->setBackground(t.base);
    for (QCPAxis *a : { plot->xAxis, plot->yAxis }) {
        a->setBasePen(QPen(t.axis));
        a->setTickPen(QPen(t.axis));
        a->setSubTickPen(QPen(t.axis));
        a->setTickLabelColor(t.mutedText);
        a->setLabelColor(t.mutedText);
        a->grid()->setPen(QPen(t.grid, 1));
        a->grid()->setZeroLinePen(QPen(t.grid, 1));
    }
}
