#include "conversationmanager.h"

#include "base/delays.h"
#include "base/readystamp.h"
#include "base/traceclock.h"
#include "pipeline/cpuwork.h"
#include "pipeline/requesttrace.h"

#include <QUuid>
#include <algorithm>
#include <cmath>
#include <qcoro/qcorofuture.h>

namespace {

QString cacheKey(const QString &userId, const QString &sessionId)
{
    return userId + QChar(0x1f) + sessionId;
}

} // namespace

ConversationManager::ConversationManager(std::shared_ptr<HistoryStore> store, std::shared_ptr<LlmBackend> llm,
                                         std::shared_ptr<PgHistory> postgres)
    : m_store(std::move(store))
    , m_llm(std::move(llm))
    , m_postgres(postgres ? std::make_unique<PostgresSteps>(std::move(postgres)) : nullptr)
{ }

std::shared_ptr<LlmBackend> ConversationManager::llm() const
{
    QMutexLocker lock(&m_llmMutex);
    return m_llm;
}

void ConversationManager::setLlm(std::shared_ptr<LlmBackend> llm)
{
    QMutexLocker lock(&m_llmMutex);
    m_llm = std::move(llm);
}

std::optional<UserContext> ConversationManager::takePrefetched(const QString &userId,
                                                               const QString &sessionId)
{
    QMutexLocker lock(&m_cacheMutex);
    auto it = m_cache.find(cacheKey(userId, sessionId));
    if (it == m_cache.end())
        return std::nullopt;
    UserContext ctx = it.value();
    m_cache.erase(it);
    return ctx;
}

LlmRequest ConversationManager::buildPrompt(const UserContext &context, const ChatRequest &request,
                                            quint64 id)
{
    LlmRequest r;
    r.requestId = id;
    r.stream = request.stream;
    r.messages = request.clientHistory.isEmpty() ? context.history : request.clientHistory;
    r.messages.append({ QStringLiteral("user"), userMessage(context, request) });
    // The conversation's settings, overridden by what this request says.
    const ConversationSettings s = context.settings.overriddenBy(request.settings);
    const bool ownSystem = !r.messages.isEmpty() && r.messages.first().role == QLatin1String("system");
    if (!s.systemPrompt.isEmpty() && !ownSystem)
        r.messages.prepend({ QStringLiteral("system"), s.systemPrompt });
    r.model = s.model;
    r.temperature = s.temperature;
    r.maxTokens = s.maxTokens;
    return r;
}

void ConversationManager::recordSettings(RequestRecord &record, const LlmRequest &prompt)
{
    const bool system = !prompt.messages.isEmpty() && prompt.messages.first().role == QLatin1String("system");
    record.systemPromptChars = system ? quint32(prompt.messages.first().content.size()) : 0;
    record.setModelName(prompt.model.toUtf8());
    record.temperatureCenti
        = prompt.temperature < 0 ? qint16(-1) : qint16(std::lround(prompt.temperature * 100));
    record.maxTokens = quint16(std::clamp(prompt.maxTokens, 0, 65535));
}

HistoryRewind ConversationManager::rewindOf(const ChatRequest &request)
{
    HistoryRewind rewind;
    rewind.lastTurn = request.regenerate;
    rewind.fromMessageId = request.editFrom;
    return rewind;
}

QString ConversationManager::userMessage(const UserContext &context, const ChatRequest &request)
{
    return request.regenerate ? context.resentMessage : request.message;
}

ChatResult ConversationManager::storageError(const QString &detail)
{
    ChatResult r;
    if (detail == HistoryStore::ForeignSession) {
        // Someone else's conversation: answered as if it did not exist (nothing is revealed,
        // nothing was written).
        r.httpStatus = 404;
        r.errorCode = QStringLiteral("session_not_found");
        r.errorMessage = QStringLiteral("no conversation with this session_id for this user");
        return r;
    }
    if (detail.startsWith(PgHistory::Unavailable)) {
        // PostgreSQL is stopped, unreachable or too slow: try again later (the pool reconnects).
        r.httpStatus = 503;
        r.errorCode = PgHistory::Unavailable;
        r.errorMessage = QStringLiteral("the database is unavailable: %1")
                             .arg(detail.mid(PgHistory::Unavailable.size() + 2));
        return r;
    }
    r.httpStatus = 500;
    r.errorCode = QStringLiteral("storage_error");
    r.errorMessage = QStringLiteral("conversation history is unavailable: %1").arg(detail);
    return r;
}

