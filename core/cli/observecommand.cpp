#include "observecommand.h"

#include "base/traceclock.h"
#include "cli/signalwatcher.h"
#include "otlp/otlpobserver.h"
#include "report/htmlreport.h"
#include "report/runexport.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QTextStream>
#include <QTimer>
#include <unistd.h>

int runObserveCommand(const QStringList &arguments)
{
    QCommandLineParser p;
    p.setApplicationDescription(
        QStringLiteral("Receive OpenTelemetry traces and metrics (OTLP/HTTP: POST /v1/traces, /v1/metrics; "
                       "OTLP/gRPC: TraceService, MetricsService) from instrumented services on any number of "
                       "hosts and write them as a LoopScope run."));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("observe"), QStringLiteral("Observe services."));
    p.addOption({ QStringLiteral("otlp-host"),
                  QStringLiteral("Address to listen on (default 127.0.0.1; 0.0.0.0 for other hosts)."),
                  QStringLiteral("HOST"), QStringLiteral("127.0.0.1") });
    p.addOption({ QStringLiteral("otlp-port"), QStringLiteral("Port (default 4318, OTLP/HTTP's)."),
                  QStringLiteral("PORT"), QStringLiteral("4318") });
    p.addOption({ QStringLiteral("otlp-grpc-port"),
                  QStringLiteral("OTLP/gRPC port (default 4317; 0: any free port; -1: no gRPC)."),
                  QStringLiteral("PORT"), QStringLiteral("4317") });
    p.addOption({ QStringLiteral("otlp-token"),
                  QStringLiteral("Require 'Authorization: Bearer TOKEN' (OTEL_EXPORTER_OTLP_HEADERS)."),
                  QStringLiteral("TOKEN") });
    p.addOption({ QStringLiteral("duration"), QStringLiteral("Stop after S seconds (default: at Ctrl+C)."),
                  QStringLiteral("S") });
    p.addOption(
        { QStringLiteral("apply-clock-offsets"),
          QStringLiteral("Move every host's spans and metrics onto one clock by the offsets estimated from "
                         "client/server span pairs (default: as each host sent them).") });
    p.addOption({ QStringLiteral("out"), QStringLiteral("Output folder (default loopscope-observe)."),
                  QStringLiteral("DIR"), QStringLiteral("loopscope-observe") });
    p.process(arguments);

    QTextStream err(stderr);
    QTextStream out(stdout);
    OtlpReceiverOptions options;
    options.host = p.value(QStringLiteral("otlp-host"));
    bool ok = false;
    const uint port = p.value(QStringLiteral("otlp-port")).toUInt(&ok);
    if (!ok || port > 65535) {
        err << "loopscope observe: --otlp-port must be 0..65535" << Qt::endl;
        return 2;
    }
    options.port = quint16(port);
    const int grpcPort = p.value(QStringLiteral("otlp-grpc-port")).toInt(&ok);
    if (!ok || grpcPort < -1 || grpcPort > 65535) {
        err << "loopscope observe: --otlp-grpc-port must be -1..65535" << Qt::endl;
        return 2;
    }
    options.token = p.value(QStringLiteral("otlp-token"));
    double duration = 0;
    if (p.isSet(QStringLiteral("duration"))) {
        duration = p.value(QStringLiteral("duration")).toDouble(&ok);
        if (!ok || duration <= 0) {
            err << "loopscope observe: --duration must be a positive number of seconds" << Qt::endl;
            return 2;
        }
    }
    const QString outDir = p.value(QStringLiteral("out"));

    OtlpObserver observer;
    observer.assembler()->setApplyClockOffsets(p.isSet(QStringLiteral("apply-clock-offsets")));
    QString error;
    if (!observer.start(options, grpcPort, &error)) {
        err << "loopscope observe: " << error << Qt::endl;
        return 1;
    }
    out << "LoopScope " << LOOPSCOPE_VERSION << " receiving OpenTelemetry traces and metrics at "
        << observer.receiver()->endpoint() << "/v1/traces and /v1/metrics\n"
        << "  point your services at it:  OTEL_EXPORTER_OTLP_ENDPOINT=" << observer.receiver()->endpoint()
        << "  OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf\n";
    if (observer.grpcReceiver()->isRunning())
        out << "  or over gRPC:   OTEL_EXPORTER_OTLP_ENDPOINT=" << observer.grpcReceiver()->endpoint()
            << "  OTEL_EXPORTER_OTLP_PROTOCOL=grpc\n";
    if (!options.token.isEmpty())
        out << "  with  OTEL_EXPORTER_OTLP_HEADERS=Authorization=Bearer%20" << options.token << "\n";
    out << "  " << OtlpObserver::batchDelayNote() << "\n"
        << (duration > 0 ? QStringLiteral("Observing for %1 s (Ctrl+C stops earlier).").arg(duration)
                         : QStringLiteral("Press Ctrl+C to stop and write the run."))
        << Qt::endl;

    // The live line: rewritten in place on a terminal, every 5 s in a log.
    const bool tty = isatty(STDERR_FILENO);
    quint64 lastSpans = 0;
    qint64 lastNs = TraceClock::nowNs();
    int ticks = 0;
    QTimer ticker;
    QObject::connect(&ticker, &QTimer::timeout, [&] {
        const qint64 now = TraceClock::nowNs();
        const quint64 spans = observer.assembler()->stats().spans;
        const double rate = double(spans - lastSpans) * 1e9 / double(std::max<qint64>(1, now - lastNs));
        lastSpans = spans;
        lastNs = now;
        if (tty)
            err << "\r" << observer.summaryLine(rate) << "   " << Qt::flush;
        else if (++ticks % 5 == 0)
            err << observer.summaryLine(rate) << Qt::endl;
    });
    ticker.start(1000);
    SignalWatcher watcher;
    QObject::connect(&watcher, &SignalWatcher::terminationRequested, qApp,
                     [](int) { QCoreApplication::exit(0); });
    if (duration > 0)
        QTimer::singleShot(qint64(duration * 1000), qApp, [] { QCoreApplication::exit(0); });
    QCoreApplication::exec();
    ticker.stop();
    if (tty)
        err << "\n";
    observer.stop();

    const RunResult run = observer.buildRun();
    QStringList written;
    if (!RunExport::writeAll(run, outDir, &written, &error)) {
        err << "loopscope observe: " << error << Qt::endl;
        return 2;
    }
    // requests.csv of an observed run: one row per observed request (service, instance, times).
    QFile csv(QDir(outDir).filePath(QStringLiteral("requests.csv")));
    if (!csv.open(QIODevice::WriteOnly | QIODevice::Truncate)
        || csv.write(OtlpObserver::requestsCsv(run)) < 0) {
        err << "loopscope observe: cannot write " << csv.fileName() << Qt::endl;
        return 2;
    }
    csv.close();
    // metrics.csv: one row per metric data point the services sent.
    QFile metricsCsv(QDir(outDir).filePath(QStringLiteral("metrics.csv")));
    if (!metricsCsv.open(QIODevice::WriteOnly | QIODevice::Truncate)
        || metricsCsv.write(observer.metricsCsv(run)) < 0) {
        err << "loopscope observe: cannot write " << metricsCsv.fileName() << Qt::endl;
        return 2;
    }
    metricsCsv.close();
    written << metricsCsv.fileName(); // requests.csv is already in the list (rewritten above)
    err << observer.summaryLine(0) << "\n";
    for (const QJsonValue &o : run.machine.value(QStringLiteral("otlp"))
                                   .toObject()
                                   .value(QStringLiteral("clock_offsets"))
                                   .toArray())
        err << QStringLiteral("clock offset %1 -> %2: %3 ms (%4 span pairs)\n")
                   .arg(o[QLatin1String("from_host")].toString(), o[QLatin1String("to_host")].toString())
                   .arg(o[QLatin1String("offset_ms")].toDouble(), 0, 'f', 1)
                   .arg(o[QLatin1String("samples")].toInt());
    const QJsonObject corrections = run.machine.value(QStringLiteral("otlp"))
                                        .toObject()
                                        .value(QStringLiteral("clock_corrections_ms"))
                                        .toObject();
    for (auto it = corrections.constBegin(); it != corrections.constEnd(); ++it)
        err << QStringLiteral("clock offset applied: %1's times moved by %2 ms\n")
                   .arg(it.key())
                   .arg(-it.value().toDouble(), 0, 'f', 1);
    for (const QString &line : HtmlReport::summaryLines(run))
        err << line << "\n";
    err << "wrote " << written.join(QStringLiteral(", ")) << Qt::endl;
    return 0;
}
