#include "historystore.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QJsonDocument>
#include <QPromise>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QThread>

#include <pthread.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace {

std::atomic<quint64> g_nextStoreId{1};

qint64 nowMs() { return QDateTime::currentMSecsSinceEpoch(); }

QString sqlError(const QSqlQuery &q) { return q.lastError().text(); }

const char *const kSchema[] = {
    "CREATE TABLE IF NOT EXISTS users ("
    " user_id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, requests INTEGER NOT NULL DEFAULT 0)",
    "CREATE TABLE IF NOT EXISTS conversations ("
    " id TEXT PRIMARY KEY, user_id TEXT NOT NULL, title TEXT NOT NULL,"
    " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS conversations_by_user ON conversations(user_id, updated_at)",
    "CREATE TABLE IF NOT EXISTS messages ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,"
    " role TEXT NOT NULL, content TEXT NOT NULL, created_at INTEGER NOT NULL,"
    " request_id INTEGER, meta TEXT)",
    "CREATE INDEX IF NOT EXISTS messages_by_conversation ON messages(conversation_id, id)",
    "CREATE TABLE IF NOT EXISTS audit_log ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, user_id TEXT, request_id INTEGER, item INTEGER,"
    " created_at INTEGER NOT NULL)",
};

} // namespace

// One SQLite connection of one thread. Owned by a thread_local table, so a pool thread that
// expires closes its connections itself (QSqlDatabase may only be used on its own thread).
class HistoryStore::Connection
{
public:
    Connection(const QString &name, const QString &path)
        : m_name(name)
    {
        m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        m_db.setDatabaseName(path);
        m_db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=10000"));
        if (m_db.open()) {
            QSqlQuery q(m_db);
            q.exec(QStringLiteral("PRAGMA journal_mode=WAL"));
            q.exec(QStringLiteral("PRAGMA synchronous=NORMAL"));
            q.exec(QStringLiteral("PRAGMA foreign_keys=ON"));
        }
    }
    ~Connection()
    {
        m_statements.clear();
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_name);
    }
    QSqlDatabase &db() { return m_db; }

    // The hot statements are prepared once per connection and re-bound for every request:
    // parsing SQL again for each request costs more than running it.
    QSqlQuery &statement(int key, const char *sql)
    {
        auto it = m_statements.find(key);
        if (it == m_statements.end()) {
            it = m_statements.insert(key, QSqlQuery(m_db));
            it->prepare(QString::fromLatin1(sql));
        }
        return *it;
    }

private:
    QString m_name;
    QSqlDatabase m_db;
    QHash<int, QSqlQuery> m_statements;
};

namespace {
enum Statement { LoadUser, LoadHistory, UpsertUser, UpsertConversation, InsertMessage, InsertAudit };
} // namespace

namespace {
struct ThreadConnections
{
    QHash<quint64, HistoryStore::Connection *> byStore;
    ~ThreadConnections() { qDeleteAll(byStore); }
};
thread_local ThreadConnections t_connections;
} // namespace

// The writer thread of the group commit (see the class comment).
class HistoryStore::Writer
{
public:
    explicit Writer(HistoryStore *store)
        : m_store(store)
        , m_thread([this] { run(); })
    {
    }
    ~Writer()
    {
        {
            std::lock_guard lock(m_mutex);
            m_stopping = true;
        }
        m_wake.notify_one();
        m_thread.join();
    }

    QFuture<QString> submit(const Exchange &e)
    {
        QPromise<QString> promise;
        QFuture<QString> future = promise.future();
        promise.start();
        {
            std::lock_guard lock(m_mutex);
            m_queue.push_back({e, std::move(promise)});
        }
        m_wake.notify_one();
        return future;
    }

    std::atomic<int> pageLimit{0};

private:
    struct Pending
    {
        Exchange exchange;
        QPromise<QString> promise;
    };

    void run()
    {
        pthread_setname_np(pthread_self(), "history-writer");
        for (;;) {
            std::deque<Pending> batch;
            {
                std::unique_lock lock(m_mutex);
                m_wake.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
                if (m_queue.empty())
                    break; // stopping, nothing left
                const size_t n = std::min<size_t>(m_queue.size(), 512);
                for (size_t i = 0; i < n; ++i) {
                    batch.push_back(std::move(m_queue.front()));
                    m_queue.pop_front();
                }
            }
            commit(batch);
        }
    }

