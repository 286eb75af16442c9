// The history database's schema: a file written by LoopScope 0.2.0 is migrated in place without
// losing a conversation, a file of version 1 (search index kept by triggers) moves to the lazily
// written index without indexing anything twice, a new file and a migrated one answer the same
// queries (settings, alternatives, search), and a file holding someone else's tables is still
// refused.
#include "http/historyfilecheck.h"
#include "storage/historystore.h"

#include <QTemporaryDir>
#include <QTest>
#include <sqlite3.h>

namespace {

// The tables exactly as LoopScope 0.2.0 created them (core/storage/historystore.cpp on main at
// aae857f), written here independently of the code under test.
const char *const kSchema020 = R"sql(
PRAGMA encoding = 'UTF-16le';
CREATE TABLE IF NOT EXISTS users ( user_id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, requests INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS conversations ( id TEXT PRIMARY KEY, user_id TEXT NOT NULL, title TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS conversations_by_user ON conversations(user_id, updated_at);
CREATE TABLE IF NOT EXISTS messages ( id INTEGER PRIMARY KEY AUTOINCREMENT, conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE, role TEXT NOT NULL, content TEXT NOT NULL, created_at INTEGER NOT NULL, request_id INTEGER, meta TEXT);
CREATE INDEX IF NOT EXISTS messages_by_conversation ON messages(conversation_id, id);
CREATE TABLE IF NOT EXISTS audit_log ( id INTEGER PRIMARY KEY AUTOINCREMENT, user_id TEXT, request_id INTEGER, item INTEGER, created_at INTEGER NOT NULL);
)sql";

bool execSql(const QString &path, const QByteArray &sql)
{
    sqlite3 *db = nullptr;
    bool ok = sqlite3_open(path.toUtf8().constData(), &db) == SQLITE_OK
        && sqlite3_exec(db, sql.constData(), nullptr, nullptr, nullptr) == SQLITE_OK;
    sqlite3_close(db);
    return ok;
}

qint64 scalar(const QString &path, const char *sql)
{
    sqlite3 *db = nullptr;
    sqlite3_stmt *q = nullptr;
    qint64 v = -1;
    if (sqlite3_open(path.toUtf8().constData(), &db) == SQLITE_OK
        && sqlite3_prepare_v2(db, sql, -1, &q, nullptr) == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
        v = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    sqlite3_close(db);
    return v;
}

// A 0.2.0 file with two users' conversations, as that version's writer left them.
QString write020(const QTemporaryDir &dir)
{
    const QString path = dir.filePath(QStringLiteral("history-0.2.0.sqlite"));
    QByteArray sql = kSchema020;
    sql += "INSERT INTO users VALUES ('ana', 1700000000000, 2), ('bo', 1700000000000, 1);"
           "INSERT INTO conversations VALUES ('c1', 'ana', 'Why does my **async** endpoint block?', 1, 3),"
           " ('c2', 'ana', '异步和线程', 4, 6), ('c3', 'bo', 'hello', 7, 8);"
           "INSERT INTO messages(conversation_id, role, content, created_at, request_id, meta) VALUES"
           " ('c1', 'user', 'Why does my **async** endpoint block?', 1, 1, NULL),"
           " ('c1', 'assistant', 'Because time.sleep holds the loop.', 2, 1, '{\"mode\":\"async\"}'),"
           " ('c2', 'user', '异步和线程有什么区别？', 4, 2, NULL),"
           " ('c2', 'assistant', '协程在一个线程里轮流运行。', 5, 2, NULL),"
           " ('c3', 'user', 'hello', 7, 3, NULL), ('c3', 'assistant', 'hi bo', 8, 3, NULL);"
           "INSERT INTO audit_log(user_id, request_id, item, created_at) VALUES ('ana', 1, 0, 2);";
    return execSql(path, sql) ? path : QString();
}

// Version 1 (LoopScope at 13d9754): the search index kept by triggers on every insert, written
// here independently of the code under test.
const char *const kSchemaVersion1 = R"sql(
ALTER TABLE conversations ADD COLUMN settings TEXT;
ALTER TABLE messages ADD COLUMN active INTEGER NOT NULL DEFAULT 1;
ALTER TABLE messages ADD COLUMN alt_of INTEGER;
CREATE VIRTUAL TABLE messages_fts USING fts5( content, content='messages', content_rowid='id', tokenize='trigram');
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content); END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, old.content); END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages BEGIN INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, old.content); INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content); END;
PRAGMA user_version = 1;
)sql";

} // namespace

