#include "historywriter.h"

#include "base/plaintext.h"
#include "storage/historycache.h"
#include "storage/historyconnection.h"
#include "storage/searchindex.h"

#include <QDateTime>
#include <QJsonDocument>
#include <algorithm>
#include <pthread.h>

using namespace HistoryStatement;

namespace {

const QString kUser = QStringLiteral("user");
const QString kAssistant = QStringLiteral("assistant");

} // namespace

void HistoryStore::Writer::run()
{
    pthread_setname_np(pthread_self(), "history-writer");
    std::vector<Pending> batch;
    for (;;) {
        batch.clear();
        bool quiet = false;
        {
            std::unique_lock lock(m_mutex);
            m_idle = true;
            const auto work = [this] { return m_stopping || !m_queue.empty(); };
            if (m_tail && !m_indexingHeld)
                quiet = !m_wake.wait_for(lock, QuietBeforeIndexing, work) && !m_indexingHeld;
            else
                m_wake.wait(lock, [&] { return work() || (m_tail && !m_indexingHeld); });
            m_idle = false;
            if (m_queue.empty() && m_stopping)
                break; // nothing left
            const size_t n = std::min<size_t>(m_queue.size(), 512);
            for (size_t i = 0; i < n; ++i) {
                batch.push_back(std::move(m_queue.front()));
                m_queue.pop_front();
            }
        }
        if (quiet) {
            indexWhileIdle();
            continue;
        }
        if (batch.empty())
            continue; // indexing was let go: wait for the quiet moment
        HistoryCache *cache = m_store->m_cache.get();
        for (const Pending &p : batch)
            cache->committing(p.exchange.sessionId);
        std::vector<QString> results = commit(batch);
        tellCache(batch, results); // before anyone waiting resumes: read-your-writes
        for (const Pending &p : batch)
            cache->committed(p.exchange.sessionId);
        complete(batch, results);
        for (size_t i = 0; i < batch.size(); ++i) {
            if (results[i].isEmpty() && !batch[i].exchange.sessionId.isEmpty())
                m_unindexed += batch[i].exchange.regenerate ? 1 : 2;
        }
        m_tail = m_tail || m_unindexed > 0;
        // Under steady load the writer is never idle for long: past the tail's limit a batch is
        // indexed after each commit (after the exchanges above were handed back), so the tail a
        // search scans stays bounded.
        if (m_unindexed >= SearchIndex::TailLimit && indexingAllowed()) {
            if (Connection *c = m_store->connection(nullptr); c && SearchIndex::indexBatch(*c) >= 0)
                m_unindexed = std::max(0, m_unindexed - SearchIndex::BatchMessages);
        }
    }
}

bool HistoryStore::Writer::indexingAllowed()
{
    std::lock_guard lock(m_mutex);
    return !m_indexingHeld;
}

// Indexes the tail a batch at a time until it is done or exchanges are waiting.
void HistoryStore::Writer::indexWhileIdle()
{
    Connection *c = m_store->connection(nullptr);
    if (!c)
        return;
    for (;;) {
        const int moved = SearchIndex::indexBatch(*c);
        if (moved == 0) {
            m_tail = false;
            m_unindexed = 0;
        }
        if (moved <= 0)
            return; // done, or failed: tried again at the next quiet moment
        std::lock_guard lock(m_mutex);
        if (m_stopping || m_indexingHeld || !m_queue.empty())
            return;
    }
}

void HistoryStore::Writer::tellCache(const std::vector<Pending> &batch, const std::vector<QString> &results)
{
    HistoryCache *cache = m_store->m_cache.get();
    for (size_t i = 0; i < batch.size(); ++i) {
        const Exchange &e = batch[i].exchange;
        if (e.sessionId.isEmpty())
            continue;
        if (results[i].isEmpty() && !e.regenerate && e.truncateFrom <= 0 && !e.settings)
            cache->appended(e);
        else
            cache->drop(e.sessionId); // rewound, resettled, or not stored: read it again
    }
}

