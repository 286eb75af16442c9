#pragma once

#include <QByteArray>
#include <QString>

// report.html typeset to report.pdf (A4) with QTextDocument and QPdfWriter, the inline SVG plots
// drawn by QSvgRenderer: the same report, paginated for printing, Chinese text included.
// Needs a QGuiApplication (the offscreen platform is enough).
namespace HtmlPdfRenderer {

bool render(const QByteArray &html, const QString &pdfPath, QString *error);

} // namespace HtmlPdfRenderer