class TestHistorySchema : public QObject
{
    Q_OBJECT
private slots:
    void migratesA020FileWithoutLosingAConversation();
    void newAndMigratedFilesAnswerTheSameQueries();
    void migratesAVersion1FileToTheLazyIndex();
    void refusesAFileWithSomeoneElsesTables();
    void refusesAFileFromANewerVersion();
    void regenerateKeepsAlternativesAndEditReplacesTheRest();
};

void TestHistorySchema::migratesA020FileWithoutLosingAConversation()
{
    QTemporaryDir dir;
    const QString path = write020(dir);
    QVERIFY(!path.isEmpty());
    QCOMPARE(scalar(path, "PRAGMA user_version"), 0);
    QString error;
    QVERIFY2(HistoryFileCheck::check(path, &error), qPrintable(error)); // 0.2.0's tables are ours
    {
        HistoryStore store(path);
        QVERIFY2(store.open(&error), qPrintable(error));
        const auto ana = store.conversations(QStringLiteral("ana"));
        QCOMPARE(ana.size(), 2);
        QCOMPARE(store.conversations().size(), 3);
        const auto c1 = store.messages(QStringLiteral("c1"));
        QCOMPARE(c1.size(), 2);
        QCOMPARE(c1[0].content, QStringLiteral("Why does my **async** endpoint block?"));
        QCOMPARE(c1[1].meta.value(QStringLiteral("mode")).toString(), QStringLiteral("async"));
        QVERIFY(c1[0].active && c1[1].active);
        QCOMPARE(store.messages(QStringLiteral("c2"))[1].content,
                 QStringLiteral("协程在一个线程里轮流运行。"));
        QCOMPARE(store.messageCount(), 6);
        // The old messages are in the search index.
        const auto hits = store.search(QStringLiteral("TIME.SLEEP"), QStringLiteral("ana"));
        QCOMPARE(hits.size(), 1);
        QCOMPARE(hits[0].conversationId, QStringLiteral("c1"));
        QVERIFY(hits[0].snippet.contains(QStringLiteral("time.sleep")));
        QCOMPARE(store.search(QStringLiteral("线程里"), QStringLiteral("ana")).size(), 1);
        QVERIFY(store.search(QStringLiteral("hi bo"), QStringLiteral("ana")).isEmpty()); // bo's, not ana's
        // The context a request loads is the same as before the migration.
        const auto ctx = store.loadContext(QStringLiteral("ana"), QStringLiteral("c1"), 10);
        QVERIFY(ctx);
        QCOMPARE(ctx->history.size(), 2);
        QVERIFY(ctx->settings.isEmpty());
    }
    QCOMPARE(scalar(path, "PRAGMA user_version"), 2);
    QVERIFY2(HistoryFileCheck::check(path, &error), qPrintable(error)); // the FTS tables are ours too
    // Opening again migrates nothing twice.
    HistoryStore again(path);
    QVERIFY2(again.open(&error), qPrintable(error));
    QCOMPARE(again.messageCount(), 6);
    QCOMPARE(again.search(QStringLiteral("holds the loop")).size(), 1);
}

