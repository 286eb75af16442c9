// The history cache (storage/historycache.h) answers step 1 of the pipeline exactly as SQLite
// would: after every kind of change, what the cached store returns equals what a second store on
// the same file (no cache of its own yet) reads from the database.
#include "storage/historycache.h"
#include "storage/historystore.h"
#include "storage/sqlitedb.h"

#include <QDateTime>
#include <QTemporaryDir>
#include <QTest>
#include <atomic>
#include <qcoro/qcorotask.h>
#include <thread>

namespace {

Exchange exchange(const QString &user, const QString &session, const QString &message, quint64 id)
{
    Exchange e;
    e.userId = user;
    e.sessionId = session;
    e.userMessage = message;
    e.assistantMessage = QStringLiteral("answer to ") + message;
    e.requestId = id;
    return e;
}

// co_await store.save(): saves made in one pass of the loop reach the writer as one batch.
QCoro::Task<> saveAsync(HistoryStore *store, Exchange e, QString *result, int *done)
{
    *result = co_await store->save(std::move(e));
    ++*done;
}

QStringList texts(const QList<ChatMessage> &history)
{
    QStringList out;
    for (const ChatMessage &m : history)
        out << m.role + QLatin1Char(':') + m.content;
    return out;
}

} // namespace

class TestHistoryCache : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void readYourWritesAfterCommit();
    void twoConversations();
    void limitsAndTrim();
    void rewindsAndRoutesDrop();
    void badExchangeFailsAloneInItsBatch();
    void batchCountsWhatItStored();
    void restartReadsTheDatabase();
    void readersRaceTheWriter();

private:
    // What the database says: a store of its own on the same file, asked once (a miss).
    UserContext fromDatabase(const QString &user, const QString &session, int max)
    {
        HistoryStore fresh(m_path);
        QString error;
        const auto ctx = fresh.loadContext(user, session, max, &error);
        if (!ctx)
            qWarning("%s", qPrintable(error));
        return ctx.value_or(UserContext {});
    }
    void compareWithDatabase(HistoryStore &store, const QString &user, const QString &session, int max)
    {
        const UserContext cached = store.loadContext(user, session, max).value_or(UserContext {});
        const UserContext db = fromDatabase(user, session, max);
        QCOMPARE(cached.knownUser, db.knownUser);
        QCOMPARE(cached.sessionExists, db.sessionExists);
        QCOMPARE(cached.sessionOwner, db.sessionOwner);
        QCOMPARE(cached.sessionBelongsToOthers(), db.sessionBelongsToOthers());
        QCOMPARE(texts(cached.history), texts(db.history));
        QCOMPARE(cached.settings.toJson(), db.settings.toJson());
    }

    // One figure straight from the file (a connection of the test's own).
    qint64 scalar(const QString &sql)
    {
        SqliteDb db;
        QString error;
        if (!db.open(m_path, &error)) {
            qWarning("%s", qPrintable(error));
            return -1;
        }
        const auto q = db.prepare(sql);
        return q && q->next() ? q->integer(0) : -1;
    }

    QTemporaryDir m_dir;
    QString m_path;
    int m_run = 0;
};

void TestHistoryCache::init()
{
    QVERIFY(m_dir.isValid());
    m_path = m_dir.filePath(QStringLiteral("h%1.sqlite").arg(++m_run));
    HistoryStore schema(m_path);
    QVERIFY(schema.open());
}

