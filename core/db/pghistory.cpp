#include "pghistory.h"

#include "base/traceclock.h"
#include "db/pgconninfo.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>

namespace {

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

// The SQLite store's tables (storage/historystore.cpp) in PostgreSQL's types.
const char *const kSchema[] = {
    "CREATE TABLE IF NOT EXISTS users ("
    " user_id TEXT PRIMARY KEY, created_at BIGINT NOT NULL, requests BIGINT NOT NULL DEFAULT 0)",
    "CREATE TABLE IF NOT EXISTS conversations ("
    " id TEXT PRIMARY KEY, user_id TEXT NOT NULL, title TEXT NOT NULL,"
    " created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS conversations_by_user ON conversations(user_id, updated_at)",
    "CREATE TABLE IF NOT EXISTS messages ("
    " id BIGSERIAL PRIMARY KEY,"
    " conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,"
    " role TEXT NOT NULL, content TEXT NOT NULL, created_at BIGINT NOT NULL,"
    " request_id BIGINT, meta TEXT)",
    "CREATE INDEX IF NOT EXISTS messages_by_conversation ON messages(conversation_id, id)",
    "CREATE TABLE IF NOT EXISTS audit_log ("
    " id BIGSERIAL PRIMARY KEY, user_id TEXT, request_id BIGINT, item INTEGER, created_at BIGINT NOT NULL)",
    // Added with the chat window's settings and alternative answers (a database made before
    // them gets the columns on its next start).
    "ALTER TABLE conversations ADD COLUMN IF NOT EXISTS settings TEXT",
    "ALTER TABLE messages ADD COLUMN IF NOT EXISTS active BOOLEAN NOT NULL DEFAULT true",
    "ALTER TABLE messages ADD COLUMN IF NOT EXISTS alt_of BIGINT",
};

const QSet<QString> &knownTables()
{
    static const QSet<QString> names { QStringLiteral("users"), QStringLiteral("conversations"),
                                       QStringLiteral("messages"), QStringLiteral("audit_log") };
    return names;
}

ConversationSettings settingsFrom(const PgResult &r, int row, int column)
{
    ConversationSettings settings;
    if (!r.isNull(row, column))
        ConversationSettings::fromJson(QJsonDocument::fromJson(r.text(row, column).toUtf8()).object(),
                                       &settings);
    return settings;
}

ConversationInfo conversationFrom(const PgResult &r, int row)
{
    return { r.text(row, 0),    r.text(row, 1),         r.text(row, 2),         r.integer(row, 3),
             r.integer(row, 4), int(r.integer(row, 5)), settingsFrom(r, row, 6) };
}

// Settings as stored: NULL when none is set.
void appendSettings(PgParams &params, const ConversationSettings &settings)
{
    if (settings.isEmpty())
        params.null();
    else
        params << QString::fromUtf8(QJsonDocument(settings.toJson()).toJson(QJsonDocument::Compact));
}

constexpr const char *kConversationColumns
    = "SELECT c.id, c.user_id, c.title, c.created_at, c.updated_at,"
      " (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = c.id AND m.active), c.settings"
      " FROM conversations c ";

} // namespace

const QString PgHistory::Unavailable = QStringLiteral("database_unavailable");

PgHistory::PgHistory(QString conninfo, int poolSize, ServerCounters *counters)
    : m_conninfo(std::move(conninfo))
    , m_pool(std::make_unique<PgPool>(m_conninfo.toUtf8(), poolSize, counters))
{ }

QString PgHistory::redactedConninfo() const
{
    return PgConnInfo::redacted(m_conninfo);
}

QString PgHistory::describe(const PgResult &result)
{
    if (result.ok())
        return {};
    return result.unavailable() ? QStringLiteral("%1: %2").arg(Unavailable, result.error()) : result.error();
}

