#pragma once

#include <QStringList>

// `loopscope run --scenario NAME|FILE ...`: runs a scenario headless and writes the reports.
int runRunCommand(const QStringList &arguments);
// `loopscope scenarios`: lists the built-in scenarios.
int runScenariosCommand(const QStringList &arguments);
