#include "lessonscript.h"

#include "runs/sessionrun.h"

#include <QCoreApplication>
#include <QRegularExpression>

namespace LessonScript {

QStringList splitSteps(const QString &explanation)
{
    // After . ! ? followed by a space and a capital or an opening parenthesis; after 。！？ always.
    static const QRegularExpression boundary(QStringLiteral("(?<=[.!?])\\s+(?=[A-Z(\"“])|(?<=[。！？])"));
    QStringList out;
    for (const QString &part : explanation.split(boundary)) {
        const QString s = part.trimmed();
        if (!s.isEmpty())
            out << s;
    }
    return out;
}

QList<LessonCaption> captions(const SessionRun &run, qint64 durationNs, bool chinese)
{
    const Scenario &sc = run.run->scenario;
    const VariantResult &v = run.variant();
    QStringList steps;
    const ScenarioVariant *sv = sc.variant(v.name);
    const QString title = chinese && !sc.titleZh.isEmpty() ? sc.titleZh : sc.titleEn;
    const QString label = sv ? (chinese && !sv->labelZh.isEmpty() ? sv->labelZh : sv->labelEn) : v.label;
    const QString mode = v.serverConfig.value(QStringLiteral("mode")).toString();
    steps << QCoreApplication::translate("LessonScript", "%1 · variant %2: %3")
                 .arg(title.isEmpty() ? sc.name : title, v.name, label.isEmpty() ? mode : label);
    steps << splitSteps(chinese && !sc.explanationZh.isEmpty() ? sc.explanationZh : sc.explanationEn);
    if (steps.size() == 1) // a burst without a scenario: say what to look at
        steps << QCoreApplication::translate(
                     "LessonScript", "%1 simulated users send their requests at once to a %2-mode server.")
                     .arg(v.load.users)
                     .arg(mode)
              << QCoreApplication::translate("LessonScript",
                                             "Watch the worker lane: a red strip means the event loop is "
                                             "blocked and nobody is served.");
    steps << QCoreApplication::translate("LessonScript",
                                         "Measured: %1 requests, p50 %2 s, p95 %3 s, all done after %4 s.")
                 .arg(v.client.size())
                 .arg(v.latency.p50Ms / 1e3, 0, 'f', 2)
                 .arg(v.latency.p95Ms / 1e3, 0, 'f', 2)
                 .arg(v.metrics.value(QStringLiteral("makespan_s")), 0, 'f', 2);
    QList<LessonCaption> out;
    // Evenly over the run; the result shows for the last part.
    const qint64 slice = std::max<qint64>(1, durationNs / steps.size());
    for (int i = 0; i < steps.size(); ++i)
        out.push_back({ i * slice, steps[i] });
    return out;
}

int captionAt(const QList<LessonCaption> &captions, qint64 tNs)
{
    int at = captions.isEmpty() ? -1 : 0;
    for (int i = 0; i < captions.size(); ++i) {
        if (captions[i].fromNs <= tNs)
            at = i;
    }
    return at;
}

} // namespace LessonScript
