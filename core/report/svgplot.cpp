#include "svgplot.h"

#include "timeline/axisticks.h"

#include <QLocale>
#include <algorithm>
#include <cmath>

namespace SvgPlot {

namespace {

QString n1(double v)
{
    return QString::number(v, 'f', 1);
}

} // namespace

QString tickLabel(double value, double step)
{
    const int decimals = AxisTicks::decimalsFor(step);
    static const QLocale c(QLocale::English, QLocale::UnitedStates);
    return std::abs(value) >= 10000 ? c.toString(value, 'f', decimals)
                                    : QString::number(value, 'f', decimals);
}

TimeUnit timeUnit(double maxSeconds)
{
    if (maxSeconds < 2)
        return { 1000, QStringLiteral("ms") };
    return { 1, QStringLiteral("s") };
}

QString esc(const QString &text)
{
    return text.toHtmlEscaped();
}

double textWidth(const QString &text, double fontSize)
{
    double w = 0;
    for (const QChar ch : text)
        w += ch.unicode() >= 0x2e80 ? 1.0 : 0.56;
    return w * fontSize;
}

Area area(int width, int height)
{
    Area a;
    a.left = 70;
    a.top = 34;
    a.right = width - 16;
    a.bottom = height - 44;
    return a;
}

QString open(int width, int height)
{
    return QStringLiteral(
               "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 %1 %2' width='%1' height='%2' "
               "font-family='sans-serif' font-size='11'>"
               "<rect x='0' y='0' width='%1' height='%2' fill='#ffffff'/>")
        .arg(width)
        .arg(height);
}

double legendWidth(const Legend &l)
{
    return 20 + textWidth(l.name) + 16;
}

int legendLines(const QList<Legend> &items, double x, double right)
{
    int lines = 1;
    double at = x;
    for (const Legend &l : items) {
        if (at > x && at + legendWidth(l) > right) {
            ++lines;
            at = x;
        }
        at += legendWidth(l);
    }
    return lines;
}

QString legendRow(const QList<Legend> &items, double x0, double y, double right)
{
    QString s;
    double x = x0;
    for (const Legend &l : items) {
        if (x > x0 && x + legendWidth(l) > right) {
            x = x0;
            y += 16;
        }
        const QString color = QStringLiteral("#%1").arg(l.color & 0xffffff, 6, 16, QLatin1Char('0'));
        if (l.box)
            s += QStringLiteral("<rect x='%1' y='%2' width='14' height='9' fill='%3'/>")
                     .arg(n1(x), n1(y - 8), color);
        else
            s += QStringLiteral("<line x1='%1' y1='%2' x2='%3' y2='%2' stroke='%4' stroke-width='2.5'%5/>")
                     .arg(n1(x), n1(y - 4), n1(x + 16), color,
                          l.dotted       ? QStringLiteral(" stroke-dasharray='1.5,2.5'")
                              : l.dashed ? QStringLiteral(" stroke-dasharray='5,3'")
                                         : QString());
        s += QStringLiteral("<text x='%1' y='%2' fill='#333333'>%3</text>")
                 .arg(n1(x + 20), n1(y), esc(l.name));
        x += legendWidth(l);
    }
    return s;
}

QString axes(const Area &a, const QList<double> &xTicks, double xMax, const QString &xTitle,
             const QList<double> &yTicks, double yMax, const QString &yTitle, bool yPercent)
{
    QString s;
    const double xStep = xTicks.size() > 1 ? xTicks[1] - xTicks[0] : 1;
    const double yStep = yTicks.size() > 1 ? yTicks[1] - yTicks[0] : 1;
    for (double v : yTicks) {
        const double y = a.bottom - a.height() * v / yMax;
        s += QStringLiteral("<line x1='%1' y1='%2' x2='%3' y2='%2' stroke='%4' stroke-width='1'/>"
                            "<text x='%5' y='%6' text-anchor='end' fill='#555555'>%7</text>")
                 .arg(n1(a.left), n1(y), n1(a.right),
                      v == 0 ? QStringLiteral("#9aa0a8") : QStringLiteral("#e4e7eb"), n1(a.left - 6),
                      n1(y + 4), tickLabel(v, yStep) + (yPercent ? QStringLiteral(" %") : QString()));
    }
    for (double v : xTicks) {
        const double x = a.left + a.width() * v / xMax;
        s += QStringLiteral("<line x1='%1' y1='%2' x2='%1' y2='%3' stroke='%4' stroke-width='1'/>"
                            "<text x='%1' y='%5' text-anchor='middle' fill='#555555'>%6</text>")
                 .arg(n1(x), n1(a.top), n1(a.bottom + 4),
                      v == 0 ? QStringLiteral("#9aa0a8") : QStringLiteral("#e4e7eb"), n1(a.bottom + 17),
                      tickLabel(v, xStep));
    }
    s += QStringLiteral("<text x='%1' y='%2' text-anchor='middle' fill='#333333'>%3</text>")
             .arg(n1((a.left + a.right) / 2), n1(a.bottom + 36), esc(xTitle));
    if (!yTitle.isEmpty())
        s += QStringLiteral("<text x='0' y='0' transform='translate(14 %1) rotate(-90)' text-anchor='middle' "
                            "fill='#333333'>%2</text>")
                 .arg(n1((a.top + a.bottom) / 2), esc(yTitle));
    return s;
}

QString lineChart(const Chart &chart, int *heightOut)
{
    QList<Legend> legend = chart.legend;
    for (const Series &series : chart.series) {
        if (chart.legend.isEmpty() && !series.name.isEmpty())
            legend.push_back({ series.name, series.color, series.dashed, false, series.dotted });
    }
    const int extra = (legendLines(legend, 70, chart.width - 16) - 1) * 16;
    const int height = chart.height + extra;
    if (heightOut)
        *heightOut = height;
    Area a = area(chart.width, height);
    a.top += extra;
    const QList<double> xt = AxisTicks::fromZero(chart.xMax, 8);
    const QList<double> yt
        = chart.yPercent ? QList<double> { 0, 20, 40, 60, 80, 100 } : AxisTicks::fromZero(chart.yMax, 4);
    const double xMax = xt.back(), yMax = yt.back();
    QString s = open(chart.width, height);
    s += axes(a, xt, xMax, chart.xTitle, yt, yMax, chart.yTitle, chart.yPercent);
    for (const Series &series : chart.series) {
        if (series.points.isEmpty())
            continue;
        QString pts;
        pts.reserve(series.points.size() * 14);
        double lastY = 0;
        bool first = true;
        for (const QPointF &p : series.points) {
            const double x = a.left + a.width() * std::clamp(p.x() / xMax, 0.0, 1.0);
            const double y = a.bottom - a.height() * std::clamp(p.y() / yMax, 0.0, 1.0);
            if (series.step && !first)
                pts += n1(x) + QLatin1Char(',') + n1(lastY) + QLatin1Char(' ');
            pts += n1(x) + QLatin1Char(',') + n1(y) + QLatin1Char(' ');
            lastY = y;
            first = false;
        }
        s += QStringLiteral("<polyline fill='none' stroke='#%1' stroke-width='2' stroke-linejoin='round'%2 "
                            "points='%3'/>")
                 .arg(series.color & 0xffffff, 6, 16, QLatin1Char('0'))
                 .arg(series.dotted       ? QStringLiteral(" stroke-dasharray='2,3'")
                          : series.dashed ? QStringLiteral(" stroke-dasharray='6,4'")
                                          : QString(),
                      pts.trimmed());
    }
    s += legendRow(legend, a.left, 16, chart.width - 16);
    return s + QStringLiteral("</svg>");
}

} // namespace SvgPlot
