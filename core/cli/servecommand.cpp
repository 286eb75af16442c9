#include "servecommand.h"

#include "cli/serveroptions.h"
#include "cli/signalwatcher.h"
#include "db/pghistory.h"
#include "http/chatserver.h"
#include "record/serverrecording.h"
#include "report/htmlreport.h"

#include <QCoreApplication>
#include <QTextStream>
#include <QThread>
#include <QTimer>
#include <cstdlib>

namespace {

// `--record DIR`: the server's load between start and stop, written as a run. The first Ctrl+C
// (or --duration) stops the recording and writes it on a thread, the main loop staying free for
// a second Ctrl+C, which abandons the write: nothing partial is left in DIR.
std::shared_ptr<ServerRecording::WriteControl> stopAndWrite(ServerRecording &recording, ChatServer &server,
                                                            const QString &dir, QTextStream &err)
{
    const RunResult run = recording.stop();
    const VariantResult &v = run.variants.first();
    err << "loopscope serve: recording stopped: " << v.server.size() << " request(s) recorded, "
        << v.other.size() << " in flight at its start or stop (kept, not counted); writing " << dir
        << " (Ctrl+C again abandons it)..." << Qt::endl;
    auto control = std::make_shared<ServerRecording::WriteControl>();
    auto result = std::make_shared<std::pair<bool, QString>>();
    auto written = std::make_shared<QStringList>();
    QThread *writer = QThread::create([run, dir, control, result, written] {
        result->first = ServerRecording::writeAll(run, dir, written.get(), &result->second, control.get());
    });
    QObject::connect(writer, &QThread::finished, qApp, [&err, &server, run, result, written, writer] {
        writer->deleteLater();
        if (!result->first) {
            err << "loopscope serve: " << result->second << Qt::endl;
            server.stop(10000);
            QCoreApplication::exit(2);
            return;
        }
        for (const QString &line : HtmlReport::summaryLines(run))
            err << line << "\n";
        err << "wrote " << written->join(QStringLiteral(", ")) << Qt::endl;
        server.stop(10000);
        QCoreApplication::exit(0);
    });
    writer->start();
    return control;
}

// The second Ctrl+C: all five files or none, no temporary folder, and out at once.
[[noreturn]] void abandonWrite(ServerRecording::WriteControl &control, QTextStream &err)
{
    err << (control.cancel() ? "loopscope serve: interrupted again; the recording was not written"
                             : "loopscope serve: interrupted again; the recording was already written")
        << Qt::endl;
    std::_Exit(130);
}

} // namespace

int runServeCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Serve POST /v1/chat like the seeds' FastAPI service, and OpenAI's /v1/chat/completions."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("serve"), QStringLiteral("Run the chat server headless."));
    ServerOptions::add(parser);
    parser.addOptions({
        { QStringLiteral("record"),
          QStringLiteral("Record everything the server handles until Ctrl+C (or --duration) and write it "
                         "as a run into DIR: run.json, requests.csv, trace.json, report.html, report.pdf."),
          QStringLiteral("DIR") },
        { QStringLiteral("duration"), QStringLiteral("With --record: stop recording after S seconds."),
          QStringLiteral("S") },
        { QStringLiteral("force"), QStringLiteral("With --record: write into DIR even if it is not empty.") },
    });
    parser.process(arguments);

    QTextStream err(stderr);
    QTextStream out(stdout);
    ServerConfig config;
    QString error;
    LlmChoice llm;
    if (!ServerOptions::read(parser, &config, &error) || !ServerOptions::readLlm(parser, &llm, &error)) {
        err << "loopscope serve: " << error << Qt::endl;
        return 2;
    }
    if (config.usesPostgres()
        && !ServerOptions::checkDatabase(&config.dbPath, config.dbTimeoutSeconds, &error)) {
        err << "loopscope serve: " << error << Qt::endl;
        return 2;
    }
    // A recording's folder is checked before the server starts: a bad one costs nothing.
    const QString recordDir = parser.value(QStringLiteral("record"));
    const bool recording = parser.isSet(QStringLiteral("record"));
    double duration = 0;
    if (!recording && (parser.isSet(QStringLiteral("duration")) || parser.isSet(QStringLiteral("force")))) {
        err << "loopscope serve: --duration and --force go with --record DIR" << Qt::endl;
        return 2;
    }
    if (recording) {
        bool ok = false;
        if (parser.isSet(QStringLiteral("duration"))) {
            duration = parser.value(QStringLiteral("duration")).toDouble(&ok);
            if (!ok || !(duration > 0 && duration <= 7 * 24 * 3600)) {
                err << "loopscope serve: --duration must be a positive number of seconds (at most a week)"
                    << Qt::endl;
                return 2;
            }
        }
        const QString problem = recordDir.isEmpty()
            ? QStringLiteral("--record needs a folder")
            : ServerRecording::prepareOutputDir(recordDir, parser.isSet(QStringLiteral("force")));
        if (!problem.isEmpty()) {
            err << "loopscope serve: " << problem << Qt::endl;
            return 2;
        }
    }
    ChatServer server;
    server.setLlmBackend(makeLlmBackend(llm));
    if (!server.start(config, &error)) {
        err << "loopscope serve: " << error << Qt::endl;
        return 1;
    }
    SignalWatcher watcher; // before the banner: a Ctrl+C once it is printed stops the server
    const ServerConfig c = server.config();
    out << "LoopScope " << LOOPSCOPE_VERSION << " serving " << server.url().toString() << "/v1/chat\n"
        << "  OpenAI-compatible: " << server.url().toString() << "/v1/chat/completions and /v1/models"
        << " (Authorization: Bearer <API key>)\n"
        << "  LLM: " << llm.describe() << "\n"
        << "  mode " << dispatchModeName(c.mode) << ", " << c.workers << " worker loop(s), pool "
        << c.effectivePoolSize() << " threads, time scale " << c.timeScale << "\n"
        << "  history: "
        << (c.usesPostgres() ? QStringLiteral("PostgreSQL %1, pool of %2 connections")
                                   .arg(server.postgres()->redactedConninfo())
                                   .arg(c.dbPoolSize)
                             : QStringLiteral("SQLite %1").arg(server.history()->path()))
        << "\n"
        << "  API key: " << c.apiKey << "\n"
        << "  try: curl -s " << server.url().toString() << "/v1/chat -H 'X-API-Key: " << c.apiKey
        << "' -H 'Content-Type: application/json' -d '{\"user_id\":\"u1\",\"message\":\"hello\"}'\n"
        << "Press Ctrl+C to stop." << Qt::endl;

    ServerRecording recorder(&server);
    std::shared_ptr<ServerRecording::WriteControl> writing;
    if (recording) {
        recorder.start();
        out << "Recording into " << recordDir << ": every request from now on, whoever sends it"
            << (duration > 0 ? QStringLiteral(", for %1 s").arg(duration) : QString())
            << ". Ctrl+C stops the recording and writes the run." << Qt::endl;
        if (duration > 0)
            QTimer::singleShot(qint64(duration * 1000), qApp, [&] {
                if (recorder.isRecording())
                    writing = stopAndWrite(recorder, server, recordDir, err);
            });
    }
    QObject::connect(&watcher, &SignalWatcher::terminationRequested, qApp, [&](int sig) {
        if (recording) {
            if (writing)
                abandonWrite(*writing, err);
            writing = stopAndWrite(recorder, server, recordDir, err);
            return;
        }
        err << "loopscope serve: signal " << sig << ", finishing " << server.counters()->inFlight.load()
            << " request(s) in flight..." << Qt::endl;
        server.stop(10000);
        QCoreApplication::exit(0);
    });
    return QCoreApplication::exec();
}
