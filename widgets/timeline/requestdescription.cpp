#include "requestdescription.h"

#include "timeline/timelinemodel.h"

#include <QObject>
#include <QStringList>

namespace {

QString ms(qint64 ns)
{
    return QStringLiteral("%1 ms").arg(double(ns) / 1e6, 0, 'f', 1);
}
QString at(qint64 ns, qint64 origin)
{
    return QStringLiteral("%1 s").arg(double(ns - origin) / 1e9, 0, 'f', 3);
}

} // namespace

QString describeRequest(const TimelineDetails &d, qint64 originNs, qint64 nowNs)
{
    const RequestRecord &r = d.record;
    const qint64 clientSentNs = d.sentNs;
    const qint64 end = r.respondedNs > 0 ? r.respondedNs : nowNs;
    QString html = QStringLiteral("<b>Request #%1</b> &nbsp; user <b>%2</b><br>")
                       .arg(r.id)
                       .arg(r.userId().toHtmlEscaped());
    html += QObject::tr("mode <b>%1</b> &middot; worker %2 &middot; loop thread %3 &middot; status %4")
                .arg(dispatchModeName(r.mode))
                .arg(r.worker)
                .arg(d.loopThread.toHtmlEscaped())
                .arg(r.status ? QString::number(r.status) : QObject::tr("in flight"));
    // Who sent it (issue #23): the peer, its User-Agent and X-LoopScope-User, when known.
    if (r.hasClient() || r.userAgent[0] || r.loopscopeUser[0])
        html += QStringLiteral("<br>") + QObject::tr("from %1").arg(r.clientEndpointText().toHtmlEscaped())
            + (r.loopscopeUser[0]
                   ? QStringLiteral(" &middot; <b>%1</b>").arg(r.loopscopeUserText().toHtmlEscaped())
                   : QString())
            + (r.userAgent[0] ? QStringLiteral(" &middot; %1").arg(r.userAgentText().toHtmlEscaped())
                              : QString());
    if (r.boundary())
        html += QStringLiteral("<br><i>%1</i>")
                    .arg(QObject::tr("in flight when the recording started or stopped: shown, not counted"));
    QStringList settings; // the conversation's own, when it has any
    if (r.systemPromptChars > 0)
        settings << QObject::tr("system prompt %1 chars").arg(r.systemPromptChars);
    if (!r.modelName().isEmpty())
        settings << QObject::tr("model %1").arg(r.modelName().toHtmlEscaped());
    if (r.temperatureCenti >= 0)
        settings << QObject::tr("temperature %1").arg(r.temperatureCenti / 100.0, 0, 'f', 2);
    if (r.maxTokens > 0)
        settings << QObject::tr("max tokens %1").arg(r.maxTokens);
    if (!settings.isEmpty())
        html += QStringLiteral("<br>")
            + QObject::tr("conversation settings: %1").arg(settings.join(QStringLiteral(" &middot; ")));
    html += QStringLiteral("<table cellspacing=0 cellpadding=1>");
    auto row = [&html](const QString &k, const QString &v) {
        html += QStringLiteral("<tr><td>%1&nbsp;&nbsp;</td><td align=right>%2</td></tr>").arg(k, v);
    };
    if (clientSentNs > 0) {
        row(QObject::tr("sent by the client"), at(clientSentNs, originNs));
        row(QObject::tr("waited to be read (backlog)"), ms(r.arrivedNs - clientSentNs));
    }
    row(QObject::tr("read by the server"), at(r.arrivedNs, originNs));
    if (r.startedNs > 0)
        row(QObject::tr("waited before start"), ms(r.startedNs - r.arrivedNs));
    if (r.firstTokenNs > 0)
        row(QObject::tr("time to first token"), ms(r.firstTokenNs - r.arrivedNs));
    row(r.respondedNs > 0 ? QObject::tr("total (server)") : QObject::tr("so far"), ms(end - r.arrivedNs));
    if (clientSentNs > 0 && r.respondedNs > 0)
        row(QObject::tr("total (client)"), ms(r.respondedNs - clientSentNs));
    html += QStringLiteral(
        "</table><table cellspacing=0 cellpadding=1><tr><th align=left>phase&nbsp;</th>"
        "<th align=left>thread&nbsp;</th><th align=right>start&nbsp;</th><th align=right>duration</th></tr>");
    for (const TimelineDetails::Step &s : d.steps) {
        QString name = phaseName(s.phase);
        if (s.index > 0)
            name += QStringLiteral("[%1]").arg(s.index);
        html += QStringLiteral("<tr><td>%1&nbsp;</td><td>%2&nbsp;</td><td align=right>+%3&nbsp;</td><td "
                               "align=right>%4</td></tr>")
                    .arg(name, s.thread.toHtmlEscaped(), ms(s.startNs - r.arrivedNs),
                         s.endNs > 0 ? ms(s.endNs - s.startNs) : QObject::tr("running"));
        if (s.underGil) // the true sums from the lock's own track, not the span's outline
            html += QStringLiteral("<tr><td colspan=4>&nbsp;&nbsp;%1</td></tr>")
                        .arg(QObject::tr("GIL: held %1, waited %2, handed over %3 times")
                                 .arg(ms(s.heldNs), ms(s.waitNs))
                                 .arg(s.handOvers));
    }
    html += QStringLiteral("</table>");
    return html;
}