void TestHistorySchema::newAndMigratedFilesAnswerTheSameQueries()
{
    QTemporaryDir dir;
    const QString old = write020(dir);
    const QString fresh = dir.filePath(QStringLiteral("new.sqlite"));
    for (const QString &path : { old, fresh }) {
        HistoryStore store(path);
        QString error;
        QVERIFY2(store.open(&error), qPrintable(error));
        Exchange e { QStringLiteral("ana"),
                     QStringLiteral("s9"),
                     QStringLiteral("What is a **coroutine**?"),
                     QStringLiteral("A function that can pause."),
                     9,
                     {} };
        ConversationSettings settings;
        settings.systemPrompt = QStringLiteral("Be brief.");
        settings.temperature = 0.2;
        settings.maxTokens = 64;
        e.settings = settings;
        QVERIFY2(store.saveExchange(e, &error), qPrintable(error));
        const auto c = store.conversation(QStringLiteral("s9"));
        QVERIFY(c);
        QCOMPARE(c->title, QStringLiteral("What is a coroutine?")); // plain text, not Markdown
        QCOMPARE(c->settings, settings);
        QCOMPARE(store.loadContext(QStringLiteral("ana"), QStringLiteral("s9"), 10)->settings, settings);
        QCOMPARE(store.loadContext(QStringLiteral("bo"), QStringLiteral("s9"), 10)->settings,
                 ConversationSettings {}); // not the owner: nothing of it
        QCOMPARE(store.search(QStringLiteral("can pause")).size(), 1);
        QVERIFY(store.deleteConversation(QStringLiteral("s9")));
        QVERIFY(store.search(QStringLiteral("can pause")).isEmpty()); // the index follows deletes
    }
}

