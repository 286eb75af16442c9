// The seed's expected figures against the measured ones.
#include "reportwriter.h"

using ReportStyle::Language;

void ReportWriter::expected()
{
    if (run.checks.isEmpty())
        return;
    heading(L("Expected vs measured", "预期与实测"));
    ReportBlock t;
    t.kind = ReportBlock::Kind::Table;
    t.header << L("Variant", "变体") << L("Figure", "指标") << L("Expected", "预期")
             << L("Allowed ±", "允许偏差 ±") << L("Measured", "实测") << L("Result", "结果");
    bool notes = false;
    for (const FigureCheck &c : run.checks)
        notes = notes || !c.figure.note.isEmpty();
    if (notes)
        t.header << L("Note", "说明");
    for (const FigureCheck &c : run.checks) {
        QString variant = c.figure.variant;
        for (const VariantResult &v : run.variants) {
            if (v.name == c.figure.variant)
                variant = variantTitle(v);
        }
        // A ratio between variants reads "makespan ÷ B"; a bound "≥ 3"; a figure this machine
        // cannot show (too few cores) "not applicable: 1 core".
        const bool na = !c.notApplicable.isEmpty();
        const QString bound = !c.figure.bounded() ? QString()
            : qIsNaN(c.figure.atLeast)            ? QStringLiteral("≤ ")
                                                  : QStringLiteral("≥ ");
        const QString what = ReportText::metricLabel(c.figure.metric, lang)
            + (c.figure.ratioTo.isEmpty() ? QString() : QStringLiteral(" ÷ ") + c.figure.ratioTo);
        const QString measured = c.available ? sig(c.measured) : L("not measured", "未测得");
        QString verdict = c.pass ? L("PASS", "通过") : L("FAIL", "未通过");
        auto style = c.pass ? ReportCell::Style::Pass : ReportCell::Style::Fail;
        if (na) {
            verdict = L("not applicable: ", "不适用：") + c.notApplicable;
            style = ReportCell::Style::Muted;
        }
        const QString none = QStringLiteral("–");
        QList<ReportCell> r { { variant, ReportCell::Style::Strong },
                              { what },
                              { na ? none : bound + sig(c.expected) },
                              { na || c.figure.bounded() ? none : sig(c.allowed) },
                              { na ? none : measured },
                              { verdict, style } };
        if (notes)
            r << ReportCell { c.figure.note, ReportCell::Style::Muted };
        t.rows << r;
    }
    doc.blocks.push_back(t);
    paragraph(
        L("The seed states its figures for time scale 1; they are scaled here to this run's time scale (%1).",
          "种子文档给出的数值对应时间缩放 1；这里已按本次运行的时间缩放（%1）换算。")
            .arg(num(run.options.timeScale, 2)),
        ReportBlock::Kind::Note);
}
