// The first requests of every variant, one row each.
#include "reportwriter.h"

using ReportStyle::Language;

void ReportWriter::requests()
{
    if (options.requestRows <= 0)
        return;
    heading(L("Requests", "请求"));
    for (const VariantResult &v : run.variants) {
        if (v.isServerSideOnly()) {
            heading(variantTitle(v), 3);
            paragraph(L("Client-side times: %1. requests.csv and run.json next to this report list the "
                        "server's records, with each client's address, User-Agent and X-LoopScope-User.",
                        "客户端时间：%1。本报告旁的 requests.csv 和 run.json 列出服务器的记录，包括每个客户端"
                        "的地址、User-Agent 和 X-LoopScope-User。")
                          .arg(notMeasured()),
                      ReportBlock::Kind::Note);
            continue;
        }
        ReportBlock t;
        t.kind = ReportBlock::Kind::Table;
        t.wide = true;
        t.header << L("User", "用户") << QStringLiteral("#") << L("Intended send (ms)", "计划发送（毫秒）")
                 << L("Sent (ms)", "发出（毫秒）") << L("First byte (ms)", "首字节（毫秒）")
                 << L("Answered (ms)", "响应（毫秒）") << L("Latency (ms)", "延迟（毫秒）")
                 << L("HTTP status", "HTTP 状态") << L("Outcome", "结果");
        const auto at
            = [&](qint64 ns) { return ns ? num(double(ns - v.startNs) / 1e6, 1) : QStringLiteral("–"); };
        const int n = std::min<int>(options.requestRows, int(v.client.size()));
        for (int i = 0; i < n; ++i) {
            const ClientRecord &c = v.client[i];
            QString outcome = c.ok() ? L("ok", "成功") : clientErrorName(c.error);
            if (c.late)
                outcome += L(" (sent late)", "（未按时发出）");
            t.rows << QList<ReportCell> {
                { count(c.user) },
                { count(c.sequence) },
                { at(c.intendedNs) },
                { at(c.sentNs) },
                { at(c.firstByteNs) },
                { at(c.completeNs) },
                { c.finished() ? num(double(c.latencyNs()) / 1e6, 1) : QStringLiteral("–") },
                { c.status ? QString::number(c.status) : QStringLiteral("–") },
                { outcome, c.ok() ? ReportCell::Style::Plain : ReportCell::Style::Fail }
            };
        }
        heading(variantTitle(v), 3);
        doc.blocks.push_back(t);
        if (n < v.client.size())
            paragraph(L("The first %1 of %2 requests; requests.csv and run.json next to this report hold all "
                        "of them.",
                        "仅列出 %2 个请求中的前 %1 个；本报告旁的 requests.csv 和 run.json 包含全部请求。")
                          .arg(count(n), count(double(v.client.size()))),
                      ReportBlock::Kind::Note);
    }
}