ChatResult ConversationManager::llmError(const LlmReply &reply)
{
    ChatResult r;
    switch (reply.error) {
    case LlmReply::Error::Timeout:
        r.httpStatus = 504;
        break;
    case LlmReply::Error::Cancelled:
        r.httpStatus = 499; // nginx's "client closed request": nobody is there to read it
        break;
    default:
        r.httpStatus = 502;
        break;
    }
    r.errorCode = QStringLiteral("llm_") + llmErrorName(reply.error);
    r.errorMessage = reply.errorMessage.isEmpty()
        ? QStringLiteral("the language model call failed (%1)").arg(llmErrorName(reply.error))
        : reply.errorMessage;
    return r;
}

Exchange ConversationManager::makeExchange(const ChatRequest &request, const UserContext &context,
                                           const LlmReply &reply, const RequestRecord &record)
{
    Exchange e;
    e.userId = request.userId;
    e.sessionId = request.sessionId;
    e.userMessage = userMessage(context, request);
    e.assistantMessage = reply.text;
    e.requestId = record.id;
    e.regenerate = request.regenerate;
    e.truncateFrom = request.editFrom;
    if (request.settingsGiven)
        e.settings = context.settings.overriddenBy(request.settings);
    // The answer's own figures, kept with it (the chat window's timings, the export's table).
    const qint64 now = TraceClock::nowNs();
    e.meta = { { QStringLiteral("mode"), dispatchModeName(record.mode) },
               { QStringLiteral("worker"), int(record.worker) },
               { QStringLiteral("tokens"), reply.tokens },
               { QStringLiteral("answered_ms"), std::round(double(now - record.arrivedNs) / 1e5) / 10 } };
    if (record.firstTokenNs > 0)
        e.meta.insert(QStringLiteral("ttft_ms"),
                      std::round(double(record.firstTokenNs - record.arrivedNs) / 1e5) / 10);
    return e;
}

std::optional<ChatResult> ConversationManager::loadContext(const ChatRequest &request,
                                                           const ServerConfig &config,
                                                           std::optional<UserContext> *context)
{
    // The local SQLite read takes microseconds and runs inline in both pipelines; the remote
    // part is the wait that follows it.
    QString error;
    *context = m_store->loadContext(request.userId, request.sessionId, config.historyMessages, &error,
                                    rewindOf(request));
    return contextFailure(*context, error);
}

std::optional<ChatResult> ConversationManager::contextFailure(const std::optional<UserContext> &context,
                                                              const QString &error)
{
    if (!context)
        return storageError(error);
    if (context->sessionBelongsToOthers())
        return storageError(HistoryStore::ForeignSession);
    if (!context->rewindError.isEmpty()) {
        ChatResult r;
        r.httpStatus = 409;
        r.errorCode = QStringLiteral("nothing_to_replace");
        r.errorMessage = context->rewindError;
        return r;
    }
    return std::nullopt;
}

std::optional<ChatResult> ConversationManager::cpuStep(const ChatRequest &request, const ServerConfig &config,
                                                       RequestTrace &trace, const CpuStep &cpu)
{
    const double seconds = request.cpuWorkSeconds >= 0 ? request.cpuWorkSeconds : config.cpuWorkSeconds;
    const qint64 cpuNs = config.scaledNs(seconds);
    if (cpuNs <= 0)
        return std::nullopt;
    if (!cpu) {
        CpuWork::run(cpuNs, trace); // on this thread, whatever the pipeline's async-ness
        return std::nullopt;
    }
    ChatResult failure;
    if (!cpu(cpuNs, trace, &failure))
        return failure;
    return std::nullopt;
}

ChatResult ConversationManager::succeeded(const LlmReply &reply, bool cacheHit)
{
    ChatResult result;
    result.ok = true;
    result.text = reply.text;
    result.tokens = reply.tokens;
    result.cacheHit = cacheHit;
    return result;
}

// ---------------------------------------------------------------------------------------------
// The synchronous pipeline: every wait holds the calling thread.

