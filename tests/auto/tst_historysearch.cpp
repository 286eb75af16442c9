// The chat search with its index written lazily (storage/searchindex.h): a message is found the
// moment its exchange is saved, before the writer has indexed it and after, with the same hits
// as a scan of every message; the index catches up when the writer is idle, during steady
// writes, and after a restart that left a tail; and deleting messages on either side of the
// index's edge leaves an index holding exactly the messages up to its edge.
#include "storage/historystore.h"
#include "storage/searchindex.h"

#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <sqlite3.h>

namespace {

struct Turn
{
    const char *user;
    const char *session;
    const char *question;
    const char *answer;
};

// Latin, Chinese, German and Greek text with upper and lower case, quotes, LIKE's wildcards and
// JSON-like punctuation.
const Turn kTurns[] = {
    { "ana", "s-async", "Why does my **async** endpoint block?", "Because time.sleep holds the loop." },
    { "ana", "s-zh", "异步和线程有什么区别？", "协程在一个线程里轮流运行。" },
    { "bo", "s-de", "ÄRGER mit dem Ölwechsel", "Ärger? Nimm \"quotes\" und 100% ruhig_bleiben" },
    { "ana", "s-el", "ΣΊΣΥΦΟΣ rolls the stone", "sisyphus and σίσυφος, again" },
    { "bo", "s-async", "not bo's conversation", "refused" }, // someone else's session: not stored
    { "ana", "s-async", "And with await asyncio.sleep?", "Then the loop runs others meanwhile." },
};

const char *const kNeedles[] = {
    "async",     "ASYNC",     "time.sleep", "线程",          "线程里",     "轮流运行。", "ärger",
    "ölwechsel", "ÖLWECHSEL", "σίσυφος",    "ΣΊΣΥΦΟΣ",       "\"quotes\"", "100%",       "_blei",
    "loop",      "e",         "ab",         "xyz-not-there", "🚀",
};

QString text(const char *s)
{
    return QString::fromUtf8(s);
}

void saveAll(HistoryStore &store, quint64 *requestId)
{
    for (const Turn &t : kTurns) {
        Exchange e;
        e.userId = text(t.user);
        e.sessionId = text(t.session);
        e.userMessage = text(t.question);
        e.assistantMessage = text(t.answer);
        e.requestId = ++*requestId;
        store.saveExchange(e); // the foreign one fails: it must not be found either
    }
}

// What a search must find, from the messages themselves: every stored message containing the
// needle, ignoring case, as (conversation, message id) pairs.
QSet<QPair<QString, qint64>> scanAll(HistoryStore &store, const QString &needle)
{
    QSet<QPair<QString, qint64>> out;
    for (const ConversationInfo &c : store.conversations()) {
        for (const StoredMessage &m : store.messages(c.id)) {
            if (m.content.contains(needle, Qt::CaseInsensitive))
                out.insert({ c.id, m.id });
        }
    }
    return out;
}

QSet<QPair<QString, qint64>> messageHits(const QList<SearchHit> &hits)
{
    QSet<QPair<QString, qint64>> out;
    for (const SearchHit &h : hits) {
        if (h.messageId > 0)
            out.insert({ h.conversationId, h.messageId });
    }
    return out;
}

// Every needle's full answer, in order, as one comparable list of lines.
QStringList searchAll(HistoryStore &store)
{
    QStringList out;
    for (const char *needle : kNeedles) {
        for (const SearchHit &h : store.search(text(needle), QString(), 1000))
            out << QStringLiteral("%1|%2|%3|%4|%5")
                       .arg(text(needle), h.conversationId)
                       .arg(h.messageId)
                       .arg(h.role, h.snippet);
    }
    return out;
}

qint64 scalar(const QString &path, const char *sql, QString *error = nullptr)
{
    sqlite3 *db = nullptr;
    sqlite3_stmt *q = nullptr;
    qint64 v = -1;
    if (sqlite3_open(path.toUtf8().constData(), &db) == SQLITE_OK
        && sqlite3_prepare_v2(db, sql, -1, &q, nullptr) == SQLITE_OK) {
        const int rc = sqlite3_step(q);
        if (rc == SQLITE_ROW)
            v = sqlite3_column_int64(q, 0);
        else if (rc == SQLITE_DONE)
            v = 0;
    }
    if (error)
        *error = QString::fromUtf8(sqlite3_errmsg(db));
    sqlite3_finalize(q);
    sqlite3_close(db);
    return v;
}

// The index holds exactly the messages up to its edge: for every needle the index can answer,
// the ids FTS5 returns (read from the index alone, no join that would hide a stale entry) are the
// ids of the messages up to indexed_to that contain it. Plus FTS5's own consistency check.
bool indexIntact(const QString &path, QString *error)
{
    if (scalar(path, "INSERT INTO messages_fts(messages_fts) VALUES ('integrity-check')", error) != 0)
        return false;
    sqlite3 *db = nullptr;
    if (sqlite3_open(path.toUtf8().constData(), &db) != SQLITE_OK) {
        *error = QStringLiteral("cannot open");
        return false;
    }
    auto ids = [&](const char *sql, const QString &arg, bool filter) {
        QSet<qint64> out;
        sqlite3_stmt *q = nullptr;
        sqlite3_prepare_v2(db, sql, -1, &q, nullptr);
        sqlite3_bind_text16(q, 1, arg.utf16(), int(arg.size() * 2), SQLITE_TRANSIENT);
        while (sqlite3_step(q) == SQLITE_ROW) {
            const QString content = filter ? QString(static_cast<const QChar *>(sqlite3_column_text16(q, 1)),
                                                     sqlite3_column_bytes16(q, 1) / 2)
                                           : QString();
            if (!filter || content.contains(arg, Qt::CaseInsensitive))
                out.insert(sqlite3_column_int64(q, 0));
        }
        sqlite3_finalize(q);
        return out;
    };
    bool ok = true;
    for (const char *n : kNeedles) {
        const QString needle = text(n);
        if (!SearchIndex::indexable(needle))
            continue;
        const QString phrase = QLatin1Char('"')
            + QString(needle).replace(QLatin1Char('"'), QStringLiteral("\"\"")) + QLatin1Char('"');
        const auto indexed = ids("SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?1", phrase, false);
        const auto expected
            = ids("SELECT id, content FROM messages WHERE id <= (SELECT indexed_to FROM search_index)"
                  " AND ?1 IS NOT NULL",
                  needle, true);
        if (indexed != expected) {
            *error = QStringLiteral("the index answers %1 with %2 messages, the messages up to its edge %3")
                         .arg(needle)
                         .arg(indexed.size())
                         .arg(expected.size());
            ok = false;
            break;
        }
    }
    sqlite3_close(db);
    return ok;
}

qint64 newestMessage(const QString &path)
{
    return scalar(path, "SELECT COALESCE(MAX(id), 0) FROM messages");
}

// kTurns saved, and indexed once the writer has been idle for a moment.
bool saveAllIndexed(HistoryStore &store, const QString &path, quint64 *requestId)
{
    saveAll(store, requestId);
    return QTest::qWaitFor([&] { return store.searchIndexedTo() == newestMessage(path); }, 10000);
}

} // namespace

