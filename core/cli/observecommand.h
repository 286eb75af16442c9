#pragma once

#include <QStringList>

// `loopscope observe [--otlp-host H] [--otlp-port P] [--otlp-token T] [--duration S] [--out DIR]`:
// receives OpenTelemetry traces (OTLP/HTTP) from outside services, prints a live one-line
// summary and, on Ctrl+C or after the duration, writes run.json, trace.json, report.html and
// requests.csv (one row per observed request).
int runObserveCommand(const QStringList &arguments);