ChatResult ConversationManager::chat(const ChatRequest &request, const ServerConfig &config,
                                     RequestTrace &trace, const TokenSink &onToken, const CancelToken &cancel,
                                     const CpuStep &cpu)
{
    const quint64 id = trace.record().id;
    QString error;

    // (1) user = db.query(...)
    std::optional<UserContext> context = request.regenerate || request.editFrom > 0
        ? std::nullopt
        : takePrefetched(request.userId, request.sessionId);
    const bool cacheHit = context.has_value();
    if (!cacheHit && m_postgres) {
        // With psycopg2: conn = pool.getconn(); cur.execute(...): this thread waits for both.
        context = m_postgres->loadContext(request.userId, request.sessionId, config, &trace, &error,
                                          rewindOf(request));
        if (auto failed = contextFailure(context, error))
            return *failed;
    } else if (!cacheHit) {
        SpanScope span(trace, Phase::DbRead);
        if (auto failed = loadContext(request, config, &context))
            return *failed;
        Delays::blockFor(config.scaledNs(config.dbReadSeconds));
    }

    // (1b) processed = heavy_computation(...): holds this thread (and, modelled, the GIL).
    if (auto failed = cpuStep(request, config, trace, cpu))
        return *failed;

    // (2) response = llm.chat(...): one call, or several independent ones one after another
    // (synchronous code cannot gather them).
    const std::shared_ptr<LlmBackend> model = llm();
    const LlmRequest prompt = buildPrompt(*context, request, id);
    recordSettings(trace.record(), prompt);
    LlmReply reply;
    for (int call = 0; call < std::max(1, request.llmCalls); ++call) {
        SpanScope span(trace, Phase::Llm, quint8(call));
        LlmReply r = model->complete(prompt, call == 0 ? onToken : TokenSink(), cancel);
        if (!r.ok())
            return llmError(r);
        if (call == 0)
            reply = r;
    }

    // (3) db.insert(...): the exchange in one transaction, then the batch one row at a time.
    if (m_postgres) {
        error = m_postgres->save(makeExchange(request, *context, reply, trace.record()), config, trace);
        if (!error.isEmpty())
            return storageError(error);
    } else {
        SpanScope span(trace, Phase::DbWrite);
        if (!m_store->saveExchange(makeExchange(request, *context, reply, trace.record()), &error))
            return storageError(error);
        Delays::blockFor(config.scaledNs(config.dbWriteSeconds));
    }
    if (request.batchInserts > 0) {
        SpanScope span(trace, Phase::DbWrite, 1);
        span.setCount(quint32(request.batchInserts));
        for (int i = 0; i < request.batchInserts; ++i) {
            if (m_postgres) {
                error = m_postgres->insertAuditRow(request.userId, id, i, config);
                if (!error.isEmpty())
                    return storageError(error);
                continue;
            }
            if (!m_store->insertAuditRow(request.userId, id, i, &error))
                return storageError(error);
            Delays::blockFor(config.scaledNs(config.dbWriteSeconds));
        }
    }
    return succeeded(reply, cacheHit);
}

void ConversationManager::prefetchBlocking(const QString &userId, const QString &sessionId,
                                           const ServerConfig &config)
{
    std::optional<UserContext> ctx;
    if (m_postgres) {
        ctx = m_postgres->loadContext(userId, sessionId, config, nullptr, nullptr);
    } else {
        ctx = m_store->loadContext(userId, sessionId, config.historyMessages);
        Delays::blockFor(config.scaledNs(config.dbReadSeconds));
    }
    if (ctx && !ctx->sessionBelongsToOthers()) {
        QMutexLocker lock(&m_cacheMutex);
        m_cache.insert(cacheKey(userId, sessionId), *ctx);
    }
}

// ---------------------------------------------------------------------------------------------
// The async pipeline: the same steps; every wait is a co_await, so the loop thread stays free.