class TestHistorySearch : public QObject
{
    Q_OBJECT

private slots:
    void findsMessagesBeforeAndAfterTheyAreIndexed();
    void halfIndexedAnswersLikeAFullScan();
    void indexKeepsUpWithSteadyWrites();
    void restartWithAnUnindexedTailCatchesUp();
    void deletesOnBothSidesOfTheEdgeKeepTheIndexIntact();
};

void TestHistorySearch::findsMessagesBeforeAndAfterTheyAreIndexed()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("h.sqlite"));
    HistoryStore store(path);
    QVERIFY(store.open());
    store.holdSearchIndexingForTesting(true);
    quint64 id = 0;
    saveAll(store, &id);
    QCOMPARE(store.searchIndexedTo(), qint64(0)); // nothing indexed yet: every message is in the tail
    QVERIFY(newestMessage(path) >= 10);

    // Found the moment it is saved, exactly the messages that contain the text.
    const auto hits = store.search(QStringLiteral("time.sleep"));
    QCOMPARE(hits.size(), 1);
    QCOMPARE(hits[0].conversationId, QStringLiteral("s-async"));
    QCOMPARE(hits[0].role, QStringLiteral("assistant"));
    QCOMPARE(store.search(QStringLiteral("线程里")).size(), 1);
    QVERIFY(store.search(QStringLiteral("refused")).isEmpty()); // the foreign exchange was not stored
    for (const char *needle : kNeedles)
        QCOMPARE(messageHits(store.search(text(needle), QString(), 1000)), scanAll(store, text(needle)));
    const QStringList unindexed = searchAll(store);

    store.holdSearchIndexingForTesting(false);
    QTRY_COMPARE(store.searchIndexedTo(), newestMessage(path));
    QCOMPARE(searchAll(store), unindexed);
    QString error;
    QVERIFY2(indexIntact(path, &error), qPrintable(error));
}