    void commit(std::deque<Pending> &batch)
    {
        QString error;
        Connection *c = m_store->connection(&error);
        if (c && pageLimit.load() > 0) {
            QSqlQuery(c->db()).exec(QStringLiteral("PRAGMA max_page_count=%1").arg(pageLimit.load()));
            pageLimit.store(0);
        }
        QList<QString> results(batch.size());
        if (c) {
            QSqlQuery q(c->db());
            if (!q.exec(QStringLiteral("BEGIN IMMEDIATE"))) {
                error = sqlError(q);
            } else {
                for (size_t i = 0; i < batch.size(); ++i) {
                    q.exec(QStringLiteral("SAVEPOINT exchange"));
                    QString e;
                    if (writeExchange(c, batch[i].exchange, &e)) {
                        q.exec(QStringLiteral("RELEASE exchange"));
                    } else {
                        results[qsizetype(i)] = e.isEmpty() ? QStringLiteral("write failed") : e;
                        q.exec(QStringLiteral("ROLLBACK TO exchange"));
                        q.exec(QStringLiteral("RELEASE exchange"));
                    }
                }
                if (!q.exec(QStringLiteral("COMMIT"))) {
                    // Some errors (SQLITE_FULL, I/O) make SQLite roll the whole transaction back
                    // by itself; then nothing of this batch was stored. Name the first real cause.
                    error = sqlError(q);
                    for (const QString &r : results) {
                        if (!r.isEmpty()) {
                            error = r;
                            break;
                        }
                    }
                    QSqlQuery(c->db()).exec(QStringLiteral("ROLLBACK"));
                }
            }
        }
        for (size_t i = 0; i < batch.size(); ++i) {
            const QString &own = results[qsizetype(i)];
            QString r = !own.isEmpty() ? own : error;
            batch[i].promise.addResult(r);
            batch[i].promise.finish();
        }
    }

    static bool writeExchange(Connection *c, const Exchange &e, QString *error);

    HistoryStore *m_store;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<Pending> m_queue;
    bool m_stopping = false;
    std::thread m_thread; // last: starts once everything above exists
};

HistoryStore::HistoryStore(QString path)
    : m_path(std::move(path))
    , m_storeId(g_nextStoreId.fetch_add(1))
{
}

HistoryStore::~HistoryStore()
{
    m_writer.reset(); // commits what is queued, then closes its connection
    // Only the destroying thread's connection can be closed here; other threads close theirs
    // when they end (their table entries are keyed by a store id that is never reused).
    delete t_connections.byStore.take(m_storeId);
}

QString HistoryStore::defaultPath()
{
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    return QDir(dir.isEmpty() ? QDir::homePath() + QStringLiteral("/.loopscope") : dir)
            .filePath(QStringLiteral("history.sqlite"));
}

HistoryStore::Connection *HistoryStore::connection(QString *error)
{
    Connection *&c = t_connections.byStore[m_storeId];
    if (!c) {
        const QString name = QStringLiteral("loopscope-history-%1-%2")
                                     .arg(m_storeId)
                                     .arg(quintptr(QThread::currentThreadId()));
        c = new Connection(name, m_path);
    }
    if (!c->db().isOpen()) {
        if (error)
            *error = QStringLiteral("cannot open history database %1: %2")
                             .arg(m_path, c->db().lastError().text());
        delete c;
        t_connections.byStore.remove(m_storeId);
        return nullptr;
    }
    return c;
}

bool HistoryStore::open(QString *error)
{
    const QFileInfo info(m_path);
    if (!QDir().mkpath(info.absolutePath())) {
        if (error)
            *error = QStringLiteral("cannot create folder %1").arg(info.absolutePath());
        return false;
    }
    Connection *c = connection(error);
    if (!c)
        return false;
    QSqlQuery q(c->db());
    for (const char *statement : kSchema) {
        if (!q.exec(QString::fromLatin1(statement))) {
            if (error)
                *error = sqlError(q);
            return false;
        }
    }
    return true;
}

std::optional<UserContext> HistoryStore::loadContext(const QString &userId, const QString &sessionId,
                                                     int maxMessages, QString *error)
{
    Connection *c = connection(error);
    if (!c)
        return std::nullopt;
    UserContext ctx;
    ctx.userId = userId;
    ctx.sessionId = sessionId;
    QSqlQuery &user = c->statement(LoadUser, "SELECT requests FROM users WHERE user_id = ?");
    user.bindValue(0, userId);
    if (!user.exec()) {
        if (error)
            *error = sqlError(user);
        return std::nullopt;
    }
    ctx.knownUser = user.next();
    user.finish();
    if (!sessionId.isEmpty() && maxMessages > 0) {
        QSqlQuery &q = c->statement(LoadHistory,
                                    "SELECT role, content FROM (SELECT id, role, content FROM messages"
                                    " WHERE conversation_id = ? ORDER BY id DESC LIMIT ?) ORDER BY id");
        q.bindValue(0, sessionId);
        q.bindValue(1, maxMessages);
        if (!q.exec()) {
            if (error)
                *error = sqlError(q);
            return std::nullopt;
        }
        while (q.next())
            ctx.history.append({q.value(0).toString(), q.value(1).toString()});
        q.finish();
    }
    return ctx;
}

