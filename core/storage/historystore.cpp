#include "historystore.h"

#include "storage/sqlitedb.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QJsonDocument>
#include <QStandardPaths>
#include <QThread>
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <pthread.h>
#include <thread>

namespace {

std::atomic<quint64> g_nextStoreId { 1 };

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

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

// The hot statements, prepared once per connection (parsing SQL again for each request costs
// more than running it).
enum Statement {
    LoadUser,
    LoadOwner,
    LoadHistory,
    UpsertUser,
    UpsertConversation,
    InsertMessage,
    InsertAudit,
    Begin,
    BeginRead,
    Commit,
    Rollback,
    Savepoint,
    Release,
    RollbackTo,
};

const QString kUser = QStringLiteral("user");
const QString kAssistant = QStringLiteral("assistant");

} // namespace

const QString HistoryStore::ForeignSession = QStringLiteral("session_not_found");

// Every thread that reads gets its own connection (SQLite connections are single-threaded here),
// owned by a thread_local table, so a pool thread that expires closes its connections itself.
class HistoryStore::Connection : public SqliteDb
{
};

namespace {
struct ThreadConnections
{
    QHash<quint64, HistoryStore::Connection *> byStore;
    ~ThreadConnections() { qDeleteAll(byStore); }
};
thread_local ThreadConnections t_connections;
} // namespace

// What the writer is handed: one exchange, and who waits for it (a coroutine on an event loop,
// or a blocked thread).
struct SyncWait
{
    std::mutex mutex;
    std::condition_variable cv;
    bool done = false;
    QString result;
};

struct HistoryStore::Pending
{
    Exchange exchange;
    std::coroutine_handle<> handle;
    QString *result = nullptr;
    std::shared_ptr<LoopBatch> loop; // with handle
    SyncWait *sync = nullptr; // or this
};

// One event loop's side of the batched save path; lives in (and is only called on) that loop's
// thread, except completed(), which the writer calls.
//  - Saves made during one pass of the loop are collected and handed to the writer together by
//    one queued call (one lock and at most one wake-up for all of them).
//  - The writer hands back all of a commit's completions for this loop at once; one queued call
//    resumes every waiting coroutine.
class HistoryStore::LoopBatch : public QObject
{
public:
    struct Done
    {
        std::coroutine_handle<> handle;
        QString *result;
        QString value;
    };

    static std::shared_ptr<LoopBatch> forThisThread()
    {
        thread_local std::shared_ptr<LoopBatch> batch(new LoopBatch, [](LoopBatch *b) {
            if (QThread::currentThread() == b->thread())
                delete b;
            else
                b->deleteLater();
        });
        return batch;
    }

    void add(Writer *writer, Pending pending)
    {
        if (m_outgoing.empty())
            QMetaObject::invokeMethod(this, &LoopBatch::flush, Qt::QueuedConnection);
        m_outgoing.emplace_back(writer, std::move(pending));
    }

    void completed(std::vector<Done> &&done)
    {
        bool post = false;
        {
            std::lock_guard lock(m_mutex);
            post = m_done.empty();
            if (post)
                m_done = std::move(done);
            else
                std::move(done.begin(), done.end(), std::back_inserter(m_done));
        }
        if (post)
            QMetaObject::invokeMethod(this, &LoopBatch::resumeAll, Qt::QueuedConnection);
    }

private:
    void flush();
    void resumeAll()
    {
        std::vector<Done> done;
        {
            std::lock_guard lock(m_mutex);
            done.swap(m_done);
        }
        for (Done &d : done) {
            *d.result = std::move(d.value);
            d.handle.resume();
        }
    }

    std::vector<std::pair<Writer *, Pending>> m_outgoing;
    std::mutex m_mutex;
    std::vector<Done> m_done;
};

// The writer thread of the group commit (see the class comment).
class HistoryStore::Writer
{
public:
    explicit Writer(HistoryStore *store)
        : m_store(store)
        , m_thread([this] { run(); })
    { }
    ~Writer()
    {
        {
            std::lock_guard lock(m_mutex);
            m_stopping = true;
        }
        m_wake.notify_one();
        m_thread.join();
    }

