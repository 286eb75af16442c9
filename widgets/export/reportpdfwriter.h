#pragma once

#include "report/reportdocument.h"

#include <QString>

// report.pdf: the report's blocks typeset with QPainter on A4 landscape pages, each with a
// running header (title, date) and "N / M" at the foot. Figures are drawn as vectors by
// QSvgRenderer from the same SVG the HTML inlines, and stay on one page with their title and
// caption; long tables repeat their header on the next page. Text uses Noto Sans CJK when the
// report is in Chinese. Needs a QGuiApplication (offscreen is enough); safe off the GUI thread.
namespace ReportPdfWriter {

bool render(const ReportDocument &document, const QString &pdfPath, QString *error);
// The same, telling how many pages it wrote.
bool render(const ReportDocument &document, const QString &pdfPath, QString *error, int *pages);

} // namespace ReportPdfWriter
