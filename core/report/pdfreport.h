#pragma once

#include "scenario/runresult.h"

#include <QByteArray>
#include <QStringList>

// The fallback report.pdf of a build without the GUI (the app's is widgets/export/reportpdfwriter):
// core must stay headless (CMake enforces it), and QPainter + QPdfWriter need a QGuiApplication.
// So this writes a small PDF 1.4 by hand: Courier
// pages with the summary, expected-vs-measured, percentile tables and the request table, plus
// a drawn latency timeline per variant. Text is Latin-1 (the Chinese explanation is in the HTML).
namespace PdfReport {

QByteArray render(const RunResult &run);
// Lower level, for tests: pages of monospace lines.
QByteArray renderLines(const QStringList &lines, const QList<QByteArray> &extraPageContents = {});

} // namespace PdfReport
