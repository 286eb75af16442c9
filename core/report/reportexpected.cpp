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
    bool notes = false, unscaled = false;
    for (const FigureCheck &c : run.checks) {
        notes = notes || !c.figure.note.isEmpty() || !qIsNaN(c.unscaled);
        unscaled = unscaled || !qIsNaN(c.unscaled);
    }
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
        if (notes) {
            QString note = c.figure.note;
            if (!qIsNaN(c.unscaled) && !na)
                note += (note.isEmpty() ? QString() : QStringLiteral(" · "))
                    + L("from the delays' %1 s to that plus the %2 s that did not shrink at a tenth of this "
                        "time scale",
                        "从延迟本身的 %1 秒，到再加上在十分之一时间缩放下未缩短的 %2 秒")
                          .arg(sig(c.delaysOnly), sig(c.unscaled));
            r << ReportCell { note, ReportCell::Style::Muted };
        }
        t.rows << r;
    }
    doc.blocks.push_back(t);
    paragraph(
        L("The seed states its figures for time scale 1; they are scaled here to this run's time scale (%1).",
          "种子文档给出的数值对应时间缩放 1；这里已按本次运行的时间缩放（%1）换算。")
            .arg(num(run.options.timeScale, 2)),
        ReportBlock::Kind::Note);
    if (unscaled)
        paragraph(
            L("Some expected times take into account what does not shrink with the time scale, measured on "
              "this machine just before the variant, in a pass of it at a tenth of this run's time scale "
              "(that pass's figure less its delays): round trips to the database, each request's CPU and "
              "waking from each wait cost the processor's time, not the lesson's. Such a figure lies "
              "between the longer of the delays and that cost (the work done while the delays run) and "
              "their sum (done one after the other).",
              "部分预期时间考虑了不随时间缩放缩短的部分：在本机上、紧接该变体之前，以本次十分之一的时间缩放运"
              "行一遍"
              "（该遍的指标减去其延迟）测得。数据库往返、每个请求的 CPU "
              "以及每次等待后的唤醒，花的是处理器的时间，"
              "而不是课程本身的。这类指标介于延迟与该开销中较长者（这些工作在延迟期间完成）与两者之和（先后完"
              "成）"
              "之间。"),
            ReportBlock::Kind::Note);
}
