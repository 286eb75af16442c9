// LoopScope: parse the command, then hand over to the headless runner or the window.
#include "cli/observecommand.h"
#include "cli/reportcommand.h"
#include "cli/runcommand.h"
#include "cli/servecommand.h"
#include "pipeline/processpool.h"

#include <QCoreApplication>
#include <QTextStream>
#include <memory>

#ifdef LOOPSCOPE_WITH_GUI
#include "export/reportpdfwriter.h"
#include "gui/guiapp.h"
#include "report/runexport.h"

#include <QGuiApplication>
#endif

namespace {

const QStringList kHeadlessCommands
    = { QStringLiteral("serve"), QStringLiteral("run"), QStringLiteral("report"), QStringLiteral("scenarios"),
        QStringLiteral("observe") };

void setIdentity()
{
    QCoreApplication::setOrganizationName(QStringLiteral("LoopScope"));
    QCoreApplication::setApplicationName(QStringLiteral("LoopScope"));
    QCoreApplication::setApplicationVersion(QStringLiteral(LOOPSCOPE_VERSION));
}

int printUsage(QTextStream &out)
{
    out << "Usage: loopscope [COMMAND] [OPTIONS]\n\n"
           "Commands:\n"
           "  (none)      open the LoopScope window\n"
           "  serve       run the chat server headless (loopscope serve --help)\n"
           "  run         run a scenario with simulated users and write reports\n"
           "  report      re-render reports from a saved run.json\n"
           "  scenarios   list the built-in scenarios\n"
           "  observe     receive OpenTelemetry traces (OTLP/HTTP) from services and write a run\n\n"
           "Options:\n"
           "  --version   print the version\n"
           "  --help      print this help\n";
    out.flush();
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    // Server loops, pool and load-generator threads run Qt's own UNIX event dispatcher instead of
    // GLib's: GLib writes its wake-up eventfd on every event posted to a loop, Qt's at most once
    // per pass, and a busy server loop posts several events per request (measured: about a fifth
    // less CPU per request; docs/BENCHMARKS.md). The main (GUI) thread keeps GLib.
    if (qEnvironmentVariableIsEmpty("QT_NO_THREADED_GLIB"))
        qputenv("QT_NO_THREADED_GLIB", "1");
    const QString first = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QString();
    // Hidden: a process of the executor's process pool (pipeline/processpool.h), started by the
    // server with its end of a socketpair on fd 3.
    if (first == QLatin1String(ProcessPool::WorkerCommand))
        return ProcessPool::workerMain(3);
    if (first == QLatin1String("--version") || first == QLatin1String("-v")) {
        QTextStream(stdout) << "loopscope " << LOOPSCOPE_VERSION << Qt::endl;
        return 0;
    }
    if (first == QLatin1String("--help") || first == QLatin1String("-h")) {
        QTextStream out(stdout);
        return printUsage(out);
    }
    if (kHeadlessCommands.contains(first)) {
#ifdef LOOPSCOPE_WITH_GUI
        // run and report typeset report.pdf with QtGui; no window is ever shown, so the
        // offscreen platform does (no display needed).
        std::unique_ptr<QCoreApplication> holder;
        bool recording = false; // serve --record writes the run's reports too
        for (int i = 2; i < argc && !recording; ++i)
            recording = first == QLatin1String("serve") && qstrncmp(argv[i], "--record", 8) == 0;
        if (first == QLatin1String("run") || first == QLatin1String("report")
            || first == QLatin1String("observe") || recording) {
            if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
                qputenv("QT_QPA_PLATFORM", "offscreen");
            holder = std::make_unique<QGuiApplication>(argc, argv);
            RunExport::setPdfRenderer(
                [](const ReportDocument &document, const QString &path, QString *error) {
                    return ReportPdfWriter::render(document, path, error);
                });
        } else {
            holder = std::make_unique<QCoreApplication>(argc, argv);
        }
        QCoreApplication &app = *holder;
#else
        QCoreApplication app(argc, argv);
#endif
        setIdentity();
        if (first == QLatin1String("serve"))
            return runServeCommand(app.arguments());
        if (first == QLatin1String("run"))
            return runRunCommand(app.arguments());
        if (first == QLatin1String("report"))
            return runReportCommand(app.arguments());
        if (first == QLatin1String("observe"))
            return runObserveCommand(app.arguments());
        if (first == QLatin1String("scenarios"))
            return runScenariosCommand(app.arguments());
        QTextStream(stderr) << "loopscope " << first << ": not available in this build yet" << Qt::endl;
        return 2;
    }
#ifdef LOOPSCOPE_WITH_GUI
    return runGui(argc, argv, setIdentity);
#else
    QTextStream err(stderr);
    err << "loopscope: built without the window; use a command\n";
    return printUsage(err);
#endif
}