bool PgHistory::open(qint64 timeoutNs, QString *error, const std::stop_token &stop)
{
    if (!PgConnInfo::check(m_conninfo, error))
        return false;
    const qint64 deadline = TraceClock::nowNs() + timeoutNs;
    PgConnection::Opened opened = PgConnection::connect(m_conninfo.toUtf8(), deadline, stop);
    if (!opened.connection) {
        *error
            = QStringLiteral("cannot connect to PostgreSQL at %1: %2").arg(redactedConninfo(), opened.error);
        return false;
    }
    PgConnection &c = *opened.connection;
    const PgResult tables
        = c.exec("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()", {}, deadline);
    if (!tables.ok()) {
        *error = QStringLiteral("cannot read the tables of %1: %2").arg(redactedConninfo(), tables.error());
        return false;
    }
    QStringList foreign;
    for (int i = 0; i < tables.rows(); ++i) {
        if (!knownTables().contains(tables.text(i, 0)))
            foreign << tables.text(i, 0);
    }
    if (!foreign.isEmpty()) {
        foreign.sort();
        *error = QStringLiteral("%1 is not a LoopScope history database (it has other tables: %2); "
                                "LoopScope will not add its tables to it. Choose another database with --db")
                     .arg(redactedConninfo(), foreign.mid(0, 5).join(QStringLiteral(", ")));
        return false;
    }
    for (const char *statement : kSchema) {
        const PgResult r = c.exec(statement, {}, deadline);
        if (!r.ok()) {
            *error = QStringLiteral("cannot create the history tables in %1: %2")
                         .arg(redactedConninfo(), r.error());
            return false;
        }
    }
    return true;
}

bool PgHistory::fillPool(qint64 timeoutNs, QString *error, const std::stop_token &stop)
{
    QString why;
    if (m_pool->fill(m_pool->size(), TraceClock::nowNs() + timeoutNs, &why, stop))
        return true;
    *error = QStringLiteral("cannot open the connection pool to PostgreSQL at %1: %2")
                 .arg(redactedConninfo(), why);
    return false;
}

PgQuery PgHistory::contextQuery(const QString &userId, const QString &sessionId, int maxMessages,
                                double delaySeconds, const HistoryRewind &rewind)
{
    // One statement, one round trip: the three lookups of the SQLite store and the delay. With a
    // rewind (regenerate: the last user message; edit and resend: message $6), `cut` is that
    // message, only in the user's own conversation, and the history stops before it.
    PgQuery q;
    q.sql = "WITH own AS (SELECT 1 FROM conversations WHERE id = $2 AND user_id = $1),"
            " cut AS (SELECT id, content, role FROM messages"
            "   WHERE conversation_id = $2 AND EXISTS (SELECT 1 FROM own)"
            "     AND (($5::bool AND role = 'user' AND active) OR id = $6::bigint)"
            "   ORDER BY id DESC LIMIT 1)"
            " SELECT EXISTS (SELECT 1 FROM users WHERE user_id = $1),"
            " (SELECT user_id FROM conversations WHERE id = $2),"
            " (SELECT coalesce(json_agg(json_build_array(h.role, h.content) ORDER BY h.id), '[]')"
            "    FROM (SELECT id, role, content FROM messages"
            "           WHERE conversation_id = $2 AND active AND $3::int > 0 AND EXISTS (SELECT 1 FROM own)"
            "             AND id < coalesce((SELECT id FROM cut), 9223372036854775807)"
            "           ORDER BY id DESC LIMIT $3::int) h),"
            " pg_sleep($4::float8),"
            " (SELECT settings FROM conversations WHERE id = $2 AND user_id = $1),"
            " (SELECT content FROM cut), (SELECT role FROM cut)";
    q.params << userId << sessionId << qint64(std::max(0, maxMessages)) << std::max(0.0, delaySeconds)
             << QString::fromLatin1(rewind.lastTurn ? "true" : "false")
             << std::max<qint64>(0, rewind.fromMessageId);
    return q;
}

