// The percentile table: latency and time to first token per variant.
#include "reportwriter.h"

using ReportStyle::Language;

void ReportWriter::percentiles()
{
    ReportBlock t;
    t.kind = ReportBlock::Kind::Table;
    t.wide = true;
    t.header << L("Distribution (ms)", "分布（毫秒）") << L("Count", "数量") << L("min", "最小")
             << QStringLiteral("p50") << QStringLiteral("p90") << QStringLiteral("p95")
             << QStringLiteral("p99") << QStringLiteral("p99.9") << L("max", "最大");
    for (const VariantResult &v : run.variants) {
        const auto add = [&](const QString &what, const PercentileSummary &p) {
            if (!p.count)
                return;
            t.rows << QList<ReportCell> { { QStringLiteral("%1 · %2").arg(v.name, what),
                                            ReportCell::Style::Strong },
                                          { count(double(p.count)) },
                                          { ms(p.minMs) },
                                          { ms(p.p50Ms) },
                                          { ms(p.p90Ms) },
                                          { ms(p.p95Ms) },
                                          { ms(p.p99Ms) },
                                          { ms(p.p999Ms) },
                                          { ms(p.maxMs) } };
        };
        add(L("all requests", "全部请求"), v.latency);
        if (v.latencyOk.count != v.latency.count)
            add(L("successful only", "仅成功的请求"), v.latencyOk);
        add(L("time to first token", "首个 token 时间"), v.ttft);
    }
    if (t.rows.isEmpty())
        return;
    heading(L("Percentiles", "百分位数"), 3);
    doc.blocks.push_back(t);
}