bool HistoryStore::saveExchange(const Exchange &e, QString *error)
{
    QFuture<QString> f = saveExchangeAsync(e);
    f.waitForFinished();
    const QString result = f.result();
    if (!result.isEmpty() && error)
        *error = result;
    return result.isEmpty();
}

QFuture<QString> HistoryStore::saveExchangeAsync(const Exchange &e)
{
    static std::mutex startMutex;
    {
        std::lock_guard lock(startMutex);
        if (!m_writer)
            m_writer = std::make_unique<Writer>(this);
    }
    return m_writer->submit(e);
}

void HistoryStore::setPageLimitForTesting(int pages)
{
    saveExchangeAsync(Exchange{}).waitForFinished(); // make sure the writer exists
    m_writer->pageLimit.store(pages);
}

bool HistoryStore::Writer::writeExchange(Connection *c, const Exchange &e, QString *error)
{
    if (e.sessionId.isEmpty())
        return true; // an empty exchange only starts the writer
    auto failed = [&](const QSqlQuery &q) {
        if (error)
            *error = sqlError(q);
        return false;
    };
    const qint64 now = nowMs();
    QSqlQuery &user = c->statement(UpsertUser,
                                   "INSERT INTO users(user_id, created_at, requests) VALUES(?, ?, 1)"
                                   " ON CONFLICT(user_id) DO UPDATE SET requests = requests + 1");
    user.bindValue(0, e.userId);
    user.bindValue(1, now);
    if (!user.exec())
        return failed(user);
    const QString title = e.userMessage.simplified().left(60);
    QSqlQuery &conv = c->statement(UpsertConversation,
                                   "INSERT INTO conversations(id, user_id, title, created_at, updated_at)"
                                   " VALUES(?, ?, ?, ?, ?)"
                                   " ON CONFLICT(id) DO UPDATE SET updated_at = excluded.updated_at");
    conv.bindValue(0, e.sessionId);
    conv.bindValue(1, e.userId);
    conv.bindValue(2, title.isEmpty() ? QStringLiteral("(untitled)") : title);
    conv.bindValue(3, now);
    conv.bindValue(4, now);
    if (!conv.exec())
        return failed(conv);
    const QString meta = QString::fromUtf8(QJsonDocument(e.meta).toJson(QJsonDocument::Compact));
    QSqlQuery &msg = c->statement(InsertMessage,
                                  "INSERT INTO messages(conversation_id, role, content, created_at,"
                                  " request_id, meta) VALUES(?, ?, ?, ?, ?, ?)");
    for (int i = 0; i < 2; ++i) {
        msg.bindValue(0, e.sessionId);
        msg.bindValue(1, i == 0 ? QStringLiteral("user") : QStringLiteral("assistant"));
        msg.bindValue(2, i == 0 ? e.userMessage : e.assistantMessage);
        msg.bindValue(3, now + i);
        msg.bindValue(4, qint64(e.requestId));
        msg.bindValue(5, i == 0 ? QString() : meta);
        if (!msg.exec())
            return failed(msg);
    }
    return true;
}

bool HistoryStore::insertAuditRow(const QString &userId, quint64 requestId, int index, QString *error)
{
    Connection *c = connection(error);
    if (!c)
        return false;
    QSqlQuery &q = c->statement(InsertAudit,
                                "INSERT INTO audit_log(user_id, request_id, item, created_at) VALUES(?, ?, ?, ?)");
    q.bindValue(0, userId);
    q.bindValue(1, qint64(requestId));
    q.bindValue(2, index);
    q.bindValue(3, nowMs());
    if (!q.exec()) {
        if (error)
            *error = sqlError(q);
        return false;
    }
    return true;
}

