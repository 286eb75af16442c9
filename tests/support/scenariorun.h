#pragma once

#include "scenario/runresult.h"

#include <QString>

// Runs a built-in scenario headless to its end (all variants, or only `variant`) and returns its
// result; a scenario that does not open or start ends the test program. Shared by the suites
// that check what a scenario's run shows (tst_scenarios, tst_loopwait).
RunResult runScenario(const QString &name, double timeScale, const QString &variant = {});
