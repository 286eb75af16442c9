#include "htmlreport.h"

#include "reportstyle.h"

namespace HtmlReport {

namespace {

QString esc(const QString &s)
{
    return s.toHtmlEscaped().replace(QLatin1Char('\n'), QLatin1String("<br>"));
}

const char *cellClass(ReportCell::Style style)
{
    switch (style) {
    case ReportCell::Style::Pass:
        return " class='pass'";
    case ReportCell::Style::Fail:
        return " class='fail'";
    case ReportCell::Style::Strong:
        return " class='label'";
    case ReportCell::Style::Muted:
        return " class='muted'";
    case ReportCell::Style::Plain:
        break;
    }
    return "";
}

const char kStyle[] = R"(
:root{--text:#1f2328;--muted:#5f6670;--line:#e4e7eb;--pass:#1a7f37;--fail:#cf222e}
*{box-sizing:border-box}
body{font-family:"Noto Sans","Noto Sans CJK SC","PingFang SC","Microsoft YaHei",system-ui,sans-serif;
 color:var(--text);margin:0 auto;padding:24px;max-width:1100px;line-height:1.45}
h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:32px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{font-size:16px;margin:20px 0 6px}.subtitle{color:var(--muted);margin:0 0 16px}
.headline{font-size:18px;background:#f3f6fb;border-left:4px solid #2f7fd6;padding:12px 16px;margin:16px 0}
.note{font-size:13px;color:var(--muted)}
.scroll{overflow-x:auto;margin:8px 0}
table{border-collapse:collapse;font-size:14px}
td,th{border-bottom:1px solid var(--line);padding:4px 10px;text-align:right;vertical-align:top}
th{background:#f3f4f6;font-weight:600}td:first-child,th:first-child{text-align:left}
table.wide{font-size:12px}td.label{font-weight:600}td.muted{color:var(--muted)}
td.pass{color:var(--pass);font-weight:600}td.fail{color:var(--fail);font-weight:600}
figure{margin:12px 0 20px;break-inside:avoid;page-break-inside:avoid}
figure h3{margin:0 0 4px}figure svg{width:100%;height:auto;display:block}
figcaption{font-size:13px;color:var(--muted);margin-top:4px}
@media (max-width:700px){body{padding:12px}h1{font-size:21px}.headline{font-size:16px}table{font-size:12px}
 td,th{padding:3px 6px}.plot{overflow-x:auto}figure svg{min-width:640px}}
)";

} // namespace

QByteArray render(const ReportDocument &doc)
{
    QString h;
    h.reserve(1 << 20);
    h += QStringLiteral("<!DOCTYPE html><html lang='%1'><head><meta charset='utf-8'>"
                        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
                        "<title>LoopScope: %2</title><style>%3</style></head><body>")
             .arg(doc.language == ReportStyle::Language::Chinese ? QStringLiteral("zh-CN")
                                                                 : QStringLiteral("en"),
                  esc(doc.title), QLatin1String(kStyle));
    h += QStringLiteral("<h1>%1</h1><p class='subtitle'>%2</p>").arg(esc(doc.title), esc(doc.subtitle));
    for (const ReportBlock &b : doc.blocks) {
        switch (b.kind) {
        case ReportBlock::Kind::Heading:
            h += QStringLiteral("<h%1>%2</h%1>").arg(b.level).arg(esc(b.text));
            break;
        case ReportBlock::Kind::Headline:
            h += QStringLiteral("<p class='headline'>%1</p>").arg(esc(b.text));
            break;
        case ReportBlock::Kind::Paragraph:
            h += QStringLiteral("<p>%1</p>").arg(esc(b.text));
            break;
        case ReportBlock::Kind::Note:
            h += QStringLiteral("<p class='note'>%1</p>").arg(esc(b.text));
            break;
        case ReportBlock::Kind::Figure:
            h += QStringLiteral("<figure><h3>%1</h3>").arg(esc(b.text));
            h += QStringLiteral("<div class='plot'>") + b.svg + QStringLiteral("</div>");
            if (!b.caption.isEmpty())
                h += QStringLiteral("<figcaption>%1</figcaption>").arg(esc(b.caption));
            h += QStringLiteral("</figure>");
            break;
        case ReportBlock::Kind::Table: {
            h += b.wide ? QStringLiteral("<div class='scroll'><table class='wide'><tr>")
                        : QStringLiteral("<div class='scroll'><table><tr>");
            for (const QString &c : b.header)
                h += QStringLiteral("<th>%1</th>").arg(esc(c));
            h += QStringLiteral("</tr>");
            for (const auto &row : b.rows) {
                h += QStringLiteral("<tr>");
                for (const ReportCell &c : row) {
                    h += QLatin1String("<td");
                    h += QLatin1String(cellClass(c.style));
                    h += QLatin1Char('>');
                    h += esc(c.text);
                    h += QLatin1String("</td>");
                }
                h += QStringLiteral("</tr>");
            }
            h += QStringLiteral("</table></div>");
            break;
        }
        }
    }
    h += QStringLiteral("</body></html>\n");
    return h.toUtf8();
}

QByteArray render(const RunResult &run, const ReportOptions &options)
{
    return render(ReportDocument::build(run, options));
}

QStringList summaryLines(const RunResult &run, ReportStyle::Language language)
{
    QStringList l = ReportText::headline(run, language);
    for (const VariantResult &v : run.variants) {
        const auto m = [&](const char *k) { return v.metrics.value(QLatin1String(k)); };
        l << QStringLiteral(
                 "  %1: %2 requests, %3 failed, makespan %4 s, latency p50 %5 / p95 %6 / p99 %7 ms, "
                 "%8 requests/s")
                 .arg(ReportText::variantTitle(run, v, language))
                 .arg(m("requests"))
                 .arg(m("errors"))
                 .arg(QString::number(m("makespan_s"), 'f', 3), QString::number(v.latency.p50Ms, 'f', 1),
                      QString::number(v.latency.p95Ms, 'f', 1), QString::number(v.latency.p99Ms, 'f', 1),
                      QString::number(m("achieved_rps"), 'f', 2));
        if (!v.error.isEmpty())
            l << QStringLiteral("  error: %1").arg(v.error);
    }
    for (const FigureCheck &c : run.checks) {
        const QString ratio
            = c.figure.ratioTo.isEmpty() ? QString() : QStringLiteral(" ÷ ") + c.figure.ratioTo;
        const QString unscaled = qIsNaN(c.unscaled)
            ? QString()
            : QStringLiteral(" (from the delays' %1 s to that plus the %2 s that did not shrink at a tenth "
                             "of this time scale)")
                  .arg(QString::number(c.delaysOnly, 'f', 3), QString::number(c.unscaled, 'f', 3));
        l << QStringLiteral("  [%1] %2%3 %4: expected %5%6, measured %7")
                 .arg(c.verdict(), c.figure.variant, ratio,
                      ReportText::metricLabel(c.figure.metric, ReportStyle::Language::English),
                      c.expectation(), unscaled,
                      c.available ? QString::number(c.measured, 'f', 3) : QStringLiteral("n/a"));
    }
    return l;
}

} // namespace HtmlReport