void TestHistoryCache::readYourWritesAfterCommit()
{
    HistoryStore store(m_path);
    QVERIFY(store.open());
    const auto empty = store.loadContext(QStringLiteral("ann"), QStringLiteral("s1"), 20);
    QVERIFY(empty && !empty->knownUser && !empty->sessionExists);

    QVERIFY(
        store.saveExchange(exchange(QStringLiteral("ann"), QStringLiteral("s1"), QStringLiteral("one"), 1)));
    // A new user is never cached unknown: this read misses, and fills the cache.
    auto ctx = store.loadContext(QStringLiteral("ann"), QStringLiteral("s1"), 20);
    QVERIFY(ctx && ctx->knownUser && ctx->sessionExists);
    QCOMPARE(texts(ctx->history), QStringList({ "user:one", "assistant:answer to one" }));

    // Each later commit is appended by the writer before saveExchange returns: the next read is
    // served from memory (a hit) and already holds it.
    for (int i = 2; i <= 4; ++i) {
        const quint64 hits = store.cache()->hits();
        const QString message = QStringLiteral("msg %1").arg(i);
        QVERIFY(
            store.saveExchange(exchange(QStringLiteral("ann"), QStringLiteral("s1"), message, quint64(i))));
        ctx = store.loadContext(QStringLiteral("ann"), QStringLiteral("s1"), 20);
        QVERIFY(ctx);
        QCOMPARE(store.cache()->hits(), hits + 1);
        QCOMPARE(ctx->history.size(), 2 * i);
        QCOMPARE(ctx->history.at(2 * i - 2).content, message);
        QCOMPARE(ctx->history.last().content, QStringLiteral("answer to ") + message);
    }
    compareWithDatabase(store, QStringLiteral("ann"), QStringLiteral("s1"), 20);
}

void TestHistoryCache::twoConversations()
{
    HistoryStore store(m_path);
    QVERIFY(store.open());
    const QString ann = QStringLiteral("ann"), bob = QStringLiteral("bob");
    for (int i = 0; i < 3; ++i) {
        QVERIFY(store.saveExchange(exchange(ann, QStringLiteral("a"), QStringLiteral("a%1").arg(i), 1)));
        QVERIFY(store.loadContext(ann, QStringLiteral("a"), 20)); // cached between the commits
        QVERIFY(store.saveExchange(exchange(bob, QStringLiteral("b"), QStringLiteral("b%1").arg(i), 2)));
        QVERIFY(store.loadContext(bob, QStringLiteral("b"), 20));
    }
    const auto a = store.loadContext(ann, QStringLiteral("a"), 20);
    const auto b = store.loadContext(bob, QStringLiteral("b"), 20);
    QVERIFY(a && b);
    QCOMPARE(texts(a->history),
             QStringList({ "user:a0", "assistant:answer to a0", "user:a1", "assistant:answer to a1",
                           "user:a2", "assistant:answer to a2" }));
    QCOMPARE(b->history.size(), 6);
    for (const ChatMessage &m : b->history)
        QVERIFY(m.content.contains(QLatin1String("b")));
    // Someone else's conversation: exists, not theirs, nothing of it shown.
    const auto foreign = store.loadContext(bob, QStringLiteral("a"), 20);
    QVERIFY(foreign && foreign->sessionBelongsToOthers());
    QVERIFY(foreign->history.isEmpty());
    // A foreign save stores nothing and changes nothing in the cache.
    QString error;
    QVERIFY(!store.saveExchange(exchange(bob, QStringLiteral("a"), QStringLiteral("intrusion"), 3), &error));
    QCOMPARE(error, HistoryStore::ForeignSession);
    for (const QString &user : { ann, bob })
        for (const QString &session : { QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("none") })
            compareWithDatabase(store, user, session, 20);
}

void TestHistoryCache::limitsAndTrim()
{
    HistoryStore store(m_path);
    QVERIFY(store.open());
    const QString u = QStringLiteral("u"), s = QStringLiteral("s");
    QVERIFY(store.saveExchange(exchange(u, s, QStringLiteral("first"), 1)));
    QVERIFY(store.loadContext(u, s, 4)); // cached with a limit of 4 messages
    for (int i = 0; i < 5; ++i)
        QVERIFY(store.saveExchange(exchange(u, s, QStringLiteral("m%1").arg(i), 2)));
    // Fewer than cached, as many, more than the cache can know of: each as SQLite answers.
    for (int max : { 1, 3, 4, 12, 50, 0 })
        compareWithDatabase(store, u, s, max);
    // More than the cache keeps per conversation: still right (read from SQLite).
    for (int i = 0; i < HistoryCache::MaxMessages / 2 + 5; ++i)
        QVERIFY(store.saveExchange(exchange(u, s, QStringLiteral("n%1").arg(i), 3)));
    compareWithDatabase(store, u, s, HistoryCache::MaxMessages + 20);
    compareWithDatabase(store, u, s, 20);
}

