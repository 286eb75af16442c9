#include "runexport.h"

#include "exportsink.h"
#include "htmlreport.h"
#include "pdfreport.h"
#include "serverrecords.h"

#include <QDir>
#include <QFile>

namespace RunExport {

namespace {
PdfRenderer g_pdfRenderer;
} // namespace

QByteArray fixed3(double value)
{
    return QByteArray::number(value, 'f', 3);
}

QString csvHeader()
{
    return QStringLiteral("variant,") + ClientRecord::csvHeader()
        + QStringLiteral(",server_arrived_ms,server_started_ms,server_first_token_ms,server_responded_ms,"
                         "server_status,server_worker,server_loop_wait_ms");
}

void writeRequestsCsv(const RunResult &run, Sink &out)
{
    if (ServerRecords::only(run)) // a recording or observed services: the server's records
        return void(out += ServerRecords::csv(run));
    out += csvHeader().toUtf8() + '\n';
    const auto ms = [](qint64 ns, qint64 o) { return ns ? fixed3(double(ns - o) / 1e6) : QByteArray(); };
    for (const VariantResult &v : run.variants) {
        for (const ClientRecord &c : v.client) {
            out += v.name.toUtf8() + ',' + c.toCsvRow(v.startNs).toUtf8();
            if (const RequestRecord *s = v.serverRecordFor(c)) {
                out += ',' + ms(s->arrivedNs, v.startNs) + ',' + ms(s->startedNs, v.startNs) + ','
                    + ms(s->firstTokenNs, v.startNs) + ',' + ms(s->respondedNs, v.startNs) + ','
                    + QByteArray::number(s->status) + ',' + QByteArray::number(s->worker) + ','
                    + fixed3(double(phaseTotalNs(*s, Phase::LoopWait)) / 1e6);
            } else {
                out += ",,,,,,,";
            }
            out += '\n';
        }
    }
}

QByteArray requestsCsv(const RunResult &run)
{
    Sink sink;
    writeRequestsCsv(run, sink);
    return sink.buffer;
}

bool writeAll(const RunResult &run, const QString &dirPath, QStringList *written, QString *error,
              const ExportOptions &options)
{
    QDir dir(dirPath);
    if (options.createDir ? !dir.mkpath(QStringLiteral(".")) : !dir.exists()) {
        if (error)
            *error = (options.createDir ? QStringLiteral("cannot create %1") : QStringLiteral("%1 is gone"))
                         .arg(dirPath);
        return false;
    }
    constexpr int total = 5;
    int done = 0;
    const auto step = [&] {
        if (options.progress && !options.progress(done++, total)) {
            if (error)
                *error = QStringLiteral("export cancelled");
            return false;
        }
        return true;
    };
    const auto stream = [&](const QString &name, void (*write)(const RunResult &, Sink &)) {
        QFile f(dir.filePath(name));
        Sink sink;
        sink.device = &f;
        if (f.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
            write(run, sink);
            sink.flush();
        }
        if (!f.isOpen() || sink.failed) {
            if (error)
                *error = QStringLiteral("cannot write %1: %2").arg(f.fileName(), f.errorString());
            return false;
        }
        if (written)
            written->append(f.fileName());
        return true;
    };
    const auto put = [&](const QString &name, const QByteArray &data) {
        QFile f(dir.filePath(name));
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(data) != data.size()) {
            if (error)
                *error = QStringLiteral("cannot write %1: %2").arg(f.fileName(), f.errorString());
            return false;
        }
        if (written)
            written->append(f.fileName());
        return true;
    };
    if (!step() || !stream(QStringLiteral("run.json"), &writeRunJson))
        return false;
    if (!step() || !stream(QStringLiteral("requests.csv"), &writeRequestsCsv))
        return false;
    if (!step() || !stream(QStringLiteral("trace.json"), &writeTraceJson))
        return false;
    ReportOptions report;
    report.language = options.language;
    report.requestRows = options.htmlRequestRows;
    if (!step() || !put(QStringLiteral("report.html"), HtmlReport::render(run, report)))
        return false;
    if (!step())
        return false;
    if (g_pdfRenderer) {
        report.requestRows = options.pdfRequestRows;
        const QString path = dir.filePath(QStringLiteral("report.pdf"));
        if (!g_pdfRenderer(ReportDocument::build(run, report), path, error))
            return false;
        if (written)
            written->append(path);
    } else if (!put(QStringLiteral("report.pdf"), PdfReport::render(run))) {
        return false;
    }
    if (options.progress)
        options.progress(total, total);
    return true;
}

void setPdfRenderer(PdfRenderer renderer)
{
    g_pdfRenderer = std::move(renderer);
}

bool hasPdfRenderer()
{
    return bool(g_pdfRenderer);
}

} // namespace RunExport
