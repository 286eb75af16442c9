#pragma once

#include <QStringList>

// `loopscope report run.json [--out DIR]`: re-renders the reports from a saved run.
int runReportCommand(const QStringList &arguments);