void TestHistoryCache::rewindsAndRoutesDrop()
{
    HistoryStore store(m_path);
    QVERIFY(store.open());
    const QString u = QStringLiteral("u"), s = QStringLiteral("s");
    QVERIFY(store.saveExchange(exchange(u, s, QStringLiteral("q1"), 1)));
    QVERIFY(store.saveExchange(exchange(u, s, QStringLiteral("q2"), 2)));
    QVERIFY(store.loadContext(u, s, 20));

    // Regenerate: the old answer becomes an inactive alternative.
    Exchange again = exchange(u, s, QStringLiteral("q2"), 3);
    again.assistantMessage = QStringLiteral("second answer");
    again.regenerate = true;
    QVERIFY(store.saveExchange(again));
    compareWithDatabase(store, u, s, 20);
    QCOMPARE(store.loadContext(u, s, 20)->history.last().content, QStringLiteral("second answer"));

    // Settings set with an exchange, and through the route.
    Exchange withSettings = exchange(u, s, QStringLiteral("q3"), 4);
    ConversationSettings settings;
    settings.systemPrompt = QStringLiteral("be brief");
    withSettings.settings = settings;
    QVERIFY(store.saveExchange(withSettings));
    compareWithDatabase(store, u, s, 20);
    QCOMPARE(store.loadContext(u, s, 20)->settings.systemPrompt, QStringLiteral("be brief"));
    settings.systemPrompt = QStringLiteral("be thorough");
    QVERIFY(store.setSettings(s, settings));
    QCOMPARE(store.loadContext(u, s, 20)->settings.systemPrompt, QStringLiteral("be thorough"));

    // Edit and resend: the edited message and what follows go.
    const QList<StoredMessage> stored = store.messages(s);
    QVERIFY(stored.size() >= 4);
    Exchange edit = exchange(u, s, QStringLiteral("q2 edited"), 5);
    edit.truncateFrom = stored.at(2).id;
    QVERIFY(store.saveExchange(edit));
    compareWithDatabase(store, u, s, 20);

    // Deleted, then started again by a new exchange.
    QVERIFY(store.deleteConversation(s));
    QVERIFY(!store.loadContext(u, s, 20)->sessionExists);
    QVERIFY(store.saveExchange(exchange(u, s, QStringLiteral("fresh"), 6)));
    QCOMPARE(texts(store.loadContext(u, s, 20)->history),
             QStringList({ "user:fresh", "assistant:answer to fresh" }));
    compareWithDatabase(store, u, s, 20);

    // Created empty through the route: it exists, with no message.
    QVERIFY(!store.loadContext(u, QStringLiteral("t"), 20)->sessionExists);
    QVERIFY(store.createConversation(QStringLiteral("t"), u, QStringLiteral("title")));
    const auto created = store.loadContext(u, QStringLiteral("t"), 20);
    QVERIFY(created && created->sessionExists && created->history.isEmpty());
}

