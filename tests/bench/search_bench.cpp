// The chat search's lazily written index (storage/searchindex.h): how long a search takes with N
// messages not yet indexed (scanned row by row) against the same search once they are indexed,
// and the CPU the writer spends indexing a message when it catches up.
//   bench_search [TAIL_SIZES...]   (default 1024 4096 16384 32768 messages)
#include "storage/historystore.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QThread>
#include <algorithm>
#include <cstdio>
#include <sys/resource.h>

namespace {

double cpuSeconds()
{
    rusage u {};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// The median of five runs of one search, in ms.
double searchMs(HistoryStore &store, const QString &needle)
{
    std::vector<double> ms;
    for (int i = 0; i < 5; ++i) {
        QElapsedTimer t;
        t.start();
        store.search(needle);
        ms.push_back(double(t.nsecsElapsed()) / 1e6);
    }
    std::sort(ms.begin(), ms.end());
    return ms[2];
}

const char *const kNeedles[] = { "event loop 12345", "模拟的回答", "nothing like this" };

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QList<int> sizes;
    for (int i = 1; i < argc; ++i)
        sizes << QString::fromLatin1(argv[i]).toInt();
    if (sizes.isEmpty())
        sizes = { 1024, 4096, 16384, 32768 };
    // A reply as long as the simulated model's, in two scripts.
    const QString answer
        = QStringLiteral("Hello! I am the simulated model. You asked about async endpoints, threads and "
                         "the event loop; every token is held back by a timer. 你好，这是模拟的回答。 ");
    std::printf("| messages | unindexed: search ms (median of 5) | indexed: search ms | indexing CPU µs / "
                "message |\n");
    std::printf("|---:|---|---|---:|\n");
    for (int size : sizes) {
        QTemporaryDir dir;
        HistoryStore store(dir.filePath(QStringLiteral("history.sqlite")));
        if (!store.open())
            return 1;
        store.holdSearchIndexingForTesting(true);
        for (int n = 0; n < size / 2; ++n) {
            Exchange e;
            e.userId = QStringLiteral("u");
            e.sessionId = QStringLiteral("s%1").arg(n % 100);
            e.userMessage = QStringLiteral("question %1 about the loop").arg(n);
            e.assistantMessage = answer + QString::number(n);
            e.requestId = quint64(n + 1);
            store.saveExchange(e);
        }
        QString unindexed, indexed;
        for (const char *needle : kNeedles)
            unindexed += QStringLiteral("%1 ").arg(searchMs(store, QString::fromUtf8(needle)), 0, 'f', 1);
        const qint64 newest = 2 * (size / 2);
        const double cpu0 = cpuSeconds();
        store.holdSearchIndexingForTesting(false);
        while (store.searchIndexedTo() < newest)
            QThread::msleep(5);
        const double cpu = cpuSeconds() - cpu0;
        for (const char *needle : kNeedles)
            indexed += QStringLiteral("%1 ").arg(searchMs(store, QString::fromUtf8(needle)), 0, 'f', 1);
        std::printf("| %d | %s | %s | %.1f |\n", size, qPrintable(unindexed.trimmed()),
                    qPrintable(indexed.trimmed()), cpu / double(newest) * 1e6);
    }
    return 0;
}
