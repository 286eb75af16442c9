#include "servecommand.h"

#include "cli/serveroptions.h"
#include "cli/signalwatcher.h"
#include "db/pghistory.h"
#include "http/chatserver.h"

#include <QCoreApplication>
#include <QTextStream>

int runServeCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Serve POST /v1/chat like the seeds' FastAPI service, and OpenAI's /v1/chat/completions."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("serve"), QStringLiteral("Run the chat server headless."));
    ServerOptions::add(parser);
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
    if (config.usesPostgres()) {
        // A database that cannot be used (wrong address, password, or someone else's tables) is
        // a mistake in the command line: one line, exit status 2, before anything starts.
        PgHistory probe(config.dbPath, 1, nullptr);
        if (!probe.open(qint64(config.dbTimeoutSeconds * 1e9), &error)) {
            err << "loopscope serve: " << error << Qt::endl;
            return 2;
        }
    }
    ChatServer server;
    server.setLlmBackend(makeLlmBackend(llm));
    if (!server.start(config, &error)) {
        err << "loopscope serve: " << error << Qt::endl;
        return 1;
    }
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

    SignalWatcher watcher;
    QObject::connect(&watcher, &SignalWatcher::terminationRequested, qApp, [&](int sig) {
        err << "loopscope serve: signal " << sig << ", finishing " << server.counters()->inFlight.load()
            << " request(s) in flight..." << Qt::endl;
        server.stop(10000);
        QCoreApplication::exit(0);
    });
    return QCoreApplication::exec();
}
