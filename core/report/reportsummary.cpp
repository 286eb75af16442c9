// The summary table: every variant's figures side by side, ratios to the first.
#include "reportwriter.h"

#include <algorithm>

using ReportStyle::Language;

void ReportWriter::summary()
{
    ReportBlock t;
    t.kind = ReportBlock::Kind::Table;
    t.header << L("Figure", "指标");
    for (const VariantResult &v : run.variants)
        t.header << variantTitle(v);
    const bool ratios = run.variants.size() >= 2;
    for (int i = 1; ratios && i < run.variants.size(); ++i)
        t.header << QStringLiteral("%1 / %2").arg(variantShort(i), variantShort(0));

    const auto row = [&](const QString &label, auto value, auto text) {
        QList<ReportCell> r { { label, ReportCell::Style::Strong } };
        QList<double> values;
        for (const VariantResult &v : run.variants) {
            const double x = value(v);
            values << x;
            r << ReportCell { std::isnan(x) ? QStringLiteral("–") : text(x) };
        }
        for (int i = 1; ratios && i < values.size(); ++i) {
            const bool ok = values[0] > 0 && !std::isnan(values[i]) && !std::isnan(values[0]);
            r << ReportCell { ok ? QStringLiteral("%1×").arg(num(values[i] / values[0], 2))
                                 : QStringLiteral("–"),
                              ReportCell::Style::Muted };
        }
        t.rows << r;
    };
    const auto metric = [](const char *key) {
        return [key](const VariantResult &v) {
            const QString k = QLatin1String(key);
            return v.metrics.contains(k) ? v.metrics.value(k) : std::nan("");
        };
    };
    const auto F = [this](const char *id) { return ReportText::figureLabel(QLatin1String(id), lang); };
    const auto countText = [this](double x) { return count(x); };
    const auto sigText = [this](double x) { return sig(x); };
    const auto msText = [this](double x) { return ms(x); };
    row(F("requests"), metric("requests"), countText);
    row(F("errors"), metric("errors"), countText);
    row(F("makespan"), metric("makespan_s"), sigText);
    row(
        F("p50"), [](const VariantResult &v) { return v.latency.p50Ms; }, msText);
    row(
        F("p95"), [](const VariantResult &v) { return v.latency.p95Ms; }, msText);
    row(
        F("p99"), [](const VariantResult &v) { return v.latency.p99Ms; }, msText);
    row(F("throughput"), metric("achieved_rps"), sigText);
    row(F("in_flight_peak"), metric("in_flight_peak"), countText);
    if (anyServerSideOnly()) {
        QList<ReportCell> r { { ReportText::metricLabel(QStringLiteral("late_sends"), lang),
                                ReportCell::Style::Strong } };
        for (const VariantResult &v : run.variants)
            r << (v.isServerSideOnly() ? ReportCell { notMeasured(), ReportCell::Style::Muted }
                                       : ReportCell { count(v.metrics.value(QStringLiteral("late_sends"))) });
        for (int i = 1; ratios && i < run.variants.size(); ++i)
            r << ReportCell {};
        t.rows << r;
    }
    row(
        F("loop_lag"),
        [](const VariantResult &v) {
            const QString k = QStringLiteral("loop_lag_max_s");
            return v.metrics.contains(k) ? v.metrics.value(k) * 1e3 : std::nan("");
        },
        msText);
    row(F("loop_wait"), metric("loop_wait_s"), sigText); // ready, but the loop was busy (loop_wait)
    // Seed 2's table rows, measured (ProcessResources): CPU utilisation and memory.
    row(F("cpu"), metric("cpu_util_pct"), sigText);
    row(F("server_cpu"), metric("server_cpu_util_pct"), sigText);
    if (std::any_of(run.variants.begin(), run.variants.end(), [](const VariantResult &v) {
            return v.metrics.contains(QStringLiteral("pool_cpu_util_pct"));
        }))
        row(F("pool_cpu"), metric("pool_cpu_util_pct"), sigText);
    row(F("rss"), metric("rss_peak_mb"), sigText);
    if (std::any_of(run.variants.begin(), run.variants.end(), [](const VariantResult &v) {
            return v.metrics.value(QStringLiteral("workers_peak"))
                != v.metrics.value(QStringLiteral("workers_low"));
        })) {
        QList<ReportCell> r { { F("workers"), ReportCell::Style::Strong } };
        for (const VariantResult &v : run.variants)
            r << ReportCell { QStringLiteral("%1–%2")
                                  .arg(v.metrics.value(QStringLiteral("workers_low")))
                                  .arg(v.metrics.value(QStringLiteral("workers_peak"))) };
        for (int i = 1; ratios && i < run.variants.size(); ++i)
            r << ReportCell {};
        t.rows << r;
    }
    if (!run.checks.isEmpty()) {
        QList<ReportCell> r { { L("Expected by the seed", "种子文档的预期"), ReportCell::Style::Strong } };
        for (const VariantResult &v : run.variants) {
            QStringList lines;
            bool pass = true, any = false;
            for (const FigureCheck &c : run.checks) {
                if (c.figure.variant != v.name)
                    continue;
                any = true;
                pass = pass && c.pass;
                lines << QStringLiteral("%1%2: %3 ≈ %4 → %5")
                             .arg(ReportText::metricLabel(c.figure.metric, lang),
                                  c.figure.ratioTo.isEmpty() ? QString()
                                                             : QStringLiteral(" ÷ ") + c.figure.ratioTo,
                                  c.available ? sig(c.measured) : QStringLiteral("–"), c.expectation(2),
                                  !c.notApplicable.isEmpty() ? L("not applicable", "不适用")
                                      : c.pass               ? L("PASS", "通过")
                                                             : L("FAIL", "未通过"));
            }
            r << ReportCell { any ? lines.join(QLatin1Char('\n')) : QStringLiteral("–"),
                              !any ? ReportCell::Style::Muted
                                   : (pass ? ReportCell::Style::Pass : ReportCell::Style::Fail) };
        }
        for (int i = 1; ratios && i < run.variants.size(); ++i)
            r << ReportCell {};
        t.rows << r;
    }
    doc.blocks.push_back(t);
    paragraph(L("Latency is measured from the moment each request should have been sent, so waiting in the "
                "client or in a queue counts. Ratios compare each variant with the first.",
                "延迟从每个请求本应发出的时刻开始计算，因此在客户端或队列中的等待也计算在内。比值为各变体与第"
                "一个变体之比。"),
              ReportBlock::Kind::Note);
    for (const VariantResult &v : run.variants) {
        if (v.isServerSideOnly())
            paragraph(L("%1: latency is measured server-side, from reading the request to writing its last "
                        "byte; the client-side figures (send times, late sends, offered load) are %2.",
                        "%1：延迟在服务器端测量，从读完请求到写出最后一个字节；客户端指标（发送时间、未按时"
                        "发出的请求、施加的负载）%2。")
                          .arg(variantTitle(v), notMeasured()),
                      ReportBlock::Kind::Note);
    }
}
