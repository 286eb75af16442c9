#pragma once

#include "scenario/runresult.h"

#include <QByteArray>
#include <QStringList>

// report.html: one self-contained file. Plots are inline SVG generated here (no scripts, no
// external assets), so it opens anywhere and prints as it looks.
namespace HtmlReport {

QByteArray render(const RunResult &run);
// The plain-text lines of the summary (shared with the PDF report).
QStringList summaryLines(const RunResult &run);

} // namespace HtmlReport