QList<ConversationInfo> HistoryStore::conversations(const QString &userId, int limit, QString *error)
{
    QList<ConversationInfo> out;
    Connection *c = connection(error);
    if (!c)
        return out;
    QSqlQuery q(c->db());
    const QString base = QStringLiteral(
            "SELECT c.id, c.user_id, c.title, c.created_at, c.updated_at,"
            " (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id)"
            " FROM conversations c %1 ORDER BY c.updated_at DESC LIMIT ?");
    q.prepare(base.arg(userId.isEmpty() ? QString() : QStringLiteral("WHERE c.user_id = ?")));
    if (!userId.isEmpty())
        q.addBindValue(userId);
    q.addBindValue(limit);
    if (!q.exec()) {
        if (error)
            *error = sqlError(q);
        return out;
    }
    while (q.next()) {
        out.append({q.value(0).toString(), q.value(1).toString(), q.value(2).toString(),
                    q.value(3).toLongLong(), q.value(4).toLongLong(), q.value(5).toInt()});
    }
    return out;
}

std::optional<ConversationInfo> HistoryStore::conversation(const QString &id, QString *error)
{
    Connection *c = connection(error);
    if (!c)
        return std::nullopt;
    QSqlQuery q(c->db());
    q.prepare(QStringLiteral("SELECT c.id, c.user_id, c.title, c.created_at, c.updated_at,"
                             " (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id)"
                             " FROM conversations c WHERE c.id = ?"));
    q.addBindValue(id);
    if (!q.exec() || !q.next()) {
        if (error)
            *error = q.lastError().isValid() ? sqlError(q) : QString();
        return std::nullopt;
    }
    return ConversationInfo{q.value(0).toString(), q.value(1).toString(), q.value(2).toString(),
                            q.value(3).toLongLong(), q.value(4).toLongLong(), q.value(5).toInt()};
}

QList<StoredMessage> HistoryStore::messages(const QString &conversationId, QString *error)
{
    QList<StoredMessage> out;
    Connection *c = connection(error);
    if (!c)
        return out;
    QSqlQuery q(c->db());
    q.prepare(QStringLiteral("SELECT id, role, content, created_at, request_id, meta FROM messages"
                             " WHERE conversation_id = ? ORDER BY id"));
    q.addBindValue(conversationId);
    if (!q.exec()) {
        if (error)
            *error = sqlError(q);
        return out;
    }
    while (q.next()) {
        StoredMessage m;
        m.id = q.value(0).toLongLong();
        m.role = q.value(1).toString();
        m.content = q.value(2).toString();
        m.createdMs = q.value(3).toLongLong();
        m.requestId = quint64(q.value(4).toLongLong());
        m.meta = QJsonDocument::fromJson(q.value(5).toString().toUtf8()).object();
        out.append(m);
    }
    return out;
}

bool HistoryStore::createConversation(const QString &id, const QString &userId, const QString &title,
                                      QString *error)
{
    Connection *c = connection(error);
    if (!c)
        return false;
    QSqlQuery q(c->db());
    q.prepare(QStringLiteral("INSERT INTO conversations(id, user_id, title, created_at, updated_at)"
                             " VALUES(?, ?, ?, ?, ?)"));
    const qint64 now = nowMs();
    q.addBindValue(id);
    q.addBindValue(userId);
    q.addBindValue(title);
    q.addBindValue(now);
    q.addBindValue(now);
    if (!q.exec()) {
        if (error)
            *error = sqlError(q);
        return false;
    }
    return true;
}

bool HistoryStore::renameConversation(const QString &id, const QString &title, QString *error)
{
    Connection *c = connection(error);
    if (!c)
        return false;
    QSqlQuery q(c->db());
    q.prepare(QStringLiteral("UPDATE conversations SET title = ? WHERE id = ?"));
    q.addBindValue(title);
    q.addBindValue(id);
    if (!q.exec()) {
        if (error)
            *error = sqlError(q);
        return false;
    }
    return q.numRowsAffected() > 0;
}

bool HistoryStore::deleteConversation(const QString &id, QString *error)
{
    Connection *c = connection(error);
    if (!c)
        return false;
    QSqlQuery q(c->db());
    q.prepare(QStringLiteral("DELETE FROM conversations WHERE id = ?"));
    q.addBindValue(id);
    if (!q.exec()) {
        if (error)
            *error = sqlError(q);
        return false;
    }
    return q.numRowsAffected() > 0;
}

qint64 HistoryStore::messageCount(QString *error)
{
    Connection *c = connection(error);
    if (!c)
        return -1;
    QSqlQuery q(c->db());
    if (!q.exec(QStringLiteral("SELECT COUNT(*) FROM messages")) || !q.next()) {
        if (error)
            *error = sqlError(q);
        return -1;
    }
    return q.value(0).toLongLong();
}
