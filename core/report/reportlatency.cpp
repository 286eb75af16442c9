// The latency distribution of every variant, as cumulative curves on one plot.
#include "reportwriter.h"

#include <algorithm>

using ReportStyle::Language;

void ReportWriter::latency()
{
    SvgPlot::Chart c;
    double maxS = 0;
    QList<QList<double>> all;
    for (const VariantResult &v : run.variants) {
        QList<double> lat;
        lat.reserve(v.client.size());
        for (const ClientRecord &r : v.client) {
            if (r.finished())
                lat.push_back(double(r.latencyNs()) / 1e9);
        }
        std::sort(lat.begin(), lat.end());
        if (!lat.isEmpty())
            maxS = std::max(maxS, lat.back());
        all << lat;
    }
    if (maxS <= 0)
        return;
    heading(L("Latency distribution", "延迟分布"));
    const SvgPlot::TimeUnit u = SvgPlot::timeUnit(maxS);
    c.height = 260;
    c.xMax = maxS * u.factor;
    c.yPercent = true;
    c.xTitle = L("Latency from the intended send (%1)", "自计划发送起的延迟（%1）").arg(u.unit);
    c.yTitle = L("requests answered (%)", "已响应的请求（%）");
    for (int i = 0; i < run.variants.size(); ++i) {
        const QList<double> &lat = all[i];
        SvgPlot::Series s;
        s.name = variantTitle(run.variants[i]);
        s.color = ReportStyle::variantColor(i);
        s.step = true;
        const int n = int(lat.size());
        const int points = std::min(n, 400);
        if (n)
            s.points.push_back({ lat.front() * u.factor, 0 });
        for (int p = 1; p <= points; ++p) {
            const int idx = std::min(n - 1, int(std::ceil(double(p) * n / points)) - 1);
            s.points.push_back({ lat[idx] * u.factor, 100.0 * (idx + 1) / n });
        }
        c.series << s;
    }
    int height = c.height;
    const QString svg = SvgPlot::lineChart(c, &height);
    figure(
        L("Latency of every request, all variants", "所有变体的请求延迟"), svg, c.width, height,
        L("A point (x, y) means y % of the requests were answered within x. A curve further left is faster; "
          "a staircase shows requests served one after another.",
          "点 (x, y) 表示 y% 的请求在 x 之内得到响应。曲线越靠左越快；阶梯形说明请求是一个接一个处理的。"));
}
