// The PostgreSQL history (db/pghistory.h) against a throwaway cluster of the suite's own, next to
// the SQLite store (storage/historystore.h) it must answer like: regenerate and edit-and-resend,
// alternatives, search, conversation settings and the answers' timings. The same steps run on
// both stores and their results are compared; the HTTP routes are then driven on PostgreSQL with
// each driver style.
#include "base/traceclock.h"
#include "db/pgconnection.h"
#include "db/pgconninfo.h"
#include "db/pghistory.h"
#include "db/pgpassword.h"
#include "llm/secretstore.h"
#include "pgtestcluster.h"
#include "serverfixture.h"

#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

namespace {

constexpr qint64 kTimeoutNs = 10'000'000'000;

// The two stores behind one face: step (1) with its rewind, step (3), and the queries.
class Stores
{
public:
    virtual ~Stores() = default;
    virtual std::optional<UserContext> load(const QString &user, const QString &session,
                                            const HistoryRewind &rewind = {})
        = 0;
    virtual QString save(const Exchange &e) = 0;
    virtual HistoryQueries &queries() = 0;
};

class SqliteStores : public Stores
{
public:
    explicit SqliteStores(const QString &path)
        : m_store(path)
    { }
    bool open() { return m_store.open(); }
    std::optional<UserContext> load(const QString &user, const QString &session,
                                    const HistoryRewind &rewind) override
    {
        return m_store.loadContext(user, session, 10, nullptr, rewind);
    }
    QString save(const Exchange &e) override
    {
        QString error;
        return m_store.saveExchange(e, &error) ? QString() : error;
    }
    HistoryQueries &queries() override { return m_store; }

private:
    HistoryStore m_store;
};

// Runs the pipeline's statements the way PostgresSteps does (one statement each), on a
// connection of its own.
class PgStores : public Stores
{
public:
    explicit PgStores(const QString &conninfo)
        : m_history(conninfo, 2, nullptr)
        , m_conninfo(conninfo)
    { }
    bool open(QString *error)
    {
        if (!m_history.open(kTimeoutNs, error))
            return false;
        m_connection
            = PgConnection::connect(m_conninfo.toUtf8(), TraceClock::nowNs() + kTimeoutNs).connection;
        return m_connection != nullptr;
    }
    std::optional<UserContext> load(const QString &user, const QString &session,
                                    const HistoryRewind &rewind) override
    {
        QString error;
        return PgHistory::readContext(exec(PgHistory::contextQuery(user, session, 10, 0, rewind)), user,
                                      session, &error, rewind);
    }
    QString save(const Exchange &e) override { return PgHistory::readSave(exec(PgHistory::saveQuery(e, 0))); }
    HistoryQueries &queries() override { return m_history; }
    PgResult exec(const PgQuery &q)
    {
        return m_connection->exec(q.sql, q.params, TraceClock::nowNs() + kTimeoutNs);
    }

private:
    PgHistory m_history;
    QString m_conninfo;
    std::unique_ptr<PgConnection> m_connection;
};

// What a conversation holds, ids replaced by positions (the two stores number rows differently).
QStringList shape(const QList<StoredMessage> &messages)
{
    QStringList out;
    for (const StoredMessage &m : messages) {
        int group = -1;
        for (int i = 0; i < messages.size(); ++i) {
            if (m.alternativeOf != 0 && messages[i].id == m.alternativeOf)
                group = i;
        }
        out << QStringLiteral("%1:%2:%3:alt%4").arg(m.role, m.content, m.active ? "on" : "off").arg(group);
    }
    return out;
}

// Search hits with the message's position in its conversation; sorted, since conversations
// saved in the same millisecond may come in either order.
QStringList shape(const QList<SearchHit> &hits, HistoryQueries &queries)
{
    QStringList out;
    for (const SearchHit &h : hits) {
        const QList<StoredMessage> messages = queries.messages(h.conversationId);
        int at = -1;
        for (int i = 0; i < messages.size(); ++i) {
            if (messages[i].id == h.messageId)
                at = i;
        }
        out << QStringLiteral("%1|%2|%3|%4|%5").arg(h.conversationId, h.title).arg(at).arg(h.role, h.snippet);
    }
    out.sort();
    return out;
}

// A rewind error with the message id (numbered differently by the two stores) taken out.
QString withoutId(QString error, qint64 id)
{
    return error.replace(QString::number(id), QStringLiteral("N"));
}

Exchange exchange(const QString &user, const QString &session, const QString &question, const QString &answer,
                  quint64 id)
{
    Exchange e;
    e.userId = user;
    e.sessionId = session;
    e.userMessage = question;
    e.assistantMessage = answer;
    e.requestId = id;
    return e;
}

} // namespace