void TestHistoryCache::badExchangeFailsAloneInItsBatch()
{
    // The writer first tries a batch in one transaction without savepoints; when one exchange
    // fails it writes the batch again exchange by exchange: the others are still stored.
    HistoryStore store(m_path);
    QVERIFY(store.open());
    const QString ann = QStringLiteral("ann"), bob = QStringLiteral("bob");
    QVERIFY(store.saveExchange(exchange(ann, QStringLiteral("a"), QStringLiteral("first"), 1)));
    QVERIFY(store.loadContext(ann, QStringLiteral("a"), 20));
    const QList<Exchange> batch { exchange(ann, QStringLiteral("a"), QStringLiteral("second"), 2),
                                  exchange(bob, QStringLiteral("a"), QStringLiteral("intrusion"), 3),
                                  exchange(ann, QStringLiteral("a"), QStringLiteral("third"), 4),
                                  exchange(bob, QStringLiteral("b"), QStringLiteral("own"), 5) };
    QStringList results(batch.size());
    int done = 0;
    for (int i = 0; i < batch.size(); ++i)
        saveAsync(&store, batch.at(i), &results[i], &done);
    QTRY_COMPARE(done, int(batch.size()));
    QCOMPARE(results, QStringList({ QString(), HistoryStore::ForeignSession, QString(), QString() }));
    QCOMPARE(texts(store.loadContext(ann, QStringLiteral("a"), 20)->history),
             QStringList({ "user:first", "assistant:answer to first", "user:second",
                           "assistant:answer to second", "user:third", "assistant:answer to third" }));
    compareWithDatabase(store, ann, QStringLiteral("a"), 20);
    compareWithDatabase(store, bob, QStringLiteral("a"), 20);
    compareWithDatabase(store, bob, QStringLiteral("b"), 20);
    QCOMPARE(store.messages(QStringLiteral("b")).size(), 2);
}

void TestHistoryCache::batchCountsWhatItStored()
{
    // A batch touches a user's row and a conversation's row once, however many of its exchanges
    // they have: the request count is the number of exchanges stored (a rejected one is not
    // counted), and updated_at moves to the batch's time, in the optimistic pass and in the
    // exchange-by-exchange pass after a failure alike.
    HistoryStore store(m_path);
    QVERIFY(store.open());
    const QString ann = QStringLiteral("ann"), bob = QStringLiteral("bob");
    QVERIFY(store.saveExchange(exchange(ann, QStringLiteral("a"), QStringLiteral("first"), 1)));
    QVERIFY(store.saveExchange(exchange(bob, QStringLiteral("b"), QStringLiteral("first"), 2)));
    const QString requests = QStringLiteral("SELECT requests FROM users WHERE user_id = '%1'");
    const QString updated = QStringLiteral("SELECT updated_at FROM conversations WHERE id = '%1'");
    QCOMPARE(scalar(requests.arg(ann)), qint64(1));
    const qint64 firstUpdate = scalar(updated.arg(QStringLiteral("a")));
    QVERIFY(firstUpdate > 0);

    for (const bool withFailure : { false, true }) {
        QList<Exchange> batch;
        for (int i = 0; i < 5; ++i)
            batch << exchange(ann, QStringLiteral("a"), QStringLiteral("turn %1").arg(i), quint64(10 + i));
        for (int i = 0; i < 3; ++i)
            batch << exchange(ann, QStringLiteral("c"), QStringLiteral("new %1").arg(i), quint64(20 + i));
        if (withFailure) // bob in ann's conversation, between her turns: rejected alone
            batch.insert(2, exchange(bob, QStringLiteral("a"), QStringLiteral("intrusion"), 30));
        batch << exchange(bob, QStringLiteral("b"), QStringLiteral("own"), 31);
        const qint64 before = QDateTime::currentMSecsSinceEpoch();
        QStringList results(batch.size());
        int done = 0;
        for (int i = 0; i < batch.size(); ++i)
            saveAsync(&store, batch.at(i), &results[i], &done);
        QTRY_COMPARE(done, int(batch.size()));
        QCOMPARE(results.count(HistoryStore::ForeignSession), qsizetype(withFailure ? 1 : 0));
        QCOMPARE(results.count(QString()), qsizetype(9));

        const int rounds = withFailure ? 2 : 1;
        QCOMPARE(scalar(requests.arg(ann)), qint64(1 + 8 * rounds));
        QCOMPARE(scalar(requests.arg(bob)), qint64(1 + rounds));
        QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM messages WHERE conversation_id = 'a'")),
                 qint64(2 + 10 * rounds));
        QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM messages WHERE conversation_id = 'c'")),
                 qint64(6 * rounds));
        QCOMPARE(scalar(QStringLiteral("SELECT COUNT(*) FROM conversations WHERE user_id = 'ann'")),
                 qint64(2));
        for (const char *id : { "a", "b", "c" })
            QVERIFY2(scalar(updated.arg(QLatin1String(id))) >= before, id);
        QCOMPARE(scalar(QStringLiteral("SELECT user_id = 'ann' FROM conversations WHERE id = 'c'")),
                 qint64(1));
    }
    QCOMPARE(texts(store.loadContext(ann, QStringLiteral("a"), 4)->history),
             QStringList({ "user:turn 3", "assistant:answer to turn 3", "user:turn 4",
                           "assistant:answer to turn 4" }));
    compareWithDatabase(store, ann, QStringLiteral("a"), 40);
    compareWithDatabase(store, ann, QStringLiteral("c"), 40);
    compareWithDatabase(store, bob, QStringLiteral("b"), 40);
}