void TestHistorySchema::migratesAVersion1FileToTheLazyIndex()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("history-v1.sqlite"));
    // 0.2.0's tables, then version 1's, then rows written through version 1's triggers.
    QVERIFY(execSql(
        path,
        QByteArray(kSchema020) + kSchemaVersion1
            + "INSERT INTO users VALUES ('ana', 1, 2);"
              "INSERT INTO conversations(id, user_id, title, created_at, updated_at) VALUES"
              " ('c1', 'ana', 'blocking', 1, 2), ('c2', 'ana', '线程', 3, 4);"
              "INSERT INTO messages(conversation_id, role, content, created_at) VALUES"
              " ('c1', 'user', 'Does time.sleep block?', 1), ('c1', 'assistant', 'It holds the loop.', 2),"
              " ('c2', 'user', '异步和线程有什么区别？', 3), ('c2', 'assistant', "
              "'协程在一个线程里轮流运行。', 4);"));
    QCOMPARE(scalar(path, "SELECT COUNT(*) FROM messages_fts WHERE messages_fts MATCH 'holds'"), 1);
    QString error;
    {
        HistoryStore store(path);
        QVERIFY2(store.open(&error), qPrintable(error));
        // What the triggers indexed counts as indexed: nothing is indexed twice.
        QCOMPARE(store.searchIndexedTo(), qint64(4));
        QCOMPARE(scalar(path, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'messages_fts_insert'"), 0);
        QCOMPARE(store.search(QStringLiteral("HOLDS THE")).size(), 1);
        QCOMPARE(store.search(QStringLiteral("线程里")).size(), 1);
        // A message saved now is found at once; deleting an indexed conversation unindexes it.
        store.holdSearchIndexingForTesting(true);
        QVERIFY(store.saveExchange({ QStringLiteral("ana"),
                                     QStringLiteral("c1"),
                                     QStringLiteral("and asyncio?"),
                                     QStringLiteral("asyncio.sleep yields"),
                                     5,
                                     {} }));
        QCOMPARE(store.searchIndexedTo(), qint64(4));
        QCOMPARE(store.search(QStringLiteral("asyncio.sleep")).size(), 1);
        QVERIFY(store.deleteConversation(QStringLiteral("c2")));
        QCOMPARE(scalar(path, "SELECT COUNT(*) FROM messages_fts WHERE messages_fts MATCH '\"线程里\"'"), 0);
        QVERIFY(store.search(QStringLiteral("线程里")).isEmpty());
    }
    QCOMPARE(scalar(path, "PRAGMA user_version"), 2);
    QVERIFY2(HistoryFileCheck::check(path, &error), qPrintable(error)); // search_index is ours
    HistoryStore again(path);
    QVERIFY2(again.open(&error), qPrintable(error));
    QTRY_COMPARE(again.searchIndexedTo(), scalar(path, "SELECT MAX(id) FROM messages"));
    QCOMPARE(scalar(path, "SELECT COUNT(*) FROM messages_fts WHERE messages_fts MATCH 'asyncio'"),
             2); // question and answer
    QCOMPARE(again.search(QStringLiteral("asyncio.sleep")).size(), 1);
}

void TestHistorySchema::refusesAFileWithSomeoneElsesTables()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("other.sqlite"));
    QVERIFY(execSql(path, "CREATE TABLE invoices(id INTEGER PRIMARY KEY, total REAL);"));
    QString error;
    QVERIFY(!HistoryFileCheck::check(path, &error));
    QVERIFY2(error.contains(QStringLiteral("invoices")), qPrintable(error));
    QCOMPARE(scalar(path, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'messages'"), 0);
}

void TestHistorySchema::refusesAFileFromANewerVersion()
{
    QTemporaryDir dir;
    const QString path = write020(dir);
    QVERIFY(execSql(path, "PRAGMA user_version = 99;"));
    HistoryStore store(path);
    QString error;
    QVERIFY(!store.open(&error));
    QVERIFY2(error.contains(QStringLiteral("newer")), qPrintable(error));
    QCOMPARE(scalar(path, "PRAGMA user_version"), 99); // left as it was
    QCOMPARE(scalar(path, "SELECT COUNT(*) FROM messages"), 6);
}

void TestHistorySchema::regenerateKeepsAlternativesAndEditReplacesTheRest()
{
    QTemporaryDir dir;
    HistoryStore store(dir.filePath(QStringLiteral("h.sqlite")));
    QVERIFY(store.open());
    const QString u = QStringLiteral("ana"), s = QStringLiteral("s1");
    QVERIFY(store.saveExchange({ u, s, QStringLiteral("one"), QStringLiteral("A1"), 1, {} }));
    QVERIFY(store.saveExchange({ u, s, QStringLiteral("two"), QStringLiteral("B1"), 2, {} }));
    // Regenerate: the context stops before the last user message, which is answered again.
    HistoryRewind last;
    last.lastTurn = true;
    auto ctx = store.loadContext(u, s, 10, nullptr, last);
    QVERIFY(ctx && ctx->rewindError.isEmpty());
    QCOMPARE(ctx->resentMessage, QStringLiteral("two"));
    QCOMPARE(ctx->history.size(), 2);
    Exchange again { u, s, QStringLiteral("two"), QStringLiteral("B2"), 3, {} };
    again.regenerate = true;
    QVERIFY(store.saveExchange(again));
    again.assistantMessage = QStringLiteral("B3");
    QVERIFY(store.saveExchange(again));
    auto messages = store.messages(s);
    QCOMPARE(messages.size(), 6); // one A1 two B1 B2 B3
    for (int i : { 3, 4, 5 })
        QCOMPARE(messages[i].alternativeOf, messages[3].id);
    QCOMPARE(messages[5].content, QStringLiteral("B3"));
    QVERIFY(!messages[3].active && !messages[4].active && messages[5].active);
    QCOMPARE(store.loadContext(u, s, 10)->history.last().content, QStringLiteral("B3"));
    // Paging to B1 makes it the conversation's context.
    QVERIFY(store.activateAlternative(s, messages[3].id));
    QCOMPARE(store.loadContext(u, s, 10)->history.last().content, QStringLiteral("B1"));
    QCOMPARE(store.conversation(s)->messageCount, 4);
    // Edit and resend from "two": it and everything after it are replaced.
    HistoryRewind edit;
    edit.fromMessageId = messages[2].id;
    ctx = store.loadContext(u, s, 10, nullptr, edit);
    QVERIFY(ctx && ctx->rewindError.isEmpty());
    QCOMPARE(ctx->history.size(), 2);
    Exchange edited { u, s, QStringLiteral("two, edited"), QStringLiteral("C1"), 4, {} };
    edited.truncateFrom = messages[2].id;
    QVERIFY(store.saveExchange(edited));
    messages = store.messages(s);
    QCOMPARE(messages.size(), 4);
    QCOMPARE(messages[2].content, QStringLiteral("two, edited"));
    QCOMPARE(messages[3].content, QStringLiteral("C1"));
    QVERIFY(store.search(QStringLiteral("B3")).isEmpty());
    // An assistant message cannot be the start of an edit.
    edit.fromMessageId = messages[3].id;
    QVERIFY(!store.loadContext(u, s, 10, nullptr, edit)->rewindError.isEmpty());
}

QTEST_GUILESS_MAIN(TestHistorySchema)
#include "tst_historyschema.moc"
