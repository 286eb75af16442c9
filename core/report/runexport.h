#pragma once

#include "reportdocument.h"
#include "scenario/runresult.h"

#include <QByteArray>
#include <QString>
#include <functional>

// Writes a finished run to disk in the formats `loopscope run` produces, and reads run.json
// back. Every timestamp in the files is relative to the variant's run start.
namespace RunExport {

QByteArray runJson(const RunResult &run);
bool readRunJson(const QString &path, RunResult *out, QString *error);

// One record of run.json as compact JSON text, written directly: the same object as
// requestRecordToJson / counterSampleToJson (trace/recordjson.h), several times faster.
QByteArray requestRecordJson(const RequestRecord &record, qint64 originNs);
QByteArray counterSampleJson(const CounterSample &sample, qint64 originNs);

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

// Typesets report.pdf. That needs QtGui (fonts, QPainter), which core must not link; the app
// installs a renderer (widgets/export/reportpdfwriter.h) when it has one. Without it,
// report.pdf is PdfReport's plain, headless rendering. Called on the exporting thread.
using PdfRenderer
    = std::function<bool(const ReportDocument &document, const QString &pdfPath, QString *error)>;
void setPdfRenderer(PdfRenderer renderer);
bool hasPdfRenderer();

struct ExportOptions
{
    ReportStyle::Language language = ReportStyle::Language::English;
    int htmlRequestRows = 200; // request table rows per variant in report.html
    int pdfRequestRows = 25; // ... and in report.pdf (both say where they cut)
    // Called before each file with (files done, files in all); return false to stop.
    std::function<bool(int done, int total)> progress;
    // False: dir must exist already. A writer whose folder another thread removed to abandon the
    // export (ServerRecording::WriteControl::cancel) then fails instead of creating it again.
    bool createDir = true;
};

// Writes run.json, requests.csv, trace.json, report.html and report.pdf into dir. Safe to call
// off the GUI thread.
bool writeAll(const RunResult &run, const QString &dir, QStringList *written, QString *error,
              const ExportOptions &options = {});

} // namespace RunExport
