#include "rangedescription.h"

#include "stats/rangestatistics.h"
#include "timeline/timelinedata.h"
#include "timelineview/timeviewstate.h"

QString RangeDescription::describe(const TimelineData &d, const TimeViewState &state, qint64 fromNs,
                                   qint64 toNs)
{
    RangeStatistics s(fromNs, toNs);
    for (qsizetype i = d.lowerBoundArrival(fromNs); i < d.size() && s.add(d.at(i), d.barStartNs(i)); ++i) { }
    QString html = tr("<b>Range %1 s – %2 s</b> (%3 s)<br>")
                       .arg(state.toSeconds(fromNs), 0, 'f', 3)
                       .arg(state.toSeconds(toNs), 0, 'f', 3)
                       .arg(s.seconds(), 0, 'f', 3);
    html += tr("%1 requests arrived (%2/s) · %3 ok · %4 failed · %5 still in flight<br>")
                .arg(s.arrived())
                .arg(s.arrivalsPerSecond(), 0, 'f', 1)
                .arg(s.ok())
                .arg(s.failed())
                .arg(s.inFlight());
    html += tr("modes: %1 blocking · %2 executor · %3 async")
                .arg(s.arrivedIn(DispatchMode::Blocking))
                .arg(s.arrivedIn(DispatchMode::Executor))
                .arg(s.arrivedIn(DispatchMode::Async));
    html += QStringLiteral(
        "<table cellspacing=0 cellpadding=2><tr><th></th><th align=right>p50</th><th align=right>p95</th>"
        "<th align=right>p99</th><th align=right>max</th></tr>");
    auto row = [&html](const QString &name, const LatencyStats &stats) {
        if (stats.count() == 0)
            return;
        const PercentileSummary p = stats.summary();
        html += QStringLiteral("<tr><td>%1&nbsp;</td><td align=right>%2</td><td align=right>%3</td>"
                               "<td align=right>%4</td><td align=right>%5</td></tr>")
                    .arg(name)
                    .arg(p.p50Ms, 0, 'f', 1)
                    .arg(p.p95Ms, 0, 'f', 1)
                    .arg(p.p99Ms, 0, 'f', 1)
                    .arg(p.maxMs, 0, 'f', 1);
    };
    row(tr("total (ms)"), s.total());
    row(tr("first token (ms)"), s.firstToken());
    row(tr("wait before start (ms)"), s.waitBeforeStart());
    row(tr("waiting for a busy loop (ms)"), s.loopWait());
    html += QStringLiteral("</table>");
    html += tr("<small>Latencies from the client's send time where known, else from the server's read. "
               "Shift+drag selects a range; a click clears it.</small>");
    return html;
}
