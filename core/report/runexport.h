#pragma once

#include "scenario/runresult.h"

#include <QByteArray>
#include <QString>

#include <functional>

// Writes a finished run to disk in the formats `loopscope run` produces, and reads run.json
// back. Every timestamp in the files is relative to the variant's run start.
namespace RunExport {

QByteArray runJson(const RunResult &run);
bool readRunJson(const QString &path, RunResult *out, QString *error);

// requests.csv: one row per client request (every variant), ms with microsecond decimals,
// followed by the joined server timestamps when the server was in-process.
QString csvHeader();
QByteArray requestsCsv(const RunResult &run);

// trace.json in Chrome Trace Event Format (Perfetto): one process per variant; request
// lifespans as async b/e events with their phases nested, X slices for what each server thread
// actually ran (blocking work only), counter tracks, thread names. ts in microseconds, plain
// decimals.
QByteArray traceJson(const RunResult &run);

// The text of a number as trace.json and the CSV write it: fixed 3 decimals, never an exponent.
QByteArray fixed3(double value);

// Turns report.html into report.pdf. Typesetting HTML with its plots needs QtGui, which core
// must not link; the app installs a renderer (widgets/report/htmlpdfrenderer.h) when it has one.
// Without it, report.pdf is PdfReport's plain, headless rendering.
using PdfRenderer = std::function<bool(const QByteArray &html, const QString &pdfPath, QString *error)>;
void setPdfRenderer(PdfRenderer renderer);

// Writes run.json, requests.csv, trace.json, report.html and report.pdf into dir.
bool writeAll(const RunResult &run, const QString &dir, QStringList *written, QString *error);

} // namespace RunExport