std::optional<UserContext> PgHistory::readContext(const PgResult &r, const QString &userId,
                                                  const QString &sessionId, QString *error,
                                                  const HistoryRewind &rewind)
{
    if (!r.ok() || r.rows() != 1) {
        if (error)
            *error = r.ok() ? QStringLiteral("unexpected answer from the database") : describe(r);
        return std::nullopt;
    }
    UserContext ctx;
    ctx.userId = userId;
    ctx.sessionId = sessionId;
    ctx.knownUser = r.text(0, 0) == QLatin1String("t");
    ctx.sessionExists = !sessionId.isEmpty() && !r.isNull(0, 1);
    if (ctx.sessionExists)
        ctx.sessionOwner = r.text(0, 1);
    if (!ctx.sessionBelongsToOthers())
        ctx.settings = settingsFrom(r, 0, 4);
    if (rewind.lastTurn || rewind.fromMessageId > 0) {
        // The same answers as the SQLite store's (storage/historystore.cpp).
        if (!ctx.sessionExists || ctx.sessionBelongsToOthers()) {
            ctx.rewindError
                = QStringLiteral("there is no stored conversation %1 to answer again").arg(sessionId);
            return ctx;
        }
        if (r.isNull(0, 6) || r.text(0, 6) != QLatin1String("user")) {
            ctx.rewindError = rewind.lastTurn
                ? QStringLiteral("the conversation has no message to answer again")
                : QStringLiteral("message %1 is not a user message of this conversation")
                      .arg(rewind.fromMessageId);
            return ctx;
        }
        ctx.resentMessage = r.text(0, 5);
    }
    const QJsonArray history = QJsonDocument::fromJson(r.text(0, 2).toUtf8()).array();
    ctx.history.reserve(history.size());
    for (const QJsonValue &m : history) {
        const QJsonArray pair = m.toArray();
        ctx.history.append({ pair.at(0).toString(), pair.at(1).toString() });
    }
    return ctx;
}

PgQuery PgHistory::saveQuery(const Exchange &e, double delaySeconds)
{
    // The delay first, then the writes, all in one statement (one transaction): the rows are
    // locked for the writes only. A conversation belongs to the user who started it: when $2 is
    // someone else's, `conv` is empty, and so are all the writes that read from it.
    //
    // Edit and resend ($12 > 0): that message and everything after it are deleted (the SQLite
    // store keeps nothing of them either). Regenerate ($11): the answers to the last user message
    // become inactive alternatives of the new one, grouped under the first of them, and only the
    // answer is inserted. All parts of a statement see the rows as they were before it, so the
    // delete and the update never touch the rows it inserts.
    PgQuery q;
    q.sql = "WITH pause AS (SELECT pg_sleep($9::float8)),"
            " conv AS (INSERT INTO conversations(id, user_id, title, created_at, updated_at, settings)"
            "   SELECT $2, $1, $3, $6::bigint, $6::bigint, $10::text FROM pause"
            "   ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at,"
            "   settings = coalesce(excluded.settings, conversations.settings)"
            "   WHERE conversations.user_id = excluded.user_id RETURNING id),"
            " usr AS (INSERT INTO users(user_id, created_at, requests) SELECT $1, $6::bigint, 1 FROM conv"
            "   ON CONFLICT (user_id) DO UPDATE SET requests = users.requests + 1 RETURNING 1),"
            " cut AS (DELETE FROM messages WHERE $12::bigint > 0 AND id >= $12::bigint"
            "   AND conversation_id = (SELECT id FROM conv) RETURNING 1),"
            " turn AS (SELECT max(id) AS id FROM messages"
            "   WHERE $11::bool AND conversation_id = $2 AND role = 'user' AND active),"
            " grp AS (SELECT coalesce(m.alt_of, m.id) AS id FROM messages m, turn"
            "   WHERE m.conversation_id = $2 AND m.role = 'assistant' AND m.id > turn.id ORDER BY m.id LIMIT "
            "1),"
            " old AS (UPDATE messages SET active = false, alt_of = (SELECT id FROM grp)"
            "   WHERE conversation_id = (SELECT id FROM conv) AND role = 'assistant'"
            "     AND id > (SELECT id FROM turn) AND EXISTS (SELECT 1 FROM grp) RETURNING 1),"
            " msg AS (INSERT INTO messages(conversation_id, role, content, created_at, request_id, meta, "
            "alt_of)"
            "   SELECT conv.id, m.role, m.content, m.created_at, $7::bigint, m.meta, m.alt_of FROM conv,"
            "   (VALUES ('user', $4::text, $6::bigint, NULL::text, NULL::bigint),"
            "           ('assistant', $5::text, $6::bigint + 1, $8::text, (SELECT id FROM grp)))"
            "     AS m(role, content, created_at, meta, alt_of)"
            "   WHERE NOT ($11::bool AND m.role = 'user')"
            "   ORDER BY m.created_at RETURNING 1)"
            " SELECT (SELECT count(*) FROM conv), (SELECT count(*) FROM msg), (SELECT count(*) FROM usr),"
            " (SELECT count(*) FROM cut), (SELECT count(*) FROM old)";
    QString title = HistoryStore::clip(e.userMessage.simplified(), 60);
    if (title.isEmpty())
        title = QStringLiteral("(untitled)");
    q.params << e.userId << e.sessionId << title << e.userMessage << e.assistantMessage << nowMs()
             << qint64(e.requestId);
    if (e.meta.isEmpty())
        q.params.null();
    else
        q.params << QString::fromUtf8(QJsonDocument(e.meta).toJson(QJsonDocument::Compact));
    q.params << std::max(0.0, delaySeconds);
    if (e.settings)
        appendSettings(q.params, *e.settings);
    else
        q.params.null();
    q.params << QString::fromLatin1(e.regenerate ? "true" : "false") << std::max<qint64>(0, e.truncateFrom);
    return q;
}

