#include "historystore.h"

#include "storage/historycache.h"
#include "storage/historyconnection.h"
#include "storage/historyschema.h"
#include "storage/historywriter.h"
#include "storage/searchindex.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QJsonDocument>
#include <QStandardPaths>
#include <atomic>
#include <limits>

using namespace HistoryStatement;

namespace {

std::atomic<quint64> g_nextStoreId { 1 };

} // namespace

const QString HistoryStore::ForeignSession = QStringLiteral("session_not_found");

// Every thread that reads gets its own connection (SQLite connections are single-threaded here),
// owned by a thread_local table, so a pool thread that expires closes its connections itself.
namespace {
struct ThreadConnections
{
    QHash<quint64, HistoryStore::Connection *> byStore;
    ~ThreadConnections() { qDeleteAll(byStore); }
};
thread_local ThreadConnections t_connections;
} // namespace

HistoryStore::HistoryStore(QString path)
    : m_path(std::move(path))
    , m_storeId(g_nextStoreId.fetch_add(1))
    , m_cache(std::make_unique<HistoryCache>())
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
        if (!fresh->open(m_path, &why) || !SearchIndex::registerFunctions(*fresh, &why)) {
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
    if (!c || !HistorySchema::apply(*c, error))
        return false;
    if (SearchIndex::hasTail(*c))
        writer(); // a previous run left messages unindexed: the writer indexes them when idle
    return true;
}

std::optional<UserContext> HistoryStore::loadContext(const QString &userId, const QString &sessionId,
                                                     int maxMessages, QString *error,
                                                     const HistoryRewind &rewind)
{
    if (rewind.lastTurn || rewind.fromMessageId > 0)
        return readContext(userId, sessionId, maxMessages, error, rewind);
    if (auto hit = m_cache->lookup(userId, sessionId, maxMessages))
        return hit;
    const quint64 ticket = m_cache->begin(userId, sessionId);
    auto read = readContext(userId, sessionId, maxMessages, error, rewind);
    if (read)
        m_cache->fill(ticket, *read, maxMessages);
    return read;
}

std::optional<UserContext> HistoryStore::readContext(const QString &userId, const QString &sessionId,
                                                     int maxMessages, QString *error,
                                                     const HistoryRewind &rewind)
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
        SqliteStatement &owner
            = c->statement(LoadOwner, "SELECT user_id, settings FROM conversations WHERE id = ?");
        StatementScope scope(owner);
        owner.bind(1, sessionId);
        if (owner.next()) {
            ctx.sessionExists = true;
            ctx.sessionOwner = owner.text(0);
            if (!owner.isNull(1) && ctx.sessionOwner == userId)
                ConversationSettings::fromJson(QJsonDocument::fromJson(owner.text(1).toUtf8()).object(),
                                               &ctx.settings);
        } else if (!owner.done()) {
            return failed();
        }
    }
    const bool own = ctx.sessionExists && ctx.sessionOwner == userId;
    qint64 cut = std::numeric_limits<qint64>::max();
    if (rewind.lastTurn || rewind.fromMessageId > 0) {
        if (!own) {
            ctx.rewindError
                = QStringLiteral("there is no stored conversation %1 to answer again").arg(sessionId);
            return ctx;
        }
        const auto q = rewind.lastTurn
            ? c->prepare(QStringLiteral("SELECT id, content, role FROM messages WHERE conversation_id = ?1"
                                        " AND role = 'user' AND active = 1 ORDER BY id DESC LIMIT 1"))
            : c->prepare(QStringLiteral("SELECT id, content, role FROM messages WHERE conversation_id = ?1"
                                        " AND id = ?2"));
        q->bind(1, sessionId);
        if (!rewind.lastTurn)
            q->bind(2, rewind.fromMessageId);
        const bool row = q->next();
        if (!row && !q->done())
            return failed();
        if (!row || q->text(2) != QLatin1String("user")) {
            ctx.rewindError = rewind.lastTurn
                ? QStringLiteral("the conversation has no message to answer again")
                : QStringLiteral("message %1 is not a user message of this conversation")
                      .arg(rewind.fromMessageId);
            return ctx;
        }
        cut = q->integer(0);
        ctx.resentMessage = q->text(1);
    }
    if (maxMessages > 0 && own) {
        // Regenerated answers are kept, but only the active one is the conversation's context.
        SqliteStatement &q = c->statement(LoadHistory,
                                          "SELECT role, content FROM (SELECT id, role, content FROM messages"
                                          " WHERE conversation_id = ? AND active = 1 AND id < ?"
                                          " ORDER BY id DESC LIMIT ?) ORDER BY id");
        StatementScope scope(q);
        q.bind(1, sessionId);
        q.bind(2, cut);
        q.bind(3, qint64(maxMessages));
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

void HistoryStore::holdSearchIndexingForTesting(bool held)
{
    writer()->holdIndexing(held);
}

qint64 HistoryStore::searchIndexedTo(QString *error)
{
    Connection *c = connection(error);
    return c ? SearchIndex::indexedTo(*c, error) : -1;
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
    q.bind(4, QDateTime::currentMSecsSinceEpoch());
    if (!q.run()) {
        if (error)
            *error = c->lastError();
        return false;
    }
    return true;
}