void TestHistoryCache::restartReadsTheDatabase()
{
    {
        HistoryStore store(m_path);
        QVERIFY(store.open());
        QVERIFY(store.saveExchange(
            exchange(QStringLiteral("u"), QStringLiteral("s"), QStringLiteral("kept"), 1)));
        QVERIFY(store.loadContext(QStringLiteral("u"), QStringLiteral("s"), 20));
    }
    HistoryStore again(m_path);
    QVERIFY(again.open());
    const auto ctx = again.loadContext(QStringLiteral("u"), QStringLiteral("s"), 20);
    QCOMPARE(again.cache()->hits(), quint64(0)); // a new store starts cold: read from the file
    QVERIFY(ctx);
    QCOMPARE(texts(ctx->history), QStringList({ "user:kept", "assistant:answer to kept" }));
    QVERIFY(again.loadContext(QStringLiteral("u"), QStringLiteral("s"), 20));
    QCOMPARE(again.cache()->hits(), quint64(1));
}

void TestHistoryCache::readersRaceTheWriter()
{
    // Readers fill the cache (misses) while commits land on the same conversations: a read that
    // overlapped a commit must not leave an older picture behind.
    HistoryStore store(m_path);
    QVERIFY(store.open());
    const QStringList sessions { QStringLiteral("r0"), QStringLiteral("r1"), QStringLiteral("r2") };
    std::atomic<bool> stop { false };
    std::vector<std::thread> readers;
    for (int t = 0; t < 3; ++t) {
        readers.emplace_back([&, t] {
            int i = 0;
            while (!stop.load()) {
                const QString &s = sessions.at((t + i++) % sessions.size());
                store.loadContext(QStringLiteral("u"), s, 6 + i % 5);
                if (i % 7 == 0)
                    store.cache()->drop(s); // force misses that race the commits
            }
        });
    }
    for (int i = 0; i < 150; ++i) {
        const QString &s = sessions.at(i % sessions.size());
        QVERIFY(
            store.saveExchange(exchange(QStringLiteral("u"), s, QStringLiteral("m%1").arg(i), quint64(i))));
    }
    // (The readers keep reading until some of their reads were served from the cache.)
    const bool hit = QTest::qWaitFor([&] { return store.cache()->hits() > 0; }, 20000);
    stop = true;
    for (std::thread &t : readers)
        t.join();
    QVERIFY(hit);
    for (const QString &s : sessions) {
        compareWithDatabase(store, QStringLiteral("u"), s, 8);
        compareWithDatabase(store, QStringLiteral("u"), s, 10);
    }
}

QTEST_GUILESS_MAIN(TestHistoryCache)
#include "tst_historycache.moc"