    template<typename It> void submit(It first, It last)
    {
        bool wake = false;
        {
            std::lock_guard lock(m_mutex);
            for (It it = first; it != last; ++it)
                m_queue.push_back(std::move(*it));
            wake = m_idle; // a busy writer takes them with its next batch: no wake-up needed
        }
        if (wake)
            m_wake.notify_one();
    }

    std::atomic<int> pageLimit { 0 };

private:
    void run()
    {
        pthread_setname_np(pthread_self(), "history-writer");
        std::vector<Pending> batch;
        for (;;) {
            batch.clear();
            {
                std::unique_lock lock(m_mutex);
                m_idle = true;
                m_wake.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
                m_idle = false;
                if (m_queue.empty())
                    break; // stopping, nothing left
                const size_t n = std::min<size_t>(m_queue.size(), 512);
                for (size_t i = 0; i < n; ++i) {
                    batch.push_back(std::move(m_queue.front()));
                    m_queue.pop_front();
                }
            }
            std::vector<QString> results = commit(batch);
            complete(batch, results);
        }
    }

    static void complete(std::vector<Pending> &batch, std::vector<QString> &results)
    {
        // Usually one or two loops wait on a batch: group their completions per loop.
        std::vector<std::pair<LoopBatch *, std::vector<LoopBatch::Done>>> perLoop;
        for (size_t i = 0; i < batch.size(); ++i) {
            Pending &p = batch[i];
            if (p.sync) {
                std::lock_guard lock(p.sync->mutex);
                p.sync->result = std::move(results[i]);
                p.sync->done = true;
                p.sync->cv.notify_one();
                continue;
            }
            if (!p.loop)
                continue;
            auto it = std::find_if(perLoop.begin(), perLoop.end(),
                                   [&](const auto &entry) { return entry.first == p.loop.get(); });
            if (it == perLoop.end())
                it = perLoop.insert(perLoop.end(), { p.loop.get(), {} });
            it->second.push_back({ p.handle, p.result, std::move(results[i]) });
        }
        for (auto &[loop, done] : perLoop)
            loop->completed(std::move(done));
    }

    std::vector<QString> commit(std::vector<Pending> &batch)
    {
        QString error;
        Connection *c = m_store->connection(&error);
        if (c && pageLimit.load() > 0) {
            c->exec(QStringLiteral("PRAGMA max_page_count=%1").arg(pageLimit.load()).toUtf8().constData());
            pageLimit.store(0);
        }
        std::vector<QString> results(batch.size());
        if (c) {
            if (!c->statement(Begin, "BEGIN IMMEDIATE").run()) {
                error = c->lastError();
            } else {
                for (size_t i = 0; i < batch.size(); ++i) {
                    c->statement(Savepoint, "SAVEPOINT exchange").run();
                    QString e;
                    if (writeExchange(c, batch[i].exchange, &e)) {
                        c->statement(Release, "RELEASE exchange").run();
                    } else {
                        results[i] = e.isEmpty() ? QStringLiteral("write failed") : e;
                        c->statement(RollbackTo, "ROLLBACK TO exchange").run();
                        c->statement(Release, "RELEASE exchange").run();
                    }
                }
                if (!c->statement(Commit, "COMMIT").run()) {
                    // Some errors (SQLITE_FULL, I/O) make SQLite roll the whole transaction back
                    // by itself; then nothing of this batch was stored. Name the first real cause.
                    error = c->lastError();
                    for (const QString &r : results) {
                        if (!r.isEmpty() && r != HistoryStore::ForeignSession) {
                            error = r;
                            break;
                        }
                    }
                    c->statement(Rollback, "ROLLBACK").run();
                }
            }
        }
        if (!error.isEmpty()) {
            for (QString &r : results) {
                if (r.isEmpty())
                    r = error;
            }
        }
        return results;
    }

    static bool writeExchange(Connection *c, const Exchange &e, QString *error);

    HistoryStore *m_store;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<Pending> m_queue;
    bool m_stopping = false;
    bool m_idle = false;
    std::thread m_thread; // last: starts once everything above exists
};