QString PgHistory::readSave(const PgResult &r)
{
    if (!r.ok())
        return describe(r);
    if (r.rows() != 1)
        return QStringLiteral("unexpected answer from the database");
    if (r.integer(0, 0) == 0)
        return HistoryStore::ForeignSession;
    return {};
}

PgQuery PgHistory::auditQuery(const QString &userId, quint64 requestId, int index, double delaySeconds)
{
    PgQuery q;
    q.sql = "INSERT INTO audit_log(user_id, request_id, item, created_at)"
            " SELECT $1, $2::bigint, $3::int, $4::bigint FROM (SELECT pg_sleep($5::float8)) pause";
    q.params << userId << qint64(requestId) << qint64(index) << nowMs() << std::max(0.0, delaySeconds);
    return q;
}

PgResult PgHistory::run(const PgQuery &query, QString *error)
{
    const qint64 deadline = TraceClock::nowNs() + m_timeoutNs;
    PgPool::Lease lease = m_pool->acquire(deadline);
    PgResult r;
    if (!lease.granted() || !lease.open(deadline))
        r = PgResult::failure(lease.error(), true);
    else
        r = lease.connection()->exec(query.sql, query.params, deadline);
    if (!r.ok() && error)
        *error = describe(r);
    return r;
}

QList<ConversationInfo> PgHistory::conversations(const QString &userId, int limit, QString *error)
{
    PgQuery q;
    static const QByteArray sql = QByteArray(kConversationColumns)
        + "WHERE ($1 = '' OR c.user_id = $1) ORDER BY c.updated_at DESC LIMIT $2::int";
    q.sql = sql.constData();
    q.params << userId << qint64(limit);
    const PgResult r = run(q, error);
    QList<ConversationInfo> out;
    for (int i = 0; i < r.rows(); ++i)
        out.append(conversationFrom(r, i));
    return out;
}

std::optional<ConversationInfo> PgHistory::conversation(const QString &id, QString *error)
{
    static const QByteArray sql = QByteArray(kConversationColumns) + "WHERE c.id = $1";
    PgQuery q;
    q.sql = sql.constData();
    q.params << id;
    const PgResult r = run(q, error);
    if (r.rows() == 1)
        return conversationFrom(r, 0);
    return std::nullopt;
}

QList<StoredMessage> PgHistory::messages(const QString &conversationId, QString *error)
{
    PgQuery q;
    q.sql = "SELECT id, role, content, created_at, request_id, meta, active, alt_of FROM messages"
            " WHERE conversation_id = $1 ORDER BY id";
    q.params << conversationId;
    const PgResult r = run(q, error);
    QList<StoredMessage> out;
    for (int i = 0; i < r.rows(); ++i) {
        StoredMessage m;
        m.id = r.integer(i, 0);
        m.role = r.text(i, 1);
        m.content = r.text(i, 2);
        m.createdMs = r.integer(i, 3);
        m.requestId = quint64(r.integer(i, 4));
        if (!r.isNull(i, 5))
            m.meta = QJsonDocument::fromJson(r.text(i, 5).toUtf8()).object();
        m.active = r.text(i, 6) == QLatin1String("t");
        m.alternativeOf = r.isNull(i, 7) ? 0 : r.integer(i, 7);
        out.append(m);
    }
    return out;
}

