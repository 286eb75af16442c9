#include "reportdocument.h"

#include "reportwriter.h"

#include <QDateTime>
#include <algorithm>

using ReportStyle::Language;

qint64 lastAnswer(const VariantResult &v)
{
    qint64 end = 0;
    for (const ClientRecord &c : v.client)
        end = std::max(end, c.completeNs);
    return end;
}

void ReportWriter::build()
{
    doc.language = lang;
    doc.title = lang == Language::Chinese && !run.scenario.titleZh.isEmpty() ? run.scenario.titleZh
                                                                             : run.scenario.titleEn;
    if (doc.title.isEmpty())
        doc.title = run.scenario.name;
    if (doc.title.isEmpty())
        doc.title = L("Custom run", "自定义运行");
    const QDateTime created = QDateTime::fromMSecsSinceEpoch(run.createdMs);
    doc.date = lang == Language::Chinese ? created.toString(QStringLiteral("yyyy年M月d日 HH:mm"))
                                         : created.toString(QStringLiteral("d MMM yyyy, HH:mm"));
    doc.subtitle = QStringLiteral("LoopScope · %1").arg(doc.date);
    double span = 0;
    for (const VariantResult &v : run.variants) {
        if (const qint64 end = lastAnswer(v))
            span = std::max(span, double(end - v.startNs) / 1e9);
        if (!v.counters.isEmpty())
            span = std::max(span, double(v.counters.back().tNs - v.startNs) / 1e9);
    }
    spanS = std::max(span, 1e-3);
    unit = SvgPlot::timeUnit(spanS);

    paragraph(ReportText::headline(run, lang).join(QLatin1Char(' ')), ReportBlock::Kind::Headline);
    summary();
    const QString explanation = lang == Language::Chinese && !run.scenario.explanationZh.isEmpty()
        ? run.scenario.explanationZh
        : run.scenario.explanationEn;
    if (!explanation.isEmpty()) {
        heading(L("What this scenario shows", "这个场景说明什么"));
        paragraph(explanation);
    }
    timelines();
    counters();
    observed();
    databasePool();
    latency();
    percentiles();
    expected();
    settings();
    requests();
    details();
}

ReportDocument ReportDocument::build(const RunResult &run, const ReportOptions &options)
{
    ReportWriter w(run, options);
    w.build();
    return w.doc;
}

QStringList ReportDocument::visibleText() const
{
    QStringList out { title, subtitle };
    for (const ReportBlock &b : blocks) {
        out << b.text << b.caption << b.header;
        for (const auto &row : b.rows) {
            for (const ReportCell &c : row)
                out << c.text;
        }
        // SVG text elements: what the plots say.
        qsizetype at = 0;
        while ((at = b.svg.indexOf(QLatin1String("<text"), at)) >= 0) {
            const qsizetype open = b.svg.indexOf(QLatin1Char('>'), at) + 1;
            const qsizetype close = b.svg.indexOf(QLatin1String("</text>"), open);
            if (open <= 0 || close < 0)
                break;
            out << b.svg.mid(open, close - open);
            at = close;
        }
    }
    out.removeAll(QString());
    return out;
}