void HistoryStore::LoopBatch::flush()
{
    std::vector<std::pair<Writer *, Pending>> items;
    items.swap(m_outgoing);
    // Almost always one store: each store's share goes over in one go.
    std::vector<Pending> share;
    while (!items.empty()) {
        Writer *w = items.front().first;
        const auto rest = std::stable_partition(items.begin(), items.end(),
                                                [w](const auto &item) { return item.first == w; });
        share.clear();
        for (auto it = items.begin(); it != rest; ++it)
            share.push_back(std::move(it->second));
        items.erase(items.begin(), rest);
        w->submit(share.begin(), share.end());
    }
}

void HistoryStore::SaveAwaiter::await_suspend(std::coroutine_handle<> handle)
{
    Pending p;
    p.exchange = std::move(m_exchange);
    p.handle = handle;
    p.result = &m_result;
    p.loop = LoopBatch::forThisThread();
    p.loop->add(m_store->writer(), std::move(p));
}

HistoryStore::HistoryStore(QString path)
    : m_path(std::move(path))
    , m_storeId(g_nextStoreId.fetch_add(1))
{ }

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
        auto fresh = std::make_unique<Connection>();
        QString why;
        if (!fresh->open(m_path, &why)) {
            if (error)
                *error = QStringLiteral("cannot open history database %1: %2").arg(m_path, why);
            t_connections.byStore.remove(m_storeId);
            return nullptr;
        }
        c = fresh.release();
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
    // A new database keeps its text as UTF-16, QString's own encoding: the history read on every
    // request then copies text instead of converting it (an existing file keeps its encoding).
    if (!c->exec("PRAGMA encoding = 'UTF-16le'", error))
        return false;
    for (const char *statement : kSchema) {
        if (!c->exec(statement, error))
            return false;
    }
    return true;
}

std::optional<UserContext> HistoryStore::loadContext(const QString &userId, const QString &sessionId,
                                                     int maxMessages, QString *error)
{
    Connection *c = connection(error);
    if (!c)
        return std::nullopt;
    auto failed = [&] {
        if (error)
            *error = c->lastError();
        return std::nullopt;
    };
    UserContext ctx;
    ctx.userId = userId;
    ctx.sessionId = sessionId;
    // One read transaction for the three lookups: each transaction takes and drops SQLite's file
    // and WAL locks (fcntl system calls), which cost more here than the lookups themselves.
    if (!c->statement(BeginRead, "BEGIN").run())
        return failed();
    struct EndRead
    {
        Connection *c;
        ~EndRead() { c->statement(Commit, "COMMIT").run(); }
    } endRead { c };
    {
        SqliteStatement &user = c->statement(LoadUser, "SELECT requests FROM users WHERE user_id = ?");
        StatementScope scope(user);
        user.bind(1, userId);
        ctx.knownUser = user.next();
        if (!ctx.knownUser && !user.done())
            return failed();
    }
    if (sessionId.isEmpty())
        return ctx;
    {
        SqliteStatement &owner = c->statement(LoadOwner, "SELECT user_id FROM conversations WHERE id = ?");
        StatementScope scope(owner);
        owner.bind(1, sessionId);
        if (owner.next()) {
            ctx.sessionExists = true;
            ctx.sessionOwner = owner.text(0);
        } else if (!owner.done()) {
            return failed();
        }
    }
    if (maxMessages > 0 && ctx.sessionExists && ctx.sessionOwner == userId) {
        SqliteStatement &q = c->statement(LoadHistory,
                                          "SELECT role, content FROM (SELECT id, role, content FROM messages"
                                          " WHERE conversation_id = ? ORDER BY id DESC LIMIT ?) ORDER BY id");
        StatementScope scope(q);
        q.bind(1, sessionId);
        q.bind(2, qint64(maxMessages));
        ctx.history.reserve(maxMessages);
        while (q.next())
            ctx.history.append({ q.text(0), q.text(1) });
        if (!q.done())
            return failed();
    }
    return ctx;
}

HistoryStore::Writer *HistoryStore::writer()
{
    std::call_once(m_writerStarted, [this] { m_writer = std::make_unique<Writer>(this); });
    return m_writer.get();
}

