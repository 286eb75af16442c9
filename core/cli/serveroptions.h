#pragma once

#include "pipeline/serverconfig.h"

#include <QCommandLineParser>

// The `loopscope serve` options, shared by every command that starts the in-process server.
namespace ServerOptions {

void add(QCommandLineParser &parser);
// Fills `config` from the parsed options; false with a message on a bad value.
bool read(const QCommandLineParser &parser, ServerConfig *config, QString *error);

} // namespace ServerOptions
