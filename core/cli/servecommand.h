#pragma once

#include <QStringList>

// `loopscope serve ...`: runs the chat server headless until SIGINT/SIGTERM.
int runServeCommand(const QStringList &arguments);