void HistoryStore::Writer::complete(std::vector<Pending> &batch, std::vector<QString> &results)
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

std::vector<QString> HistoryStore::Writer::commit(std::vector<Pending> &batch)
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
            // Optimistic first: the whole batch in the transaction, no savepoint per exchange
            // (each savepoint and release costs WAL writes). If any exchange fails, nothing of
            // this attempt is kept and the batch is written again with a savepoint around each
            // exchange, so one bad exchange still fails alone.
            BatchRows rows;
            rows.now = QDateTime::currentMSecsSinceEpoch();
            bool clean = true;
            for (size_t i = 0; clean && i < batch.size(); ++i)
                clean = writeExchange(c, batch[i].exchange, &rows, nullptr);
            if (!clean) {
                c->statement(Rollback, "ROLLBACK").run();
                rows.requests.clear();
                rows.owners.clear();
                if (!c->statement(Begin, "BEGIN IMMEDIATE").run())
                    error = c->lastError();
                else
                    writeEach(c, batch, &rows, &results);
            }
            if (error.isEmpty() && !writeUsers(c, rows)) {
                error = c->lastError();
                c->statement(Rollback, "ROLLBACK").run();
            } else if (error.isEmpty() && !c->statement(Commit, "COMMIT").run()) {
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

void HistoryStore::Writer::writeEach(Connection *c, std::vector<Pending> &batch, BatchRows *rows,
                                     std::vector<QString> *results)
{
    for (size_t i = 0; i < batch.size(); ++i) {
        c->statement(Savepoint, "SAVEPOINT exchange").run();
        QString e;
        if (writeExchange(c, batch[i].exchange, rows, &e)) {
            c->statement(Release, "RELEASE exchange").run();
        } else {
            (*results)[i] = e.isEmpty() ? QStringLiteral("write failed") : e;
            c->statement(RollbackTo, "ROLLBACK TO exchange").run();
            c->statement(Release, "RELEASE exchange").run();
        }
    }
}

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

bool HistoryStore::Writer::writeUsers(Connection *c, const BatchRows &rows)
{
    SqliteStatement &user
        = c->statement(UpsertUser,
                       "INSERT INTO users(user_id, created_at, requests) VALUES(?, ?, ?)"
                       " ON CONFLICT(user_id) DO UPDATE SET requests = requests + excluded.requests");
    for (auto it = rows.requests.cbegin(); it != rows.requests.cend(); ++it) {
        StatementScope scope(user);
        user.bind(1, it.key());
        user.bind(2, rows.now);
        user.bind(3, it.value());
        if (!user.run())
            return false;
    }
    return true;
}

bool HistoryStore::Writer::writeExchange(Connection *c, const Exchange &e, BatchRows *rows, QString *error)
{
    if (e.sessionId.isEmpty())
        return true; // an empty exchange only starts the writer
    auto failed = [&] {
        if (error)
            *error = c->lastError();
        return false;
    };
    const qint64 now = rows->now;
    const auto touched = rows->owners.constFind(e.sessionId);
    if (touched != rows->owners.cend() && *touched != e.userId) {
        if (error)
            *error = HistoryStore::ForeignSession; // started or touched by its owner in this batch
        return false;
    }
    if (touched == rows->owners.cend()) {
        // A conversation belongs to the user who started it: only that user's exchange touches
        // it. The usual case, a turn of the user's own conversation, is one UPDATE; the title
        // (markdown to plain text, the one regular-expression pass of a save) is made only for a
        // conversation that does not exist yet.
        SqliteStatement &touch = c->statement(
            TouchConversation, "UPDATE conversations SET updated_at = ? WHERE id = ? AND user_id = ?");
        StatementScope touchScope(touch);
        touch.bind(1, now);
        touch.bind(2, e.sessionId);
        touch.bind(3, e.userId);
        if (!touch.run())
            return failed();
        if (c->changes() == 0) {
            QString title = clip(markdownToPlainText(e.userMessage).simplified(), 60);
            if (title.isEmpty())
                title = QStringLiteral("(untitled)");
            SqliteStatement &conv
                = c->statement(UpsertConversation,
                               "INSERT INTO conversations(id, user_id, title, created_at, updated_at)"
                               " VALUES(?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING");
            StatementScope scope(conv);
            conv.bind(1, e.sessionId);
            conv.bind(2, e.userId);
            conv.bind(3, title);
            conv.bind(4, now);
            conv.bind(5, now);
            if (!conv.run())
                return failed();
            if (c->changes() == 0) { // it exists: someone else's
                if (error)
                    *error = HistoryStore::ForeignSession;
                return false;
            }
        }
    }
    if (e.settings) {
        const auto q = c->prepare(QStringLiteral("UPDATE conversations SET settings = ?1 WHERE id = ?2"));
        const QString json = e.settings->isEmpty()
            ? QString()
            : QString::fromUtf8(QJsonDocument(e.settings->toJson()).toJson(QJsonDocument::Compact));
        if (json.isEmpty())
            q->bindNull(1);
        else
            q->bind(1, json);
        q->bind(2, e.sessionId);
        if (!q->run())
            return failed();
    }
    if (e.truncateFrom > 0) {
        // Edit and resend: the edited message and everything after it make way for the new
        // exchange (KeepsReplacedMessages: they are not kept).
        const auto q
            = c->prepare(QStringLiteral("DELETE FROM messages WHERE conversation_id = ?1 AND id >= ?2"));
        q->bind(1, e.sessionId);
        q->bind(2, e.truncateFrom);
        if (!q->run())
            return failed();
    }
    qint64 group = 0;
    if (e.regenerate) {
        // The answers to the last user message become alternatives of the new one: the first
        // answer names the group, only the newest is active.
        const auto last = c->prepare(QStringLiteral(
            "SELECT id, alt_of FROM messages WHERE conversation_id = ?1 AND role = 'assistant' AND id >"
            " (SELECT MAX(id) FROM messages WHERE conversation_id = ?1 AND role = 'user' AND active = 1)"
            " ORDER BY id LIMIT 1"));
        last->bind(1, e.sessionId);
        if (last->next()) {
            group = last->isNull(1) ? last->integer(0) : last->integer(1);
        } else if (!last->done()) {
            return failed();
        }
        last->reset();
        if (group > 0) {
            const auto q = c->prepare(QStringLiteral(
                "UPDATE messages SET active = 0, alt_of = ?2 WHERE conversation_id = ?1 AND role = "
                "'assistant'"
                " AND id > (SELECT MAX(id) FROM messages WHERE conversation_id = ?1 AND role = 'user'"
                " AND active = 1)"));
            q->bind(1, e.sessionId);
            q->bind(2, group);
            if (!q->run())
                return failed();
        }
    }
    const QString meta = e.meta.isEmpty()
        ? QString()
        : QString::fromUtf8(QJsonDocument(e.meta).toJson(QJsonDocument::Compact));
    SqliteStatement &msg = c->statement(InsertMessage,
                                        "INSERT INTO messages(conversation_id, role, content, created_at,"
                                        " request_id, meta, alt_of) VALUES(?, ?, ?, ?, ?, ?, ?)");
    for (int i = e.regenerate ? 1 : 0; i < 2; ++i) {
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
        if (i == 1 && group > 0)
            msg.bind(7, group);
        else
            msg.bindNull(7);
        if (!msg.run())
            return failed();
    }
    // Booked only once the whole exchange is written: a failed one is rolled back, rows and all.
    ++rows->requests[e.userId];
    rows->owners.insert(e.sessionId, e.userId);
    return true;
}
