#pragma once

#include "llm/llmbackend.h"
#include "pipeline/chatrequest.h"
#include "pipeline/dispatch.h"
#include "pipeline/postgressteps.h"
#include "pipeline/serverconfig.h"
#include "storage/historystore.h"

#include <QHash>
#include <QMutex>
#include <functional>
#include <memory>

class RequestTrace;
struct RequestRecord;

// The seeds' ConversationManager: the chat pipeline itself.
//   (1) load the user and the conversation (SQLite read + simulated remote-DB delay),
//   (1b) optionally, CPU-bound work (seed 2's image processing or encryption; CpuWork),
//   (2) call the LLM,
//   (3) save the exchange (SQLite write in one transaction + simulated delay).
// chat() is the synchronous business function the seeds keep synchronous: the blocking mode
// calls it on the event loop, the executor mode on a pool thread. chatAsync() is the seeds'
// fully async rewrite: the same three steps, every wait a co_await.
class ConversationManager
{
public:
    // With `postgres`, steps (1) and (3) go to PostgreSQL (pipeline/postgressteps.h) and `store`
    // may be null.
    ConversationManager(std::shared_ptr<HistoryStore> store, std::shared_ptr<LlmBackend> llm,
                        std::shared_ptr<PgHistory> postgres = {});

    // `cpu` runs step (1b) elsewhere; empty: on the calling thread.
    ChatResult chat(const ChatRequest &request, const ServerConfig &config, RequestTrace &trace,
                    const TokenSink &onToken, const CancelToken &cancel, const CpuStep &cpu = {});
    QCoro::Task<ChatResult> chatAsync(ChatRequest request, const ServerConfig &config, RequestTrace &trace,
                                      TokenSink onToken, CancelToken cancel);

    // Background prefetch (seed 2's create_task(prefetch_user_history)).
    void prefetchBlocking(const QString &userId, const QString &sessionId, const ServerConfig &config);
    QCoro::Task<> prefetchAsync(QString userId, QString sessionId, ServerConfig config);

    HistoryStore *store() const { return m_store.get(); }
    PgHistory *postgres() const { return m_postgres ? m_postgres->history() : nullptr; }
    // The conversation queries of the HTTP API, on whichever database keeps the history.
    HistoryQueries *queries() const
    {
        return m_postgres ? static_cast<HistoryQueries *>(m_postgres->history()) : m_store.get();
    }
    std::shared_ptr<LlmBackend> llm() const;
    void setLlm(std::shared_ptr<LlmBackend> llm);

private:
    // The steps chat() and chatAsync() share; only their waiting lines differ.
    std::optional<UserContext> takePrefetched(const QString &userId, const QString &sessionId);
    static LlmRequest buildPrompt(const UserContext &context, const ChatRequest &request, quint64 id);
    static QString userMessage(const UserContext &context, const ChatRequest &request);
    static HistoryRewind rewindOf(const ChatRequest &request); // regenerate, edit and resend
    static void recordSettings(RequestRecord &record, const LlmRequest &prompt);
    std::optional<ChatResult> loadContext(const ChatRequest &request, const ServerConfig &config,
                                          std::optional<UserContext> *context);
    static std::optional<ChatResult> contextFailure(const std::optional<UserContext> &context,
                                                    const QString &error);
    static std::optional<ChatResult> cpuStep(const ChatRequest &request, const ServerConfig &config,
                                             RequestTrace &trace, const CpuStep &cpu);
    static ChatResult succeeded(const LlmReply &reply, bool cacheHit);
    static ChatResult storageError(const QString &detail);
    static ChatResult llmError(const LlmReply &reply);
    static Exchange makeExchange(const ChatRequest &request, const UserContext &context,
                                 const LlmReply &reply, const RequestRecord &record);

    std::shared_ptr<HistoryStore> m_store;
    std::shared_ptr<LlmBackend> m_llm;
    std::unique_ptr<PostgresSteps> m_postgres;
    mutable QMutex m_llmMutex;
    QMutex m_cacheMutex;
    QHash<QString, UserContext> m_cache; // prefetched contexts, taken once
};
