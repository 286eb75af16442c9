#pragma once

#include <QList>
#include <QPointF>
#include <QString>

// Small inline-SVG charts for the reports: labelled axes with 1-2-5 ticks (timeline/axisticks.h), legends
// drawn inside the plot so they always match it. Kept to what QSvgRenderer (SVG Tiny 1.2) draws as a browser
// does, so report.pdf shows the same pictures as report.html.
namespace SvgPlot {

// A tick value with as many decimals as the step needs, digits grouped by thousands.
QString tickLabel(double value, double step);
// Text of a time axis: seconds, or milliseconds below 2 s. factor converts seconds to that unit.
struct TimeUnit
{
    double factor = 1;
    QString unit; // "s" or "ms"
};
TimeUnit timeUnit(double maxSeconds);

QString esc(const QString &text);
// Rough width of text at font size 11 (CJK glyphs are twice as wide as Latin ones).
double textWidth(const QString &text, double fontSize = 11);

struct Series
{
    QString name;
    quint32 color = 0;
    bool dashed = false;
    bool step = false; // counters: hold the value until the next sample
    QList<QPointF> points;
    bool dotted = false; // a third line style, for a chart of three series per colour
};

struct Legend
{
    QString name;
    quint32 color = 0;
    bool dashed = false;
    bool box = false; // a filled box (phases) rather than a line
    bool dotted = false;
};

struct Chart
{
    int width = 900;
    int height = 240;
    QString xTitle;
    QString yTitle;
    double xMax = 1;
    double yMax = 1;
    bool yPercent = false; // y ticks 0..100 %
    QList<Series> series;
    QList<Legend> legend; // empty: one entry per named series
};

// The plot area of a chart of that size: left, top, right, bottom edges.
struct Area
{
    double left = 70, top = 34, right = 884, bottom = 196;
    double width() const { return right - left; }
    double height() const { return bottom - top; }
};
Area area(int width, int height);

QString open(int width, int height); // <svg ...> with a viewBox, scaling to its container
// Legend entries from (x, y), wrapping to a new line of 16 px before `right`.
QString legendRow(const QList<Legend> &items, double x, double y, double right = 1e9);
int legendLines(const QList<Legend> &items, double x, double right);
// Grid, tick labels and axis titles; xTicks/yTicks in data units, mapped to the area.
QString axes(const Area &a, const QList<double> &xTicks, double xMax, const QString &xTitle,
             const QList<double> &yTicks, double yMax, const QString &yTitle, bool yPercent = false);
// The chart grows by a line per extra legend line; *height gets its final height.
QString lineChart(const Chart &chart, int *height = nullptr);

} // namespace SvgPlot