QCoro::Task<ChatResult> ConversationManager::chatAsync(ChatRequest request, const ServerConfig &config,
                                                       RequestTrace &trace, TokenSink onToken,
                                                       CancelToken cancel)
{
    const quint64 id = trace.record().id;
    QString error;

    // (1) user = await async_db.query(...): the local SQLite read is synchronous; the remote wait is awaited
    std::optional<UserContext> context = request.regenerate || request.editFrom > 0
        ? std::nullopt
        : takePrefetched(request.userId, request.sessionId);
    const bool cacheHit = context.has_value();
    if (!cacheHit && m_postgres) {
        // With asyncpg: async with pool.acquire() as conn: await conn.fetchrow(...)
        context = co_await m_postgres->loadContextAsync(request.userId, request.sessionId, config, &trace,
                                                        &error, rewindOf(request));
        if (auto failed = contextFailure(context, error))
            co_return *failed;
    } else if (!cacheHit) {
        SpanScope span(trace, Phase::DbRead);
        if (auto failed = loadContext(request, config, &context))
            co_return *failed;
        co_await Delays::sleepFor(config.scaledNs(config.dbReadSeconds));
        span.endReadyAt(ReadyStamp::current()); // a late resume is the loop's, not the database's
    }

    // (1b) processed = heavy_computation(...): no await can help here. The CPU-bound step runs
    // on this loop thread and the loop serves nobody else until it ends (seed 2: "async does not
    // suit CPU-bound work").
    if (auto failed = cpuStep(request, config, trace, {}))
        co_return *failed;

    // (2) response = await llm.chat(...), or asyncio.gather() of independent calls
    const std::shared_ptr<LlmBackend> model = llm();
    const LlmRequest prompt = buildPrompt(*context, request, id);
    recordSettings(trace.record(), prompt);
    const int calls = std::max(1, request.llmCalls);
    LlmReply reply;
    if (request.llmParallel && calls > 1) {
        // Tasks start eagerly, so all calls are in flight before the first co_await below.
        std::vector<QCoro::Task<LlmReply>> tasks;
        std::vector<int> spans;
        for (int call = 0; call < calls; ++call) {
            spans.push_back(trace.beginSpan(Phase::Llm, quint8(call)));
            tasks.push_back(model->completeAsync(prompt, call == 0 ? onToken : TokenSink(), cancel));
        }
        for (int call = 0; call < calls; ++call) {
            LlmReply r = co_await tasks[size_t(call)];
            trace.endSpanReady(spans[size_t(call)], r.readyNs);
            if (call == 0)
                reply = r;
            else if (!r.ok() && reply.ok())
                reply = r;
        }
        if (!reply.ok())
            co_return llmError(reply);
    } else {
        for (int call = 0; call < calls; ++call) {
            SpanScope span(trace, Phase::Llm, quint8(call));
            LlmReply r = co_await model->completeAsync(prompt, call == 0 ? onToken : TokenSink(), cancel);
            if (!r.ok())
                co_return llmError(r);
            span.endReadyAt(r.readyNs);
            if (call == 0)
                reply = r;
        }
    }

    // (3) await async_db.insert(...): the writer thread commits it (SQLite), or the database
    // answers on this loop's epoll (PostgreSQL); this loop serves others meanwhile.
    if (m_postgres) {
        error = co_await m_postgres->saveAsync(makeExchange(request, *context, reply, trace.record()), config,
                                               trace);
        if (!error.isEmpty())
            co_return storageError(error);
    } else {
        SpanScope span(trace, Phase::DbWrite);
        const QString failed = co_await m_store->save(makeExchange(request, *context, reply, trace.record()));
        if (!failed.isEmpty())
            co_return storageError(failed);
        span.resumedAt(ReadyStamp::current()); // the writer's commit, as the dispatcher saw it
        co_await Delays::sleepFor(config.scaledNs(config.dbWriteSeconds));
        span.endReadyAt(ReadyStamp::current());
    }
    if (request.batchInserts > 0) {
        SpanScope span(trace, Phase::DbWrite, 1);
        span.setCount(quint32(request.batchInserts));
        const qint64 delay = config.scaledNs(config.dbWriteSeconds);
        if (m_postgres) {
            // Each row its own statement on a pooled connection; gathered, they share the pool.
            if (request.batchParallel) {
                std::vector<QCoro::Task<QString>> rows;
                for (int i = 0; i < request.batchInserts; ++i)
                    rows.push_back(m_postgres->insertAuditRowAsync(request.userId, id, i, config));
                for (auto &row : rows) {
                    if (const QString failed = co_await row; !failed.isEmpty())
                        error = failed;
                }
            } else {
                for (int i = 0; i < request.batchInserts && error.isEmpty(); ++i)
                    error = co_await m_postgres->insertAuditRowAsync(request.userId, id, i, config);
            }
            if (!error.isEmpty())
                co_return storageError(error);
        } else if (request.batchParallel) {
            // asyncio.gather(*[db.insert(msg) ...]): rows written synchronously, their delays awaited
            // together
            bool failed = false;
            for (int i = 0; i < request.batchInserts; ++i)
                failed |= !m_store->insertAuditRow(request.userId, id, i, &error);
            if (failed)
                co_return storageError(error);
            std::vector<QCoro::Task<>> waits;
            for (int i = 0; i < request.batchInserts; ++i)
                waits.push_back(Delays::sleepFor(delay));
            for (auto &w : waits)
                co_await w;
        } else {
            for (int i = 0; i < request.batchInserts; ++i) {
                if (!m_store->insertAuditRow(request.userId, id, i, &error))
                    co_return storageError(error);
                co_await Delays::sleepFor(delay);
            }
        }
        // Only the last wait's lateness is split off: earlier ones stay inside the batch's span.
        span.endReadyAt(ReadyStamp::current());
    }

    co_return succeeded(reply, cacheHit);
}

QCoro::Task<> ConversationManager::prefetchAsync(QString userId, QString sessionId, ServerConfig config)
{
    std::optional<UserContext> ctx;
    if (m_postgres) {
        ctx = co_await m_postgres->loadContextAsync(userId, sessionId, config, nullptr, nullptr);
    } else {
        ctx = m_store->loadContext(userId, sessionId, config.historyMessages);
        co_await Delays::sleepFor(config.scaledNs(config.dbReadSeconds));
    }
    if (ctx && !ctx->sessionBelongsToOthers()) {
        QMutexLocker lock(&m_cacheMutex);
        m_cache.insert(cacheKey(userId, sessionId), *ctx);
    }
}