void TestHistorySearch::halfIndexedAnswersLikeAFullScan()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("h.sqlite"));
    HistoryStore store(path);
    QVERIFY(store.open());
    quint64 id = 0;
    QVERIFY(saveAllIndexed(store, path, &id));
    const qint64 edge = store.searchIndexedTo();
    store.holdSearchIndexingForTesting(true);
    saveAll(store, &id); // the same texts again, now in the tail
    QCOMPARE(store.searchIndexedTo(), edge);
    for (const char *needle : kNeedles) {
        const auto expected = scanAll(store, text(needle));
        QCOMPARE(messageHits(store.search(text(needle), QString(), 1000)), expected);
        // Both sides of the edge answered (for the needles that occur at all).
        if (!expected.isEmpty()) {
            bool before = false, after = false;
            for (const auto &hit : expected)
                (hit.second <= edge ? before : after) = true;
            QVERIFY2(before && after, needle);
        }
    }
    // Only the owner's conversations, when asked for one user.
    for (const SearchHit &h : store.search(QStringLiteral("ärger"), QStringLiteral("ana")))
        QVERIFY(h.conversationId != QStringLiteral("s-de"));
    QCOMPARE(messageHits(store.search(QStringLiteral("ärger"), QStringLiteral("bo"))).size(), 4);
    const QStringList halfIndexed = searchAll(store);
    store.holdSearchIndexingForTesting(false);
    QTRY_COMPARE(store.searchIndexedTo(), newestMessage(path));
    QCOMPARE(searchAll(store), halfIndexed);
}

void TestHistorySearch::indexKeepsUpWithSteadyWrites()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("h.sqlite"));
    HistoryStore store(path);
    QVERIFY(store.open());
    // One exchange after another, each waiting for the previous commit: the writer is never idle
    // long enough to index, so past the tail's limit it indexes a batch after a commit.
    const int exchanges = SearchIndex::TailLimit / 2 + SearchIndex::BatchMessages; // > limit + 1 batch
    for (int i = 0; i < exchanges; ++i) {
        Exchange e;
        e.userId = QStringLiteral("u");
        e.sessionId = QStringLiteral("s%1").arg(i % 7);
        e.userMessage = QStringLiteral("question number %1").arg(i);
        e.assistantMessage = QStringLiteral("answer number %1").arg(i);
        e.requestId = quint64(i + 1);
        QVERIFY(store.saveExchange(e));
    }
    const qint64 newest = newestMessage(path);
    QCOMPARE(newest, 2 * exchanges);
    const qint64 indexed = store.searchIndexedTo();
    QVERIFY2(indexed > 0 && newest - indexed <= SearchIndex::TailLimit + 2,
             qPrintable(QStringLiteral("indexed to %1 of %2").arg(indexed).arg(newest)));
    QCOMPARE(store.search(QStringLiteral("answer number 1000")).size(), 1); // indexed
    QCOMPARE(store.search(QStringLiteral("answer number 9000")).size(), 1); // in the tail
    QCOMPARE(store.search(QStringLiteral("answer number 3"), QString(), 2000).size(),
             1 + 10 + 100 + 1000); // 3, 3x, 3xx, 3xxx: on both sides
    QTRY_COMPARE(store.searchIndexedTo(), newest);
    QString error;
    QVERIFY2(indexIntact(path, &error), qPrintable(error));
}

