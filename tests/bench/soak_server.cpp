// The server side of tests/bench/soak.sh: `loopscope serve` (same options) that also switches
// its dispatch mode every --switch-every seconds (blocking -> executor -> async -> ...), the
// way a user flips it in the window under load, and prints one line of figures every
// --report-every seconds:
//   t_s=60.0 mode=executor rss_kb=51234 rss_anon_kb=30000 rss_file_kb=21000 rss_shmem_kb=0
//   threads=12 recorder_records=12345 recorder_capacity=524288 recorder_dropped=0 in_flight=17
//   completed=23456 failed=0 rejected=0 heap_used_kb=40960 heap_free_kb=8192 sqlite_kb=6144
// The last three say where the RSS goes: bytes malloc has handed out and not had back (all
// arenas, mmapped blocks included), bytes malloc keeps free inside its arenas (fragmentation and
// retention: RSS that no object holds), and the part of the first that is SQLite's (page caches,
// prepared statements, schemas of every connection).
#include "cli/serveroptions.h"
#include "cli/signalwatcher.h"
#include "http/chatserver.h"
#include "trace/tracerecorder.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QTextStream>
#include <QTimer>
#include <cstring>
#include <malloc.h>
#include <sqlite3.h>

namespace {

// VmRSS and its parts (RssAnon: heap and stacks; RssFile: mapped files, the code among them;
// RssShmem: shared anonymous memory), and the number of threads.
QString statusFigures()
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QString out;
    const std::pair<const char *, const char *> wanted[] = { { "VmRSS:", "rss_kb" },
                                                             { "RssAnon:", "rss_anon_kb" },
                                                             { "RssFile:", "rss_file_kb" },
                                                             { "RssShmem:", "rss_shmem_kb" },
                                                             { "Threads:", "threads" } };
    for (const QByteArray &line : f.readAll().split('\n')) {
        for (const auto &[prefix, key] : wanted) {
            if (!line.startsWith(prefix))
                continue;
            const QByteArray value = line.mid(qsizetype(strlen(prefix))).trimmed().split(' ').first();
            out += QStringLiteral(" %1=%2").arg(QLatin1String(key), QString::fromLatin1(value));
        }
    }
    return out;
}

struct HeapFigures
{
    qint64 usedKb;
    qint64 freeKb;
};

HeapFigures heapFigures()
{
    const struct mallinfo2 m = mallinfo2(); // every arena, not only the main one
    return { qint64((m.uordblks + m.hblkhd) / 1024), qint64(m.fordblks / 1024) };
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    ServerOptions::add(parser);
    parser.addOption({ QStringLiteral("switch-every"),
                       QStringLiteral("Seconds between mode switches (0: never)."), QStringLiteral("S"),
                       QStringLiteral("60") });
    parser.addOption({ QStringLiteral("malloc-info"),
                       QStringLiteral("Folder for glibc's malloc_info() XML at every figure line (per arena: "
                                      "free chunks by size)."),
                       QStringLiteral("DIR") });
    parser.addOption({ QStringLiteral("report-every"), QStringLiteral("Seconds between figure lines."),
                       QStringLiteral("S"), QStringLiteral("10") });
    parser.process(app);
    ServerConfig config;
    QString error;
    LlmChoice llm;
    QTextStream out(stdout);
    QTextStream err(stderr);
    if (!ServerOptions::read(parser, &config, &error) || !ServerOptions::readLlm(parser, &llm, &error)) {
        err << "bench_soak_server: " << error << Qt::endl;
        return 2;
    }
    ChatServer server;
    server.setLlmBackend(makeLlmBackend(llm));
    if (!server.start(config, &error)) {
        err << "bench_soak_server: " << error << Qt::endl;
        return 1;
    }
    out << "serving " << server.url().toString() << " mode=" << dispatchModeName(server.config().mode)
        << " record_bytes=" << sizeof(RequestRecord) << " sample_bytes=" << sizeof(CounterSample) << Qt::endl;
    QElapsedTimer clock;
    clock.start();
    const auto report = [&] {
        const ServerCounters *c = server.counters();
        TraceRecorder *r = server.recorder();
        out << "t_s=" << QString::number(double(clock.elapsed()) / 1000.0, 'f', 1)
            << " mode=" << dispatchModeName(server.config().mode) << statusFigures()
            << " recorder_records=" << (r->count() - r->firstAvailable())
            << " recorder_capacity=" << r->capacity() << " recorder_dropped=" << r->dropped()
            << " counter_samples=" << server.counterSeries()->count() << " in_flight=" << c->inFlight.load()
            << " completed=" << c->completed.load() << " failed=" << c->failed.load()
            << " rejected=" << c->rejected.load();
        const HeapFigures heap = heapFigures();
        out << " heap_used_kb=" << heap.usedKb << " heap_free_kb=" << heap.freeKb
            << " sqlite_kb=" << sqlite3_memory_used() / 1024 << Qt::endl;
        if (const QString dir = parser.value(QStringLiteral("malloc-info")); !dir.isEmpty()) {
            const QString path = QStringLiteral("%1/malloc-%2.xml")
                                     .arg(dir)
                                     .arg(clock.elapsed() / 1000, 4, 10, QLatin1Char('0'));
            if (FILE *f = std::fopen(path.toLocal8Bit().constData(), "w")) {
                malloc_info(0, f);
                std::fclose(f);
            }
        }
    };
    QTimer reporter;
    QObject::connect(&reporter, &QTimer::timeout, &app, report);
    reporter.start(int(parser.value(QStringLiteral("report-every")).toDouble() * 1000));
    QTimer switcher;
    const DispatchMode cycle[] = { DispatchMode::Blocking, DispatchMode::Executor, DispatchMode::Async };
    int next = 0;
    for (int i = 0; i < 3; ++i) {
        if (cycle[i] == server.config().mode)
            next = (i + 1) % 3;
    }
    QObject::connect(&switcher, &QTimer::timeout, &app, [&] {
        server.setMode(cycle[next]);
        next = (next + 1) % 3;
        out << "switch mode=" << dispatchModeName(server.config().mode) << Qt::endl;
    });
    const double every = parser.value(QStringLiteral("switch-every")).toDouble();
    if (every > 0)
        switcher.start(int(every * 1000));
    SignalWatcher watcher;
    QObject::connect(&watcher, &SignalWatcher::terminationRequested, &app, [&](int) {
        report();
        server.stop(10000);
        out << "stopped" << Qt::endl;
        QCoreApplication::exit(0);
    });
    return QCoreApplication::exec();
}