bool HistoryStore::saveExchange(const Exchange &e, QString *error)
{
    SyncWait wait;
    Pending p;
    p.exchange = e;
    p.sync = &wait;
    writer()->submit(&p, &p + 1);
    std::unique_lock lock(wait.mutex);
    wait.cv.wait(lock, [&] { return wait.done; });
    if (!wait.result.isEmpty() && error)
        *error = wait.result;
    return wait.result.isEmpty();
}

void HistoryStore::setPageLimitForTesting(int pages)
{
    saveExchange(Exchange {}); // make sure the writer exists and is idle
    m_writer->pageLimit.store(pages);
}

bool HistoryStore::Writer::writeExchange(Connection *c, const Exchange &e, QString *error)
{
    if (e.sessionId.isEmpty())
        return true; // an empty exchange only starts the writer
    auto failed = [&] {
        if (error)
            *error = c->lastError();
        return false;
    };
    const qint64 now = nowMs();
    {
        SqliteStatement &user
            = c->statement(UpsertUser,
                           "INSERT INTO users(user_id, created_at, requests) VALUES(?, ?, 1)"
                           " ON CONFLICT(user_id) DO UPDATE SET requests = requests + 1");
        StatementScope scope(user);
        user.bind(1, e.userId);
        user.bind(2, now);
        if (!user.run())
            return failed();
    }
    {
        // A conversation belongs to the user who started it: the upsert touches it only for that
        // user, so a request naming someone else's session changes no row and stores nothing.
        QString title = clip(e.userMessage.simplified(), 60);
        if (title.isEmpty())
            title = QStringLiteral("(untitled)");
        SqliteStatement &conv
            = c->statement(UpsertConversation,
                           "INSERT INTO conversations(id, user_id, title, created_at, updated_at)"
                           " VALUES(?, ?, ?, ?, ?)"
                           " ON CONFLICT(id) DO UPDATE SET updated_at = excluded.updated_at"
                           " WHERE conversations.user_id = excluded.user_id");
        StatementScope scope(conv);
        conv.bind(1, e.sessionId);
        conv.bind(2, e.userId);
        conv.bind(3, title);
        conv.bind(4, now);
        conv.bind(5, now);
        if (!conv.run())
            return failed();
        if (c->changes() == 0) {
            if (error)
                *error = HistoryStore::ForeignSession;
            return false;
        }
    }
    const QString meta = e.meta.isEmpty()
        ? QString()
        : QString::fromUtf8(QJsonDocument(e.meta).toJson(QJsonDocument::Compact));
    SqliteStatement &msg = c->statement(InsertMessage,
                                        "INSERT INTO messages(conversation_id, role, content, created_at,"
                                        " request_id, meta) VALUES(?, ?, ?, ?, ?, ?)");
    for (int i = 0; i < 2; ++i) {
        StatementScope scope(msg);
        msg.bind(1, e.sessionId);
        msg.bind(2, i == 0 ? kUser : kAssistant);
        msg.bind(3, i == 0 ? e.userMessage : e.assistantMessage);
        msg.bind(4, now + i);
        msg.bind(5, qint64(e.requestId));
        if (i == 0 || meta.isEmpty())
            msg.bindNull(6);
        else
            msg.bind(6, meta);
        if (!msg.run())
            return failed();
    }
    return true;
}

bool HistoryStore::insertAuditRow(const QString &userId, quint64 requestId, int index, QString *error)
{
    Connection *c = connection(error);
    if (!c)
        return false;
    SqliteStatement &q = c->statement(
        InsertAudit, "INSERT INTO audit_log(user_id, request_id, item, created_at) VALUES(?, ?, ?, ?)");
    StatementScope scope(q);
    q.bind(1, userId);
    q.bind(2, qint64(requestId));
    q.bind(3, qint64(index));
    q.bind(4, nowMs());
    if (!q.run()) {
        if (error)
            *error = c->lastError();
        return false;
    }
    return true;
}

