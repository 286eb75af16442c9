// `loopscope run` load overrides reach every variant: with the seed's naive (serial) client even the
// executor variant of seed 1 is serialized, which is the point the option exists to show.
#include "scenario/scenariorunner.h"

#include <QSignalSpy>
#include <QTest>

class TestRunOptions : public QObject
{
    Q_OBJECT
private slots:
    void naiveClientSerializesTheExecutorVariant();
};

namespace {
double makespan(const QJsonObject &load)
{
    Scenario s;
    QString error;
    if (!Scenario::open(QStringLiteral("pseudo_async"), &s, &error))
        qFatal("%s", qPrintable(error));
    RunOptions o;
    o.timeScale = 0.05; // one request: 2.15 s * 0.05 = 0.1075 s
    o.variant = QStringLiteral("B");
    o.load = load;
    ScenarioRunner runner;
    runner.setScenario(s);
    runner.setOptions(o);
    QSignalSpy finished(&runner, &ScenarioRunner::finished);
    if (!runner.start(&error) || !finished.wait(60000))
        return -1;
    const RunResult r = runner.result();
    if (r.variants.size() != 1 || r.variants[0].metrics.value(QStringLiteral("errors")) != 0)
        return -1;
    if (r.options.load != load) // kept for run.json
        return -1;
    return r.variants[0].metrics.value(QStringLiteral("makespan_s"), -1);
}
} // namespace

void TestRunOptions::naiveClientSerializesTheExecutorVariant()
{
    const double one = 2.15 * 0.05;
    const double concurrent = makespan({});
    const double naive = makespan({ { QStringLiteral("naive"), true } });
    QVERIFY2(concurrent > 0 && naive > 0, "runs failed");
    QVERIFY2(concurrent < 2.5 * one, qPrintable(QStringLiteral("concurrent %1 s").arg(concurrent)));
    QVERIFY2(naive >= 4.0 * one, qPrintable(QStringLiteral("naive %1 s").arg(naive)));
}

QTEST_GUILESS_MAIN(TestRunOptions)
#include "tst_runoptions.moc"
