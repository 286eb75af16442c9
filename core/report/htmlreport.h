#pragma once

#include "reportdocument.h"
#include "scenario/runresult.h"

#include <QByteArray>
#include <QStringList>

// report.html: one self-contained file. Plots are inline SVG generated in core (no scripts, no
// external assets), so it opens anywhere, reads on a phone and prints as it looks.
namespace HtmlReport {

QByteArray render(const RunResult &run, const ReportOptions &options = {});
QByteArray render(const ReportDocument &document);
// The plain-text lines of the summary printed by `loopscope run` and `loopscope report`.
QStringList summaryLines(const RunResult &run,
                         ReportStyle::Language language = ReportStyle::Language::English);

} // namespace HtmlReport