namespace {

ConversationInfo conversationFrom(const SqliteStatement &q)
{
    return { q.text(0), q.text(1), q.text(2), q.integer(3), q.integer(4), int(q.integer(5)) };
}

constexpr const char *kConversationColumns
    = "SELECT c.id, c.user_id, c.title, c.created_at, c.updated_at,"
      " (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id) FROM conversations c ";

} // namespace

QList<ConversationInfo> HistoryStore::conversations(const QString &userId, int limit, QString *error)
{
    QList<ConversationInfo> out;
    Connection *c = connection(error);
    if (!c)
        return out;
    const auto q = c->prepare(QLatin1String(kConversationColumns)
                              + (userId.isEmpty() ? QString() : QStringLiteral("WHERE c.user_id = ?1 "))
                              + QStringLiteral("ORDER BY c.updated_at DESC LIMIT ?2"));
    if (!userId.isEmpty())
        q->bind(1, userId);
    q->bind(2, qint64(limit));
    while (q->next())
        out.append(conversationFrom(*q));
    if (!q->done() && error)
        *error = c->lastError();
    return out;
}

std::optional<ConversationInfo> HistoryStore::conversation(const QString &id, QString *error)
{
    Connection *c = connection(error);
    if (!c)
        return std::nullopt;
    const auto q = c->prepare(QLatin1String(kConversationColumns) + QStringLiteral("WHERE c.id = ?1"));
    q->bind(1, id);
    if (q->next())
        return conversationFrom(*q);
    if (!q->done() && error)
        *error = c->lastError();
    return std::nullopt;
}

QList<StoredMessage> HistoryStore::messages(const QString &conversationId, QString *error)
{
    QList<StoredMessage> out;
    Connection *c = connection(error);
    if (!c)
        return out;
    const auto q
        = c->prepare(QStringLiteral("SELECT id, role, content, created_at, request_id, meta FROM messages"
                                    " WHERE conversation_id = ?1 ORDER BY id"));
    q->bind(1, conversationId);
    while (q->next()) {
        StoredMessage m;
        m.id = q->integer(0);
        m.role = q->text(1);
        m.content = q->text(2);
        m.createdMs = q->integer(3);
        m.requestId = quint64(q->integer(4));
        if (!q->isNull(5))
            m.meta = QJsonDocument::fromJson(q->text(5).toUtf8()).object();
        out.append(m);
    }
    if (!q->done() && error)
        *error = c->lastError();
    return out;
}

bool HistoryStore::createConversation(const QString &id, const QString &userId, const QString &title,
                                      QString *error)
{
    Connection *c = connection(error);
    if (!c)
        return false;
    const auto q
        = c->prepare(QStringLiteral("INSERT INTO conversations(id, user_id, title, created_at, updated_at)"
                                    " VALUES(?1, ?2, ?3, ?4, ?4)"));
    q->bind(1, id);
    q->bind(2, userId);
    q->bind(3, title);
    q->bind(4, nowMs());
    if (!q->run()) {
        if (error)
            *error = c->lastError();
        return false;
    }
    return true;
}

bool HistoryStore::renameConversation(const QString &id, const QString &title, QString *error)
{
    Connection *c = connection(error);
    if (!c)
        return false;
    const auto q = c->prepare(QStringLiteral("UPDATE conversations SET title = ?1 WHERE id = ?2"));
    q->bind(1, title);
    q->bind(2, id);
    if (!q->run()) {
        if (error)
            *error = c->lastError();
        return false;
    }
    return c->changes() > 0;
}

bool HistoryStore::deleteConversation(const QString &id, QString *error)
{
    Connection *c = connection(error);
    if (!c)
        return false;
    const auto q = c->prepare(QStringLiteral("DELETE FROM conversations WHERE id = ?1"));
    q->bind(1, id);
    if (!q->run()) {
        if (error)
            *error = c->lastError();
        return false;
    }
    return c->changes() > 0;
}

qint64 HistoryStore::messageCount(QString *error)
{
    Connection *c = connection(error);
    if (!c)
        return -1;
    const auto q = c->prepare(QStringLiteral("SELECT COUNT(*) FROM messages"));
    if (!q->next()) {
        if (error)
            *error = c->lastError();
        return -1;
    }
    return q->integer(0);
}