void TestHistorySearch::restartWithAnUnindexedTailCatchesUp()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("h.sqlite"));
    quint64 id = 0;
    QStringList before;
    {
        HistoryStore store(path);
        QVERIFY(store.open());
        store.holdSearchIndexingForTesting(true);
        saveAll(store, &id);
        before = searchAll(store);
    } // stops with every message unindexed
    QCOMPARE(scalar(path, "SELECT indexed_to FROM search_index"), qint64(0));
    QVERIFY(newestMessage(path) > 0);

    HistoryStore again(path);
    QVERIFY(again.open()); // nothing else: opening finds the tail and the writer indexes it
    QCOMPARE(searchAll(again), before);
    QTRY_COMPARE(scalar(path, "SELECT indexed_to FROM search_index"), newestMessage(path));
    QCOMPARE(searchAll(again), before);
    QString error;
    QVERIFY2(indexIntact(path, &error), qPrintable(error));
}

void TestHistorySearch::deletesOnBothSidesOfTheEdgeKeepTheIndexIntact()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("h.sqlite"));
    HistoryStore store(path);
    QVERIFY(store.open());
    quint64 id = 0;
    QVERIFY(saveAllIndexed(store, path, &id));
    store.holdSearchIndexingForTesting(true);
    Exchange late;
    late.userId = QStringLiteral("ana");
    late.sessionId = QStringLiteral("s-late");
    late.userMessage = QStringLiteral("a late question about coroutines");
    late.assistantMessage = QStringLiteral("a late answer");
    late.requestId = ++id;
    QVERIFY(store.saveExchange(late));
    QVERIFY(store.searchIndexedTo() < newestMessage(path));
    QCOMPARE(store.search(QStringLiteral("coroutines")).size(), 1);

    // An indexed conversation and an unindexed one deleted; an indexed one edited and resent.
    QVERIFY(store.deleteConversation(QStringLiteral("s-zh")));
    QVERIFY(store.deleteConversation(QStringLiteral("s-late")));
    const auto el = store.messages(QStringLiteral("s-el"));
    QCOMPARE(el.size(), 2);
    Exchange edited;
    edited.userId = QStringLiteral("ana");
    edited.sessionId = QStringLiteral("s-el");
    edited.userMessage = QStringLiteral("Camus, edited");
    edited.assistantMessage = QStringLiteral("one must imagine him happy");
    edited.requestId = ++id;
    edited.truncateFrom = el[0].id;
    QVERIFY(store.saveExchange(edited));

    QString error;
    QVERIFY2(indexIntact(path, &error), qPrintable(error));
    QVERIFY(store.search(QStringLiteral("线程")).isEmpty());
    QVERIFY(store.search(QStringLiteral("coroutines")).isEmpty());
    QVERIFY(store.search(QStringLiteral("σίσυφος")).isEmpty());
    QCOMPARE(store.search(QStringLiteral("imagine him")).size(), 1);
    store.holdSearchIndexingForTesting(false);
    QTRY_COMPARE(store.searchIndexedTo(), newestMessage(path));
    QVERIFY2(indexIntact(path, &error), qPrintable(error));
    QVERIFY(store.search(QStringLiteral("coroutines")).isEmpty());
    QCOMPARE(store.search(QStringLiteral("imagine him")).size(), 1);
    for (const char *needle : kNeedles)
        QCOMPARE(messageHits(store.search(text(needle), QString(), 1000)), scanAll(store, text(needle)));
}

QTEST_GUILESS_MAIN(TestHistorySearch)
#include "tst_historysearch.moc"
