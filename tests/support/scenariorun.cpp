#include "scenariorun.h"

#include "scenario/scenario.h"
#include "scenario/scenariorunner.h"

#include <QSignalSpy>

RunResult runScenario(const QString &name, double timeScale, const QString &variant)
{
    Scenario s;
    QString error;
    if (!Scenario::open(name, &s, &error))
        qFatal("%s", qPrintable(error));
    RunOptions o;
    o.variant = variant;
    o.timeScale = timeScale;
    ScenarioRunner runner;
    runner.setScenario(s);
    runner.setOptions(o);
    QSignalSpy finished(&runner, &ScenarioRunner::finished);
    if (!runner.start(&error))
        qFatal("%s", qPrintable(error));
    if (!finished.wait(120000))
        qWarning("scenario did not finish");
    return runner.result();
}
