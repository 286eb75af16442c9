#include "htmlreport.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>
#include <cmath>

namespace HtmlReport {

namespace {

QString esc(const QString &s) { return s.toHtmlEscaped(); }
QString num(double v, int decimals = 3) { return QString::number(v, 'f', decimals); }

const char *phaseColor(Phase p)
{
    switch (p) {
    case Phase::Queued: return "#c9a227";
    case Phase::DbRead: return "#4e79a7";
    case Phase::Llm: return "#e15759";
    case Phase::DbWrite: return "#59a14f";
    case Phase::Prefetch: return "#b07aa1";
    case Phase::Poll: return "#f28e2b";
    case Phase::Respond: return "#76b7b2";
    }
    return "#999";
}

QString axis(double x0, double y0, double w, double maxValue, const QString &unit)
{
    QString s;
    for (int i = 0; i <= 5; ++i) {
        const double x = x0 + w * i / 5.0;
        s += QStringLiteral("<line x1='%1' y1='%2' x2='%1' y2='%3' stroke='#ddd'/>"
                            "<text x='%1' y='%4' font-size='10' text-anchor='middle'>%5</text>")
                     .arg(num(x, 1), num(y0 - 4, 1), num(y0 + 2, 1), num(y0 + 14, 1),
                          QString::number(maxValue * i / 5.0, 'g', 3) + unit);
    }
    return s;
}

QString timelineSvg(const VariantResult &v)
{
    QList<const ClientRecord *> rows;
    for (const ClientRecord &c : v.client) {
        if (c.finished())
            rows.push_back(&c);
    }
    if (rows.isEmpty())
        return QStringLiteral("<p>No finished requests.</p>");
    const int maxRows = 150;
    const int step = std::max<int>(1, int((rows.size() + maxRows - 1) / maxRows));
    qint64 end = 0;
    for (const ClientRecord *c : rows)
        end = std::max(end, c->completeNs);
    const double span = std::max<double>(1, double(end - v.startNs));
    const int shown = int((rows.size() + step - 1) / step);
    // Few requests get tall, readable rows; many get thin ones (at most ~600 px in all).
    const double left = 60, width = 820, rowH = std::clamp(600.0 / std::max(1, shown), 4.0, 22.0);
    const double height = shown * rowH + 30;
    QString s = QStringLiteral("<svg xmlns='http://www.w3.org/2000/svg' width='900' height='%1'>").arg(height);
    const auto x = [&](qint64 ns) { return left + width * double(ns - v.startNs) / span; };
    int row = 0;
    for (int i = 0; i < rows.size(); i += step, ++row) {
        const ClientRecord &c = *rows[i];
        const double y = row * rowH;
        if (rowH >= 12)
            s += QStringLiteral("<text x='0' y='%1' font-size='10' fill='#555'>%2</text>")
                         .arg(num(y + rowH * 0.7, 1), esc(QStringLiteral("user %1").arg(c.user)));
        s += QStringLiteral("<rect x='%1' y='%2' width='%3' height='%4' fill='%5'><title>user %6 #%7: %8 ms</title></rect>")
                     .arg(num(x(c.intendedNs), 1), num(y, 1), num(std::max(0.5, x(c.completeNs) - x(c.intendedNs)), 1),
                          num(rowH - 1, 1), c.ok() ? QStringLiteral("#cfd8e3") : QStringLiteral("#f4a6a6"))
                     .arg(c.user).arg(c.sequence).arg(num(double(c.latencyNs()) / 1e6, 1));
        if (const RequestRecord *r = v.serverRecordFor(c)) {
            for (int k = 0; k < r->spanCount; ++k) {
                const TraceSpan &t = r->spans[size_t(k)];
                if (!t.endNs)
                    continue;
                s += QStringLiteral("<rect x='%1' y='%2' width='%3' height='%4' fill='%5'/>")
                             .arg(num(x(t.startNs), 1), num(y + 1, 1), num(std::max(0.5, x(t.endNs) - x(t.startNs)), 1),
                                  num(rowH - 3, 1), QLatin1String(phaseColor(t.phase)));
            }
        }
    }
    s += axis(left, shown * rowH + 8, width, span / 1e9, QStringLiteral(" s"));
    s += QStringLiteral("</svg>");
    QString legend = QStringLiteral("<p class='legend'>");
    for (int p = 0; p < PhaseCount; ++p)
        legend += QStringLiteral("<span style='background:%1'>&nbsp;&nbsp;&nbsp;</span> %2 &nbsp;")
                          .arg(QLatin1String(phaseColor(Phase(p))), phaseName(Phase(p)));
    legend += QStringLiteral("<span style='background:#cfd8e3'>&nbsp;&nbsp;&nbsp;</span> client wait (from intended send)");
    if (step > 1)
        legend += QStringLiteral(" &middot; every %1th request shown").arg(step);
    return s + legend + QStringLiteral("</p>");
}

QString countersSvg(const VariantResult &v)
{
    if (v.counters.isEmpty())
        return QStringLiteral("<p>No server counters (external target).</p>");
    const double left = 60, width = 820, h = 140;
    qint64 t0 = v.counters.front().tNs, t1 = v.counters.back().tNs;
    double maxY = 1;
    for (const CounterSample &k : v.counters)
        maxY = std::max({maxY, double(k.inFlight), double(k.waiting), double(k.poolActive), double(k.poolQueued)});
    const auto line = [&](auto value, const char *color, const char *name) {
        QString pts;
        const int step = std::max<int>(1, int(v.counters.size() / 800));
        for (int i = 0; i < v.counters.size(); i += step) {
            const CounterSample &k = v.counters[i];
            pts += num(left + width * double(k.tNs - t0) / std::max<double>(1, double(t1 - t0)), 1) + QLatin1Char(',')
                    + num(h - h * double(value(k)) / maxY, 1) + QLatin1Char(' ');
        }
        return QStringLiteral("<polyline fill='none' stroke='%1' stroke-width='1.5' points='%2'><title>%3</title></polyline>")
                .arg(QLatin1String(color), pts, QLatin1String(name));
    };
    QString s = QStringLiteral("<svg xmlns='http://www.w3.org/2000/svg' width='900' height='%1'>").arg(h + 30);
    s += QStringLiteral("<text x='0' y='12' font-size='10'>%1</text><text x='0' y='%2' font-size='10'>0</text>")
                 .arg(num(maxY, 0))
                 .arg(h);
    s += line([](const CounterSample &k) { return k.inFlight; }, "#4e79a7", "in flight");
    s += line([](const CounterSample &k) { return k.waiting; }, "#f28e2b", "waiting");
    s += line([](const CounterSample &k) { return k.poolActive; }, "#59a14f", "pool active");
    s += line([](const CounterSample &k) { return k.poolQueued; }, "#e15759", "pool queued");
    s += axis(left, h + 8, width, double(t1 - t0) / 1e9, QStringLiteral(" s"));
    s += QStringLiteral("</svg><p class='legend'><span style='color:#4e79a7'>&#9632;</span> in flight "
                        "<span style='color:#f28e2b'>&#9632;</span> waiting <span style='color:#59a14f'>&#9632;</span> "
                        "pool active <span style='color:#e15759'>&#9632;</span> pool queued (100 Hz samples)</p>");
    return s;
}

// Event-loop lag of each worker (how late its 10 ms heartbeat fired): where blocking shows.
QString loopLagSvg(const VariantResult &v)
{
    if (v.counters.isEmpty())
        return {};
    static const char *const colors[] = {"#e15759", "#4e79a7", "#59a14f", "#f28e2b", "#b07aa1", "#76b7b2", "#edc948", "#9c755f"};
    const double left = 60, width = 820, h = 140;
    const qint64 t0 = v.counters.front().tNs, t1 = v.counters.back().tNs;
    int workers = 0;
    double maxY = 1;
    for (const CounterSample &k : v.counters) {
        workers = std::max(workers, int(k.workers));
        maxY = std::max(maxY, double(k.maxLoopLagMs()));
    }
    QString s = QStringLiteral("<svg xmlns='http://www.w3.org/2000/svg' width='900' height='%1'>").arg(h + 30);
    s += QStringLiteral("<text x='0' y='12' font-size='10'>%1 ms</text><text x='0' y='%2' font-size='10'>0</text>")
                 .arg(num(maxY, 0)).arg(h);
    QString legend = QStringLiteral("<p class='legend'>");
    const int step = std::max<int>(1, int(v.counters.size() / 800));
    for (int w = 0; w < workers && w < ServerCounters::MaxWorkers; ++w) {
        QString pts;
        for (int i = 0; i < v.counters.size(); i += step) {
            const CounterSample &k = v.counters[i];
            pts += num(left + width * double(k.tNs - t0) / std::max<double>(1, double(t1 - t0)), 1) + QLatin1Char(',')
                    + num(h - h * double(k.loopLagMs[size_t(w)]) / maxY, 1) + QLatin1Char(' ');
        }
        const char *color = colors[w % 8];
        s += QStringLiteral("<polyline fill='none' stroke='%1' stroke-width='1.5' points='%2'><title>worker-%3</title></polyline>")
                     .arg(QLatin1String(color), pts).arg(w);
        legend += QStringLiteral("<span style='color:%1'>&#9632;</span> worker-%2 ").arg(QLatin1String(color)).arg(w);
    }
    s += axis(left, h + 8, width, double(t1 - t0) / 1e9, QStringLiteral(" s"));
    return s + QStringLiteral("</svg>") + legend
            + QStringLiteral("&middot; how late each worker loop's 10 ms heartbeat fired: a blocked loop's lag "
                             "grows for as long as it is blocked</p>");
}

QString latencySvg(const VariantResult &v)
{
    QList<double> lat;
    for (const ClientRecord &c : v.client) {
        if (c.finished())
            lat.push_back(double(c.latencyNs()) / 1e9);
    }
    if (lat.isEmpty())
        return {};
    std::sort(lat.begin(), lat.end());
    const double left = 60, width = 820, h = 140, maxY = std::max(1e-6, lat.back());
    QString pts;
    for (int i = 0; i < lat.size(); ++i)
        pts += num(left + width * (i + 1) / double(lat.size()), 1) + QLatin1Char(',') + num(h - h * lat[i] / maxY, 1)
                + QLatin1Char(' ');
    return QStringLiteral("<svg xmlns='http://www.w3.org/2000/svg' width='900' height='%1'>"
                          "<text x='0' y='12' font-size='10'>%2 s</text><text x='0' y='%3' font-size='10'>0</text>"
                          "<polyline fill='none' stroke='#e15759' stroke-width='1.5' points='%4'/>%5</svg>"
                          "<p class='legend'>Latency of every request from its intended send time, sorted "
                          "(x: fraction of requests, 0-100 %).</p>")
            .arg(h + 30)
            .arg(num(maxY, 3))
            .arg(h)
            .arg(pts, axis(left, h + 8, width, 100, QStringLiteral(" %")));
}

QString percentileRow(const QString &name, const PercentileSummary &p)
{
    return QStringLiteral("<tr><td>%1</td><td>%2</td><td>%3</td><td>%4</td><td>%5</td><td>%6</td><td>%7</td><td>%8</td><td>%9</td></tr>")
            .arg(esc(name), QString::number(p.count), num(p.minMs, 1), num(p.p50Ms, 1), num(p.p90Ms, 1),
                 num(p.p95Ms, 1), num(p.p99Ms, 1), num(p.p999Ms, 1), num(p.maxMs, 1));
}

} // namespace

QStringList summaryLines(const RunResult &run)
{
    QStringList l;
    l << QStringLiteral("Scenario: %1 (%2)").arg(run.scenario.titleEn, run.scenario.name);
    l << QStringLiteral("Time scale %1, target %2, %3")
                 .arg(run.options.timeScale)
                 .arg(run.options.target.isEmpty() ? QStringLiteral("in-process server") : run.options.target.toString(),
                      run.passed() ? QStringLiteral("all figures within tolerance")
                                   : QStringLiteral("SOME FIGURES OUTSIDE TOLERANCE"));
    for (const VariantResult &v : run.variants) {
        const auto m = [&](const char *k) { return v.metrics.value(QLatin1String(k)); };
        l << QStringLiteral("Variant %1 (%2): %3 model, %4 users, %5 requests, %6 ok, %7 errors, %8 late; "
                            "makespan %9 s")
                     .arg(v.name, v.label, LoadSettings::modelName(v.load.model))
                     .arg(v.load.users)
                     .arg(m("requests"))
                     .arg(m("successful"))
                     .arg(m("errors"))
                     .arg(m("late_sends"))
                     .arg(num(m("makespan_s")));
        l << QStringLiteral("  latency ms: p50 %1  p90 %2  p95 %3  p99 %4  max %5;  offered %6 req/s, achieved %7, successful %8")
                     .arg(num(v.latency.p50Ms, 1), num(v.latency.p90Ms, 1), num(v.latency.p95Ms, 1),
                          num(v.latency.p99Ms, 1), num(v.latency.maxMs, 1), num(m("offered_rps"), 2),
                          num(m("achieved_rps"), 2), num(m("successful_rps"), 2));
        if (!v.error.isEmpty())
            l << QStringLiteral("  error: %1").arg(v.error);
    }
    for (const FigureCheck &c : run.checks) {
        l << QStringLiteral("[%1] %2 %3: expected %4 +- %5, measured %6")
                     .arg(c.pass ? QStringLiteral("PASS") : QStringLiteral("FAIL"), c.figure.variant, c.figure.metric,
                          num(c.expected), num(c.allowed), c.available ? num(c.measured) : QStringLiteral("n/a"));
    }
    return l;
}

QByteArray render(const RunResult &run)
{
    QString h;
    h += QStringLiteral("<!DOCTYPE html><html><head><meta charset='utf-8'><title>LoopScope: %1</title><style>"
                        "body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse;margin:8px 0}"
                        "td,th{border:1px solid #ccc;padding:2px 6px;font-size:12px;text-align:right}"
                        "th{background:#f0f0f0}td:first-child{text-align:left}.pass{color:#1a7f37;font-weight:bold}"
                        ".fail{color:#cf222e;font-weight:bold}.legend{font-size:11px;color:#555}"
                        ".config{font-size:12px;color:#444;overflow-wrap:anywhere;max-width:1000px}"
                        "svg{border:1px solid #eee}</style></head><body>")
                 .arg(esc(run.scenario.titleEn));
    h += QStringLiteral("<h1>%1</h1><h2>%2</h2><p>%3</p><p>%4</p>")
                 .arg(esc(run.scenario.titleEn), esc(run.scenario.titleZh), esc(run.scenario.explanationEn),
                      esc(run.scenario.explanationZh));
    h += QStringLiteral("<p>Run %1 &middot; time scale %2 &middot; target %3 &middot; machine %4, %5 cores, Qt %6 "
                        "&middot; seed document %7</p>")
                 .arg(QDateTime::fromMSecsSinceEpoch(run.createdMs).toString(Qt::ISODate))
                 .arg(run.options.timeScale)
                 .arg(esc(run.options.target.isEmpty() ? QStringLiteral("in-process server") : run.options.target.toString()),
                      esc(run.machine.value(QStringLiteral("os")).toString()))
                 .arg(run.machine.value(QStringLiteral("cores")).toInt())
                 .arg(esc(run.machine.value(QStringLiteral("qt")).toString()), esc(run.scenario.seed));

    h += QStringLiteral("<h2>Expected vs measured</h2><table><tr><th>variant</th><th>metric</th><th>expected</th>"
                        "<th>allowed &plusmn;</th><th>measured</th><th>result</th><th>note</th></tr>");
    for (const FigureCheck &c : run.checks) {
        h += QStringLiteral("<tr><td>%1</td><td>%2</td><td>%3</td><td>%4</td><td>%5</td><td class='%6'>%7</td><td>%8</td></tr>")
                     .arg(esc(c.figure.variant), esc(c.figure.metric), num(c.expected), num(c.allowed),
                          c.available ? num(c.measured) : QStringLiteral("n/a"),
                          c.pass ? QStringLiteral("pass") : QStringLiteral("fail"),
                          c.pass ? QStringLiteral("PASS") : QStringLiteral("FAIL"), esc(c.figure.note));
    }
    h += QStringLiteral("</table><p class='legend'>Figures in seconds are the seed's, multiplied by the time scale. "
                        "Latency is measured from each request's intended send time.</p>");

    for (const VariantResult &v : run.variants) {
        h += QStringLiteral("<h2>Variant %1: %2</h2>").arg(esc(v.name), esc(v.label));
        if (!v.error.isEmpty())
            h += QStringLiteral("<p class='fail'>%1</p>").arg(esc(v.error));
        h += QStringLiteral("<p>Load model: <b>%1</b>").arg(LoadSettings::modelName(v.load.model));
        if (v.load.model == LoadSettings::Model::Closed)
            h += QStringLiteral(", %1 users &times; %2 requests, think %3 s%4").arg(v.load.users).arg(v.load.requestsPerUser)
                         .arg(v.load.thinkSeconds).arg(v.load.naive ? QStringLiteral(", naive serial client") : QString());
        else
            h += QStringLiteral(", target %1 req/s for %2 s").arg(v.load.arrivalRate / v.load.timeScale)
                         .arg(v.load.scaled(v.load.durationSeconds));
        QStringList config;
        for (auto it = v.serverConfig.begin(); it != v.serverConfig.end(); ++it) {
            const QJsonValue value = it.value();
            config << QStringLiteral("%1 = %2").arg(it.key(), value.isObject()
                    ? QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact))
                    : value.toVariant().toString());
        }
        h += QStringLiteral("</p><p class='config'>server: %1</p>").arg(esc(config.join(QStringLiteral(" · "))));
        h += QStringLiteral("<table><tr><th>metric</th><th>value</th></tr>");
        for (auto it = v.metrics.begin(); it != v.metrics.end(); ++it)
            h += QStringLiteral("<tr><td>%1</td><td>%2</td></tr>")
                         .arg(esc(it.key()), it.value() == std::floor(it.value()) && std::abs(it.value()) < 1e12
                                                     ? QString::number(qint64(it.value()))
                                                     : num(it.value()));
        for (auto it = v.errorsByKind.begin(); it != v.errorsByKind.end(); ++it)
            h += QStringLiteral("<tr><td>outcome %1</td><td>%2</td></tr>").arg(esc(it.key())).arg(it.value());
        h += QStringLiteral("</table>");
        h += QStringLiteral("<h3>Percentiles (ms, cumulative over the whole run%1)</h3><table><tr><th>distribution</th>"
                            "<th>count</th><th>min</th><th>p50</th><th>p90</th><th>p95</th><th>p99</th><th>p99.9</th><th>max</th></tr>")
                     .arg(v.latency.exact ? QStringLiteral(", exact") : QStringLiteral(", from the histogram"));
        h += percentileRow(QStringLiteral("all requests"), v.latency);
        h += percentileRow(QStringLiteral("successful only"), v.latencyOk);
        h += percentileRow(QStringLiteral("time to first token"), v.ttft);
        h += QStringLiteral("</table><h3>Timeline</h3>") + timelineSvg(v);
        h += QStringLiteral("<h3>Server counters</h3>") + countersSvg(v);
        if (!v.counters.isEmpty())
            h += QStringLiteral("<h3>Event-loop lag</h3>") + loopLagSvg(v);
        h += QStringLiteral("<h3>Latency</h3>") + latencySvg(v);
        h += QStringLiteral("<h3>Requests</h3><table><tr><th>user</th><th>#</th><th>intended ms</th><th>sent ms</th>"
                            "<th>first byte ms</th><th>first token ms</th><th>complete ms</th><th>latency ms</th>"
                            "<th>status</th><th>outcome</th><th>server id</th></tr>");
        const auto ms = [&](qint64 ns) { return ns ? num(double(ns - v.startNs) / 1e6, 1) : QString(); };
        int shown = 0;
        for (const ClientRecord &c : v.client) {
            if (++shown > 2000) {
                h += QStringLiteral("<tr><td colspan='11'>... %1 more in requests.csv</td></tr>").arg(v.client.size() - 2000);
                break;
            }
            h += QStringLiteral("<tr><td>%1</td><td>%2</td><td>%3</td><td>%4</td><td>%5</td><td>%6</td><td>%7</td><td>%8</td>"
                                "<td>%9</td><td>%10</td><td>%11</td></tr>")
                         .arg(c.user)
                         .arg(c.sequence)
                         .arg(ms(c.intendedNs), ms(c.sentNs), ms(c.firstByteNs), ms(c.firstTokenNs), ms(c.completeNs),
                              num(double(c.latencyNs()) / 1e6, 1))
                         .arg(c.status)
                         .arg(clientErrorName(c.error) + (c.late ? QStringLiteral(" (late)") : QString()))
                         .arg(c.serverId);
        }
        h += QStringLiteral("</table>");
    }
    h += QStringLiteral("</body></html>\n");
    return h.toUtf8();
}

} // namespace HtmlReport
