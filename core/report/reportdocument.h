#pragma once

#include "reportstyle.h"
#include "scenario/runresult.h"

#include <QList>
#include <QString>
#include <QStringList>

// What a report says, before it is typeset: report.html (HtmlReport) and report.pdf
// (widgets/export/reportpdfwriter) render the same blocks, so both read the same way, in the same
// words and colours. Headline first, then the variants side by side, then the details.
struct ReportOptions
{
    ReportStyle::Language language = ReportStyle::Language::English;
    int requestRows = 200; // rows of the request table per variant (requests.csv has all of them)
};

struct ReportCell
{
    enum class Style { Plain, Pass, Fail, Strong, Muted };
    QString text;
    Style style = Style::Plain;
};

struct ReportBlock
{
    enum class Kind {
        Heading, // level 2 (section) or 3
        Headline, // the sentence or two the run teaches
        Paragraph,
        Note, // small print: where a table is cut, what a plot samples
        Table, // header + rows; the first column names the row
        Figure, // title above, SVG, caption below: kept on one page
    };
    Kind kind = Kind::Paragraph;
    int level = 2;
    QString text; // heading, paragraph, note, figure title
    QString caption; // figure
    QString svg;
    int svgWidth = 0;
    int svgHeight = 0;
    QStringList header;
    QList<QList<ReportCell>> rows;
    bool wide = false; // a table with many narrow columns (smaller type in the PDF)
};

struct ReportDocument
{
    ReportStyle::Language language = ReportStyle::Language::English;
    QString title; // the scenario (or "Custom run")
    QString subtitle; // date, machine
    QString date; // for the PDF's running header
    QList<ReportBlock> blocks;

    static ReportDocument build(const RunResult &run, const ReportOptions &options = {});
    // Every visible string (headings, cells, captions): for tests and the plain-text summary.
    QStringList visibleText() const;
};

namespace ReportText {

// "A · blocking (pseudo-async)": the variant's letter and label in the language.
QString variantTitle(const RunResult &run, const VariantResult &v, ReportStyle::Language language);
// The headline sentences of a run (also printed by `loopscope run` and `loopscope report`).
QStringList headline(const RunResult &run, ReportStyle::Language language);
// Labels of the summary figures, shared by the reports and the comparison window: "requests",
// "errors", "makespan", "p50", "p95", "p99", "max", "throughput", "in_flight_peak", "loop_lag".
QString figureLabel(const QString &id, ReportStyle::Language language);
// Human label with unit of a metric key of run.json ("latency_p95_s" -> "p95 latency (s)").
QString metricLabel(const QString &key, ReportStyle::Language language);

} // namespace ReportText
