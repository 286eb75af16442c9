#pragma once

#include "db/pgpool.h"
#include "storage/historystore.h"

#include <QString>
#include <memory>
#include <optional>

struct ServerCounters;

// One statement of the history, ready for either driver: its SQL and its parameters.
struct PgQuery
{
    const char *sql = nullptr;
    PgParams params;
};

// The conversation history on a PostgreSQL server (--db postgresql://...): the same tables and
// the same rules as the SQLite store (storage/historystore.h): users, conversations owned by the
// user who started them, messages, the audit log; an exchange is saved whole or not at all, and
// is committed (synchronous_commit) before its request is answered.
//
// The pipeline's two steps are one statement each, one round trip each, and each keeps its
// configured delay inside the database (pg_sleep in the same statement): the server, not a timer
// in LoopScope, holds the time. The pipeline runs them with the driver of its dispatch mode
// (pipeline/postgressteps.h); this class builds them and reads their results.
class PgHistory : public HistoryQueries
{
public:
    // `conninfo`: a libpq URI or connection string; `poolSize`: --db-pool.
    PgHistory(QString conninfo, int poolSize, ServerCounters *counters);

    // Connects once (at most timeoutNs), refuses a database that holds tables other than the
    // history's, and creates the schema on first use. The error is one line, without password.
    // `stop` (optional): another thread may end a connect still waiting (SocketWait::block).
    bool open(qint64 timeoutNs, QString *error, const std::stop_token &stop = {});
    // Opens the pool's connections now (asyncpg's create_pool: min_size = max_size).
    bool fillPool(qint64 timeoutNs, QString *error, const std::stop_token &stop = {});
    QString redactedConninfo() const;
    PgPool &pool() { return *m_pool; }

    // Step (1): the user, the conversation's owner and its last messages, then pg_sleep(delay).
    // With a rewind (regenerate, edit and resend) the history stops before the message answered
    // again, and readContext fills resentMessage or says why there is none (rewindError), as the
    // SQLite store's loadContext does.
    static PgQuery contextQuery(const QString &userId, const QString &sessionId, int maxMessages,
                                double delaySeconds, const HistoryRewind &rewind = {});
    static std::optional<UserContext> readContext(const PgResult &result, const QString &userId,
                                                  const QString &sessionId, QString *error,
                                                  const HistoryRewind &rewind = {});
    // Step (3): pg_sleep(delay), then the exchange in one statement (with Exchange::regenerate
    // and truncateFrom as the SQLite writer applies them). readSave: empty on success,
    // HistoryStore::ForeignSession when the session is someone else's (nothing written), else why.
    static PgQuery saveQuery(const Exchange &exchange, double delaySeconds);
    static QString readSave(const PgResult &result);
    static PgQuery auditQuery(const QString &userId, quint64 requestId, int index, double delaySeconds);

    // The conversation queries of the HTTP API and the chat window: short, indexed statements on a
    // pooled connection, run synchronously by the calling thread.
    QList<ConversationInfo> conversations(const QString &userId = QString(), int limit = 500,
                                          QString *error = nullptr) override;
    std::optional<ConversationInfo> conversation(const QString &id, QString *error = nullptr) override;
    QList<StoredMessage> messages(const QString &conversationId, QString *error = nullptr) override;
    bool createConversation(const QString &id, const QString &userId, const QString &title,
                            QString *error = nullptr) override;
    bool renameConversation(const QString &id, const QString &title, QString *error = nullptr) override;
    bool deleteConversation(const QString &id, QString *error = nullptr) override;
    bool setSettings(const QString &id, const ConversationSettings &settings,
                     QString *error = nullptr) override;
    bool activateAlternative(const QString &conversationId, qint64 messageId,
                             QString *error = nullptr) override;
    qint64 messageCount(QString *error = nullptr) override;
    // ILIKE over message text and titles (no full-text index): fine for a classroom's history.
    QList<SearchHit> search(const QString &text, const QString &userId = QString(), int limit = 50,
                            QString *error = nullptr) override;

    // How long a statement or a wait for a connection may take before the request is answered
    // 503 database_unavailable (--db-timeout).
    qint64 timeoutNs() const { return m_timeoutNs; }
    void setTimeoutNs(qint64 ns) { m_timeoutNs = ns; }

    // Errors that mean "the database is not there" (as opposed to a statement it refused) start
    // with this; the pipeline answers them 503.
    static const QString Unavailable;
    static QString describe(const PgResult &result);

private:
    PgResult run(const PgQuery &query, QString *error);

    QString m_conninfo;
    std::unique_ptr<PgPool> m_pool;
    qint64 m_timeoutNs = 10'000'000'000;
};
