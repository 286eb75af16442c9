#pragma once

#include "pipeline/serverconfig.h"
#include "trace/counterseries.h"
#include "trace/servercounters.h"
#include "trace/tracerecorder.h"

#include <QList>
#include <QMutex>
#include <QObject>
#include <QUrl>
#include <memory>
#include <stop_token>
#include <vector>

class CounterSampler;
class ConversationManager;
class HistoryStore;
class PgHistory;
class LlmBackend;
class QThread;
class ServerWorker;
struct ServerContext;

// LoopScope's chat server: N worker event loops on their own threads sharing one port, a thread
// pool for the executor mode, the SQLite history, the request recorder and the counter sampler.
// The controller object itself may live on any thread (the GUI's, or main() in headless runs);
// it never serves a request: that happens only on the worker threads and the pool.
class ChatServer : public QObject
{
    Q_OBJECT
public:
    explicit ChatServer(QObject *parent = nullptr);
    ~ChatServer() override;

    // Opens the history, binds the port and starts the workers. Returns when they listen. Opening
    // a database may wait (a PostgreSQL server that does not answer: up to its connect_timeout or
    // dbTimeoutSeconds), so a window calls this off its GUI thread; `stop` lets it end that wait
    // early (start then fails with "cancelled").
    bool start(const ServerConfig &config, QString *error = nullptr, const std::stop_token &stop = {});
    // Stops accepting, lets in-flight requests finish (at most drainMs), then ends the threads.
    void stop(int drainMs = 10000);
    bool isRunning() const;

    quint16 port() const { return m_port; }
    QUrl url() const;
    ServerConfig config() const;
    QString apiKey() const;

    // Applies a new configuration while serving. Mode, delays, pool size, time scale, admission
    // limit and intake take effect for requests that arrive from now on (running ones finish the
    // way they began); a new host, port or worker count restarts the listeners.
    bool reconfigure(const ServerConfig &config, QString *error = nullptr);
    void setMode(DispatchMode mode);

    // Replaces the simulated model (issue: real providers). nullptr returns to the simulated one.
    void setLlmBackend(std::shared_ptr<LlmBackend> backend);

    TraceRecorder *recorder() { return &m_recorder; }
    CounterSeries *counterSeries() { return &m_series; }
    ServerCounters *counters() { return &m_counters; }
    CounterSample sampleCounters() const;
    std::shared_ptr<HistoryStore> history() const { return m_store; } // null with PostgreSQL
    std::shared_ptr<PgHistory> postgres() const { return m_postgres; } // null with SQLite
    std::shared_ptr<ConversationManager> conversations() const { return m_manager; }
    qint64 startedNs() const { return m_startedNs; }

    // The auto-scaling supervisor's decisions since the server started (ServerConfig::autoscale).
    QList<ScaleEvent> scaleEvents() const;
    // What the supervisor compares with scaleUpWaiting: connections queued on the shared socket
    // (no loop accepted them yet) plus requests admitted whose pipeline has not started.
    int requestsWaiting() const;
    int liveWorkers() const { return m_counters.workers.load(); }

signals:
    void started(const QUrl &url);
    void stopped();
    void configChanged();
    void scaled(const ScaleEvent &event); // emitted on the supervisor's thread

private:
    bool addWorker(int index);
    void superviseTick();
    void finishRetirement();
    void recordScale(ScaleEvent::Kind kind, const QString &reason);
    void startSupervisor();
    void stopSupervisor();

    std::shared_ptr<LlmBackend> makeBackend(const ServerConfig &config) const;
    // --db postgresql://...: the history and the connection pool on a PostgreSQL server, kept
    // while the address and the pool size stay the same.
    bool openPostgres(const ServerConfig &config, QString *error, const std::stop_token &stop);
    bool startWorkers(QString *error);
    void stopWorkers(int drainMs);

    TraceRecorder m_recorder;
    CounterSeries m_series;
    ServerCounters m_counters;
    std::unique_ptr<ServerContext> m_context;
    std::unique_ptr<CounterSampler> m_sampler;
    std::shared_ptr<HistoryStore> m_store;
    std::shared_ptr<PgHistory> m_postgres;
    QString m_postgresAddress;
    std::shared_ptr<ConversationManager> m_manager;
    std::shared_ptr<LlmBackend> m_customLlm;
    std::vector<QThread *> m_threads;
    std::vector<ServerWorker *> m_workers;
    std::vector<int> m_loopsStarted; // per worker index since start(): a re-added loop is named apart
    ServerConfig m_config;
    int m_listenFd = -1;
    quint16 m_port = 0;
    qint64 m_startedNs = 0;

    // Auto-scaling (ServerConfig::autoscale): a timer on its own thread. m_workersMutex guards
    // m_threads/m_workers, which the supervisor grows and shrinks while serving.
    mutable QMutex m_workersMutex;
    QThread *m_supervisorThread = nullptr;
    class QTimer *m_supervisorTimer = nullptr;
    int m_retiring = -1; // index of the loop being retired (supervisor thread only)
    qint64 m_retireSinceNs = 0;
    qint64 m_lastScaleNs = 0;
    mutable QMutex m_eventsMutex;
    QList<ScaleEvent> m_scaleEvents;
};