class TestPgHistory : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    PgTestCluster m_pg;
    int m_databases = 0;

    // A store of each kind, both empty.
    bool makeStores(std::unique_ptr<SqliteStores> *sqlite, std::unique_ptr<PgStores> *pg)
    {
        const QString db = m_pg.createDatabase(QStringLiteral("h%1").arg(++m_databases));
        *sqlite
            = std::make_unique<SqliteStores>(m_dir.filePath(QStringLiteral("h%1.sqlite").arg(m_databases)));
        *pg = std::make_unique<PgStores>(db);
        QString error;
        return !db.isEmpty() && (*sqlite)->open() && (*pg)->open(&error);
    }

private slots:
    void initTestCase()
    {
        QString why;
        QVERIFY(m_dir.isValid());
        QVERIFY2(m_pg.start(&why), qPrintable(why));
    }

    // tst_historyschema's regenerate/edit walk, step by step on both stores: every context read
    // and every stored conversation must be the same.
    void regenerateAndEditAsSqliteDoes()
    {
        std::unique_ptr<SqliteStores> sqlite;
        std::unique_ptr<PgStores> pg;
        QVERIFY(makeStores(&sqlite, &pg));
        const QString u = QStringLiteral("ana"), s = QStringLiteral("s1");
        HistoryRewind last;
        last.lastTurn = true;
        QStringList seen[2];
        int side = 0;
        for (Stores *store : { static_cast<Stores *>(sqlite.get()), static_cast<Stores *>(pg.get()) }) {
            QStringList &log = seen[side++];
            // Nothing stored yet: nothing to answer again.
            log << store->load(u, s, last)->rewindError;
            QCOMPARE(store->save(exchange(u, s, QStringLiteral("one"), QStringLiteral("A1"), 1)), QString());
            QCOMPARE(store->save(exchange(u, s, QStringLiteral("two"), QStringLiteral("B1"), 2)), QString());
            auto ctx = store->load(u, s, last);
            QVERIFY(ctx && ctx->rewindError.isEmpty());
            log << ctx->resentMessage << QString::number(ctx->history.size());
            for (const ChatMessage &m : ctx->history)
                log << m.role + QLatin1Char(':') + m.content;
            // Someone else cannot regenerate ana's conversation.
            auto foreign = store->load(QStringLiteral("eve"), s, last);
            QVERIFY(foreign && foreign->sessionBelongsToOthers());
            log << foreign->rewindError;
            Exchange again = exchange(u, s, QStringLiteral("two"), QStringLiteral("B2"), 3);
            again.regenerate = true;
            QCOMPARE(store->save(again), QString());
            again.assistantMessage = QStringLiteral("B3");
            QCOMPARE(store->save(again), QString());
            Exchange stolen = again;
            stolen.userId = QStringLiteral("eve");
            QCOMPARE(store->save(stolen), HistoryStore::ForeignSession);
            QList<StoredMessage> messages = store->queries().messages(s);
            log << shape(messages);
            QCOMPARE(messages.size(), 6); // one A1 two B1 B2 B3
            log << store->load(u, s)->history.last().content; // B3, the newest, continues
            QVERIFY(store->queries().activateAlternative(s, messages[3].id));
            log << store->load(u, s)->history.last().content; // B1 after paging back
            log << QString::number(store->queries().conversation(s)->messageCount);
            // A second regenerate after paging: B1 is active again, the group stays B1's.
            again.assistantMessage = QStringLiteral("B4");
            QCOMPARE(store->save(again), QString());
            messages = store->queries().messages(s);
            log << shape(messages);
            // Edit and resend from "two": it and everything after it are replaced.
            HistoryRewind edit;
            edit.fromMessageId = messages[2].id;
            ctx = store->load(u, s, edit);
            QVERIFY(ctx && ctx->rewindError.isEmpty());
            log << ctx->resentMessage << QString::number(ctx->history.size());
            Exchange edited = exchange(u, s, QStringLiteral("two, edited"), QStringLiteral("C1"), 4);
            edited.truncateFrom = messages[2].id;
            QCOMPARE(store->save(edited), QString());
            messages = store->queries().messages(s);
            log << shape(messages);
            QCOMPARE(messages.size(), 4);
            log << QString::number(store->queries().search(QStringLiteral("B3")).size());
            // An assistant message, or one of another conversation, cannot start an edit.
            edit.fromMessageId = messages[3].id;
            log << withoutId(store->load(u, s, edit)->rewindError, edit.fromMessageId);
            QCOMPARE(
                store->save(exchange(u, QStringLiteral("s2"), QStringLiteral("x"), QStringLiteral("y"), 5)),
                QString());
            edit.fromMessageId = store->queries().messages(QStringLiteral("s2")).first().id;
            log << withoutId(store->load(u, s, edit)->rewindError, edit.fromMessageId);
        }
        QCOMPARE(seen[1], seen[0]);
        // And what was compared is what tst_historyschema expects of SQLite.
        QVERIFY(seen[0].contains(QStringLiteral("assistant:B3:on:alt3")));
        QVERIFY(seen[0].contains(QStringLiteral("assistant:B4:on:alt3")));
        QVERIFY(seen[0].contains(QStringLiteral("user:two, edited:on:alt-1")));
        QVERIFY(!seen[0].last().isEmpty());
    }

    // Search (messages, then titles; Chinese; LIKE's own characters taken literally; one user's
    // conversations only), settings, and each answer's timings, on both stores.
    void searchSettingsAndTimingsAsSqliteDoes()
    {
        std::unique_ptr<SqliteStores> sqlite;
        std::unique_ptr<PgStores> pg;
        QVERIFY(makeStores(&sqlite, &pg));
        ConversationSettings settings;
        settings.systemPrompt = QStringLiteral("Answer in haiku");
        settings.model = QStringLiteral("gpt-4o-mini");
        settings.temperature = 0.25;
        settings.maxTokens = 64;
        const QJsonObject timings { { QStringLiteral("mode"), QStringLiteral("async") },
                                    { QStringLiteral("ttft_ms"), 12.5 },
                                    { QStringLiteral("answered_ms"), 80.1 },
                                    { QStringLiteral("tokens"), 9 } };
        QStringList seen[2];
        int side = 0;
        for (Stores *store : { static_cast<Stores *>(sqlite.get()), static_cast<Stores *>(pg.get()) }) {
            QStringList &log = seen[side++];
            Exchange zebra
                = exchange(QStringLiteral("ana"), QStringLiteral("z1"), QStringLiteral("A ZEBRA crossing"),
                           QStringLiteral("stripes 100% _sure_"), 1);
            zebra.meta = timings;
            zebra.settings = settings;
            QCOMPARE(store->save(zebra), QString());
            QCOMPARE(store->save(exchange(QStringLiteral("ana"), QStringLiteral("z2"),
                                          QStringLiteral("斑马线在哪里"), QStringLiteral("在路口"), 2)),
                     QString());
            QCOMPARE(store->save(exchange(QStringLiteral("bob"), QStringLiteral("z3"),
                                          QStringLiteral("zebra for bob"), QStringLiteral("ok"), 3)),
                     QString());
            HistoryQueries &q = store->queries();
            QVERIFY(q.renameConversation(QStringLiteral("z2"), QStringLiteral("Crossing the road")));
            const QList<StoredMessage> z1 = q.messages(QStringLiteral("z1"));
            QCOMPARE(z1.size(), 2);
            QCOMPARE(z1[1].meta, timings); // the answer's timings, as stored
            QVERIFY(z1[0].meta.isEmpty());
            QCOMPARE(q.conversation(QStringLiteral("z1"))->settings, settings);
            QCOMPARE(store->load(QStringLiteral("ana"), QStringLiteral("z1"))->settings, settings);
            QCOMPARE(store->load(QStringLiteral("eve"), QStringLiteral("z1"))->settings,
                     ConversationSettings()); // not another user's
            const auto searched
                = [&](const QString &text, const QString &user) { return shape(q.search(text, user), q); };
            log << searched(QStringLiteral("zebra"), QString())
                << searched(QStringLiteral("zebra"), QStringLiteral("ana"))
                << searched(QStringLiteral("斑马"), QString())
                << searched(QStringLiteral("crossing"), QString())
                << searched(QStringLiteral("100%"), QString()) << searched(QStringLiteral("0% _s"), QString())
                << searched(QStringLiteral("1_0"), QString()) << searched(QStringLiteral("zz"), QString());
            // Settings cleared, then set through the route's call.
            QVERIFY(q.setSettings(QStringLiteral("z1"), {}));
            QVERIFY(q.conversation(QStringLiteral("z1"))->settings.isEmpty());
            QVERIFY(q.setSettings(QStringLiteral("z1"), settings));
            QCOMPARE(q.conversation(QStringLiteral("z1"))->settings, settings);
            QVERIFY(!q.setSettings(QStringLiteral("nope"), settings));
            // A later exchange without settings keeps the stored ones.
            QCOMPARE(store->save(exchange(QStringLiteral("ana"), QStringLiteral("z1"), QStringLiteral("more"),
                                          QStringLiteral("fine"), 4)),
                     QString());
            QCOMPARE(q.conversation(QStringLiteral("z1"))->settings, settings);
            log << QString::number(q.conversations(QStringLiteral("ana")).size())
                << QString::number(q.messageCount());
        }
        QCOMPARE(seen[1], seen[0]);
        // Not a comparison of two empty answers: the searches found what they should.
        QVERIFY2(seen[0].contains(QStringLiteral("z3|zebra for bob|0|user|zebra for bob")),
                 qPrintable(seen[0].join(QLatin1Char('\n'))));
        QCOMPARE(seen[0].count(QStringLiteral("z1|A ZEBRA crossing|0|user|A ZEBRA crossing")), 3);
        QVERIFY(seen[0].contains(QStringLiteral("z2|Crossing the road|0|user|斑马线在哪里")));
        QVERIFY(seen[0].contains(QStringLiteral("z2|Crossing the road|-1||Crossing the road")));
        QCOMPARE(seen[0].count(QStringLiteral("z1|A ZEBRA crossing|1|assistant|stripes 100% _sure_")), 2);
    }

    // Regenerate and edit_from through /v1/chat and the conversation routes on PostgreSQL, with
    // each driver: 200s, the stored rows, paging, and the 409 and 404 answers.
    void routesRegenerateAndEdit_data()
    {
        QTest::addColumn<DispatchMode>("mode");
        QTest::addRow("blocking") << DispatchMode::Blocking;
        QTest::addRow("executor") << DispatchMode::Executor;
        QTest::addRow("async") << DispatchMode::Async;
    }
    void routesRegenerateAndEdit()
    {
        QFETCH(DispatchMode, mode);
        const QString db = m_pg.createDatabase(QStringLiteral("routes_%1").arg(dispatchModeName(mode)));
        QVERIFY(!db.isEmpty());
        ServerFixture f;
        ServerConfig c = ServerFixture::quickConfig();
        c.mode = mode;
        c.dbPath = db;
        c.dbPoolSize = 2;
        c.dbReadSeconds = 0;
        c.dbWriteSeconds = 0;
        QVERIFY(f.start(c));
        const auto chat
            = [&](const QByteArray &body) { return f.request("POST", QStringLiteral("/v1/chat"), body); };
        QCOMPARE(chat(R"({"user_id":"ann","session_id":"r1","message":"first"})").status, 200);
        QCOMPARE(chat(R"({"user_id":"ann","session_id":"r1","message":"second"})").status, 200);
        const ServerFixture::Reply regen = chat(R"({"user_id":"ann","session_id":"r1","regenerate":true})");
        QCOMPARE(regen.status, 200);
        QCOMPARE(chat(R"({"user_id":"bob","session_id":"r1","regenerate":true})").status, 404);
        QCOMPARE(chat(R"({"user_id":"ann","session_id":"none","regenerate":true})").status, 409);
        const auto stored = [&] {
            return f.request("GET", QStringLiteral("/v1/conversations/r1/messages"))
                .json.value(QStringLiteral("messages"))
                .toArray();
        };
        QJsonArray messages = stored();
        QCOMPARE(messages.size(), 5); // first, A, second, B (inactive), B' (active)
        QCOMPARE(messages[2].toObject().value(QStringLiteral("content")).toString(),
                 QStringLiteral("second"));
        QCOMPARE(messages[3].toObject().value(QStringLiteral("active")).toBool(), false);
        QCOMPARE(messages[4].toObject().value(QStringLiteral("active")).toBool(), true);
        const qint64 firstAnswer = qint64(messages[3].toObject().value(QStringLiteral("id")).toDouble());
        QCOMPARE(f.request("PATCH", QStringLiteral("/v1/conversations/r1/messages/%1").arg(firstAnswer),
                           R"({"active":true})")
                     .status,
                 200);
        QCOMPARE(stored()[3].toObject().value(QStringLiteral("active")).toBool(), true);
        // Edit the second question: it and everything after it are replaced by the new exchange.
        const qint64 second = qint64(messages[2].toObject().value(QStringLiteral("id")).toDouble());
        const qint64 answer = qint64(messages[1].toObject().value(QStringLiteral("id")).toDouble());
        QCOMPARE(chat(QStringLiteral(
                          R"({"user_id":"ann","session_id":"r1","edit_from":%1,"message":"second, edited"})")
                          .arg(answer)
                          .toUtf8())
                     .status,
                 409); // an answer is not a question
        QCOMPARE(chat(QStringLiteral(
                          R"({"user_id":"ann","session_id":"r1","edit_from":%1,"message":"second, edited"})")
                          .arg(second)
                          .toUtf8())
                     .status,
                 200);
        messages = stored();
        QCOMPARE(messages.size(), 4);
        QCOMPARE(messages[2].toObject().value(QStringLiteral("content")).toString(),
                 QStringLiteral("second, edited"));
        QCOMPARE(messages[3].toObject().value(QStringLiteral("role")).toString(),
                 QStringLiteral("assistant"));
        const ServerFixture::Reply found
            = f.request("GET", QStringLiteral("/v1/conversations/search?q=EDITED"));
        QCOMPARE(found.status, 200);
        int questions = 0; // the simulated model may quote the question in its answer too
        for (const QJsonValue &hit : found.json.value(QStringLiteral("results")).toArray()) {
            if (hit.toObject().value(QStringLiteral("role")).toString() == QLatin1String("user")) {
                ++questions;
                QCOMPARE(qint64(hit.toObject().value(QStringLiteral("message_id")).toDouble()),
                         qint64(messages[2].toObject().value(QStringLiteral("id")).toDouble()));
            }
        }
        QCOMPARE(questions, 1);
    }

    // Where a password comes from: the URI, PGPASSWORD, the password file, else the keychain
    // entry named after user@host:port/db. A password added to a URI or connection string is the
    // one libpq reads back, and the redacted form never holds it.
    void passwordSources()
    {
        const QString uri = QStringLiteral("postgresql://ann@db.example:5433/chat");
        QCOMPARE(PgPassword::keychainAccount(uri), QStringLiteral("postgresql/ann@db.example:5433/chat"));
        QCOMPARE(PgPassword::keychainAccount(QStringLiteral("host=/run/pg port=6000 dbname=d user=u")),
                 QStringLiteral("postgresql/u@/run/pg:6000/d"));
        const QString odd = QStringLiteral("p@ss:w'rd/\\ 1%");
        // libpq's own words about a string it cannot read never carry the password.
        for (const QString &bad : { QStringLiteral("host=x password=Wr0ngPw dbname='unclosed"),
                                    QStringLiteral("host=x dbname='un' password='Wr0ngPw"),
                                    QStringLiteral("host=x Wr0ngPw dbname=y"),
                                    QStringLiteral("postgresql://ann:Wr0ngPw@h/db?x%zz=1") }) {
            QString error;
            QVERIFY(!PgConnInfo::check(bad, &error));
            QVERIFY2(!error.isEmpty() && !error.contains(QLatin1String("Wr0ngPw")), qPrintable(error));
        }
        for (const QString &base : { uri, QStringLiteral("postgresql://db.example/chat"),
                                     QStringLiteral("host=db.example dbname=chat user=ann") }) {
            const QString with = PgPassword::withPassword(base, odd);
            QCOMPARE(PgPassword::passwordOf(with), odd);
            QVERIFY2(PgConnInfo::check(with, nullptr), qPrintable(with));
            QVERIFY(!PgConnInfo::redacted(with).contains(QStringLiteral("w'rd")));
            QCOMPARE(PgPassword::keychainAccount(with), PgPassword::keychainAccount(base));
        }

        // The suite's own environment comes back however the test ends.
        struct RestoreEnvironment
        {
            QByteArray password = qgetenv("PGPASSWORD"), file = qgetenv("PGPASSFILE");
            ~RestoreEnvironment()
            {
                password.isNull() ? qunsetenv("PGPASSWORD") : qputenv("PGPASSWORD", password);
                file.isNull() ? qunsetenv("PGPASSFILE") : qputenv("PGPASSFILE", file);
            }
        } restore;
        qunsetenv("PGPASSWORD");
        QTemporaryDir dir;
        const QString passFile = dir.filePath(QStringLiteral("pgpass"));
        qputenv("PGPASSFILE", passFile.toLocal8Bit());
        QCOMPARE(PgPassword::libpqSource(uri), QString()); // no file yet
        QCOMPARE(PgPassword::libpqSource(QStringLiteral("postgresql://ann:pw@db.example:5433/chat")),
                 QStringLiteral("URI"));
        QFile file(passFile);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("# comment\nother.example:5433:chat:ann:x\ndb.example:*:chat:ann:secret\n"
                   "localhost:5432:*:bob:y\n");
        file.close();
        QVERIFY(
            file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadOther));
        QCOMPARE(PgPassword::libpqSource(uri), QString()); // others may read it: libpq ignores it
        QVERIFY(file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner));
        QCOMPARE(PgPassword::libpqSource(uri), QStringLiteral("password file"));
        QCOMPARE(PgPassword::libpqSource(QStringLiteral("postgresql://eve@db.example:5433/chat")), QString());
        // A socket folder is "localhost" in the password file, as libpq reads it.
        QCOMPARE(PgPassword::libpqSource(QStringLiteral("host=/run/pg port=5432 dbname=x user=bob")),
                 QStringLiteral("password file"));
        qputenv("PGPASSWORD", "from-env");
        QCOMPARE(PgPassword::libpqSource(QStringLiteral("postgresql://eve@db.example:5433/chat")),
                 QStringLiteral("PGPASSWORD"));
        QString source;
        QCOMPARE(PgPassword::resolve(uri, &source), uri); // libpq has one: the keychain is not asked
        QCOMPARE(source, QStringLiteral("PGPASSWORD"));
        qunsetenv("PGPASSWORD");

        // The keychain, only where one is built in and answers.
        if (!SecretStore::keychainCompiledIn())
            QSKIP(
                "built without qtkeychain: PostgreSQL passwords come from the URI, PGPASSWORD or ~/.pgpass");
        const QString mine = QStringLiteral("postgresql://keychain-test@db.example:5433/chat");
        QString error;
        if (!PgPassword::store(mine, odd, &error))
            QSKIP(qPrintable(QStringLiteral("no keychain service answers here: %1").arg(error)));
        const QString resolved = PgPassword::resolve(mine, &source);
        SecretStore(PgPassword::keychainAccount(mine), QString()).removeKey();
        QCOMPARE(source, QStringLiteral("keychain"));
        QCOMPARE(PgPassword::passwordOf(resolved), odd);
    }
};

QTEST_GUILESS_MAIN(TestPgHistory)
#include "tst_pghistory.moc"
