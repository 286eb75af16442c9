// How long `loopscope run`/`report` take to write their five files (run.json, requests.csv,
// trace.json, report.html, report.pdf) for a run of N requests, and the memory it takes.
// Peak RSS is taken before and right after writeAll, before the single-file timings build
// whole files in memory. Synthetic runs shaped like pipeline_100_users (100 users, executor mode, 10 pool
// threads, counters at 100 Hz); arguments: request counts (default 10000 100000). See docs/BENCHMARKS.md.
#include "export/reportpdfwriter.h"
#include "pipeline/dispatchpolicy.h"
#include "report/htmlreport.h"
#include "report/runexport.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QGuiApplication>
#include <QTemporaryDir>
#include <cstdio>
#include <sys/resource.h>

namespace {

RunResult synthetic(int requests)
{
    RunResult run;
    Scenario::open(QStringLiteral("pipeline_100_users"), &run.scenario, nullptr);
    run.createdMs = QDateTime::currentMSecsSinceEpoch();
    run.machine = RunResult::machineInfo();
    VariantResult v;
    v.name = QStringLiteral("A");
    v.label = QStringLiteral("executor");
    v.load.users = 100;
    v.load.requestsPerUser = requests / 100;
    v.serverConfig = QJsonObject { { QStringLiteral("mode"), QStringLiteral("executor") },
                                   { QStringLiteral("pool_size"), 10 },
                                   { QStringLiteral("workers"), 1 } };
    v.threadNames = { QStringLiteral("main"), QStringLiteral("worker-0") };
    for (int t = 0; t < 10; ++t)
        v.threadNames << QStringLiteral("pool-%1").arg(t);
    const qint64 origin = 1'000'000'000;
    v.startNs = origin;
    // Ten pool threads, each request 60 ms of work after a queue wait: ~160 requests/s.
    qint64 threadFree[10] = {};
    for (int i = 0; i < requests; ++i) {
        ClientRecord c;
        c.tag = quint64(i + 1);
        c.serverId = c.tag;
        c.user = i % 100;
        c.sequence = i / 100;
        c.intendedNs = origin + qint64(i) * 6'000'000;
        c.connectNs = c.connectedNs = c.sentNs = c.intendedNs + 200'000;
        const int thread = i % 10;
        const qint64 start = std::max(c.sentNs + 300'000, threadFree[thread]);
        RequestRecord r;
        r.id = c.tag;
        r.clientTag = c.tag;
        r.mode = DispatchMode::Executor;
        r.arrivedNs = c.sentNs + 300'000;
        r.startedNs = start;
        r.beginSpan(Phase::Queued, r.arrivedNs, 1);
        r.endSpan(0, start);
        const quint16 t = quint16(2 + thread);
        qint64 at = start;
        for (auto [phase, ns] :
             { std::pair { Phase::DbRead, 10'000'000LL }, std::pair { Phase::Llm, 40'000'000LL },
               std::pair { Phase::DbWrite, 10'000'000LL } }) {
            const int slot = r.beginSpan(phase, at, t);
            at += ns;
            r.endSpan(slot, at);
        }
        threadFree[thread] = at;
        r.respondedNs = at + 200'000;
        r.status = 200;
        c.firstByteNs = c.firstTokenNs = r.respondedNs + 100'000;
        c.completeNs = c.firstByteNs + 50'000;
        c.status = 200;
        v.client.push_back(c);
        v.server.push_back(r);
        v.endNs = std::max(v.endNs, c.completeNs);
    }
    for (qint64 t = origin; t <= v.endNs; t += 10'000'000) {
        CounterSample s;
        s.tNs = t;
        s.inFlight = 12;
        s.waiting = 2;
        s.poolActive = 10;
        s.poolMax = 10;
        s.poolQueued = 2;
        s.workers = 1;
        s.loopLagMs[0] = 0.2f;
        v.counters.push_back(s);
    }
    v.computeSummary();
    run.variants.push_back(std::move(v));
    return run;
}

double peakRssMb()
{
    rusage u {};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_maxrss) / 1024.0;
}

} // namespace

int main(int argc, char *argv[])
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    RunExport::setPdfRenderer([](const ReportDocument &d, const QString &path, QString *error) {
        return ReportPdfWriter::render(d, path, error);
    });
    QList<int> sizes;
    for (int i = 1; i < argc; ++i)
        sizes << QString::fromLocal8Bit(argv[i]).toInt();
    if (sizes.isEmpty())
        sizes = { 10'000, 100'000 };
    std::printf("%8s %9s | %9s %9s %9s %9s %9s | %9s | %11s %11s\n", "requests", "all 5", "run.json", "csv",
                "trace", "html", "pdf", "read", "RSS before", "RSS after");
    for (int n : sizes) {
        const RunResult run = synthetic(n);
        QTemporaryDir dir;
        QElapsedTimer t;
        const auto timed = [&](auto f) {
            t.start();
            f();
            return double(t.nsecsElapsed()) / 1e6;
        };
        const double before = peakRssMb();
        // All five as writeAll does (what the user waits for), then each file on its own.
        QString error;
        const double all = timed([&] {
            if (!RunExport::writeAll(run, dir.path(), nullptr, &error))
                std::printf("error: %s\n", qPrintable(error));
        });
        const double peak = peakRssMb();
        const double json = timed([&] { RunExport::runJson(run); });
        const double csv = timed([&] { RunExport::requestsCsv(run); });
        const double trace = timed([&] { RunExport::traceJson(run); });
        const double html = timed([&] { HtmlReport::render(run); });
        const double pdf = timed([&] {
            ReportOptions o;
            o.requestRows = RunExport::ExportOptions {}.pdfRequestRows;
            ReportPdfWriter::render(ReportDocument::build(run, o), dir.filePath(QStringLiteral("only.pdf")),
                                    nullptr);
        });
        RunResult back;
        const double read
            = timed([&] { RunExport::readRunJson(dir.filePath(QStringLiteral("run.json")), &back, &error); });
        std::printf(
            "%8d %6.0f ms | %6.0f ms %6.0f ms %6.0f ms %6.0f ms %6.0f ms | %6.0f ms | %8.0f MB %8.0f MB\n", n,
            all, json, csv, trace, html, pdf, read, before, peak);
    }
    return 0;
}