bool PgHistory::createConversation(const QString &id, const QString &userId, const QString &title,
                                   QString *error)
{
    PgQuery q;
    q.sql
        = "INSERT INTO conversations(id, user_id, title, created_at, updated_at) VALUES($1, $2, $3, $4, $4)";
    q.params << id << userId << title << nowMs();
    return run(q, error).ok();
}

bool PgHistory::renameConversation(const QString &id, const QString &title, QString *error)
{
    PgQuery q;
    q.sql = "UPDATE conversations SET title = $1 WHERE id = $2 RETURNING id";
    q.params << title << id;
    const PgResult r = run(q, error);
    return r.ok() && r.rows() > 0;
}

bool PgHistory::deleteConversation(const QString &id, QString *error)
{
    PgQuery q;
    q.sql = "DELETE FROM conversations WHERE id = $1 RETURNING id";
    q.params << id;
    const PgResult r = run(q, error);
    return r.ok() && r.rows() > 0;
}

qint64 PgHistory::messageCount(QString *error)
{
    PgQuery q;
    q.sql = "SELECT COUNT(*) FROM messages";
    const PgResult r = run(q, error);
    return r.ok() && r.rows() == 1 ? r.integer(0, 0) : -1;
}

bool PgHistory::setSettings(const QString &id, const ConversationSettings &settings, QString *error)
{
    PgQuery q;
    q.sql = "UPDATE conversations SET settings = $1 WHERE id = $2 RETURNING id";
    appendSettings(q.params, settings);
    q.params << id;
    const PgResult r = run(q, error);
    return r.ok() && r.rows() > 0;
}

bool PgHistory::activateAlternative(const QString &conversationId, qint64 messageId, QString *error)
{
    PgQuery q;
    q.sql = "UPDATE messages SET active = (id = $2::bigint) WHERE conversation_id = $1 AND alt_of ="
            " (SELECT alt_of FROM messages WHERE id = $2::bigint AND conversation_id = $1 AND alt_of IS NOT "
            "NULL)"
            " RETURNING id";
    q.params << conversationId << messageId;
    const PgResult r = run(q, error);
    return r.ok() && r.rows() > 0;
}

QList<SearchHit> PgHistory::search(const QString &text, const QString &userId, int limit, QString *error)
{
    // ILIKE row by row (no trigram index here): messages first, then the titles of the
    // conversations none of whose messages matched, as the SQLite store answers.
    QList<SearchHit> out;
    const QString needle = text.simplified();
    if (needle.isEmpty())
        return out;
    PgQuery q;
    q.sql = "(SELECT m.conversation_id, c.title, m.id, m.role, m.content, 0 AS kind, c.updated_at"
            "   FROM messages m JOIN conversations c ON c.id = m.conversation_id"
            "  WHERE m.content ILIKE $1 AND ($2 = '' OR c.user_id = $2)"
            "  ORDER BY c.updated_at DESC, m.id LIMIT $3::int)"
            " UNION ALL"
            " (SELECT c.id, c.title, 0, '', c.title, 1, c.updated_at FROM conversations c"
            "  WHERE c.title ILIKE $1 AND ($2 = '' OR c.user_id = $2)"
            "    AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.content ILIKE "
            "$1)"
            "  ORDER BY c.updated_at DESC LIMIT $3::int)"
            " ORDER BY 6, 7 DESC, 3";
    q.params << HistoryText::likePattern(needle) << userId << qint64(limit);
    const PgResult r = run(q, error);
    for (int i = 0; i < r.rows(); ++i)
        out.append({ r.text(i, 0), r.text(i, 1), r.integer(i, 2), r.text(i, 3),
                     HistoryText::snippetAround(r.text(i, 4), needle) });
    return out;
}
