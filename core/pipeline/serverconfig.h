#pragma once

#include "llm/simulatedllm.h"
#include "pipeline/dispatchpolicy.h"
#include "trace/requestrecord.h"

#include <QHostAddress>
#include <QJsonObject>
#include <QString>

// How the polling worker of seed 2's async_worker_loop picks up work (scenario 7).
enum class IntakeMode : quint8 {
    Direct, // the handler runs as soon as the request is read (uvicorn)
    Awaiting, // through a queue whose consumer awaits the next item
    Polling, // through a queue whose consumer does get_nowait() + sleep(poll interval)
};

QString intakeModeName(IntakeMode mode);
bool parseIntakeMode(const QString &text, IntakeMode *mode);

// Everything that decides how the server answers. A value: the server swaps in a new one
// atomically, and every request keeps the config it arrived under until it finishes.
struct ServerConfig
{
    QHostAddress host = QHostAddress::LocalHost;
    quint16 port = 8000; // uvicorn's default; 0 picks a free port
    DispatchMode mode = DispatchMode::Async;
    int workers = 1; // event loops accepting on the same port (1..16)
    int poolSize = 0; // executor size; 0: threads min(32, cores + 4) like run_in_executor, processes cores
    ExecutorKind executor = ExecutorKind::Threads; // what the executor mode hands work to
    bool gil = false; // thread pool: model CPython's GIL (see pipeline/interpreterlock.h)
    double cpuWorkSeconds = 0; // CPU-bound step per request, thread CPU seconds (scaled by timeScale)
    double dbReadSeconds = 0.100; // simulated remote-DB delay of step 1
    double dbWriteSeconds = 0.050; // simulated delay of step 3
    SimulatedLlmConfig llm; // step 2 (its timeScale is overwritten by timeScale below)
    double timeScale = 1.0; // multiplies every simulated delay
    int maxInFlight = 0; // 0: no admission limit (uvicorn --limit-concurrency)
    QString apiKey;
    QString dbPath; // empty: HistoryStore::defaultPath(); postgresql://... or key=value: PostgreSQL
    int dbPoolSize = 10; // PostgreSQL connections per server (asyncpg's create_pool max_size)
    double dbTimeoutSeconds = 10; // PostgreSQL: wait for a connection, connect, or a statement
                                  // (beyond its own delay); then 503 database_unavailable
    bool usesPostgres() const;
    bool logRequests = false;
    int historyMessages = 20; // how much history step 1 loads as LLM context
    IntakeMode intake = IntakeMode::Direct;
    double pollIntervalSeconds = 0.5; // seed 2's sleep(0.5)
    // The auto-scaling supervisor (seed 2's UltimateSupervisor(min_p=2, max_p=4)): with
    // workersMax > 0 the server starts workersMin loops (0: `workers`), adds one while more than
    // scaleUpWaiting requests wait, and retires a loop idle for scaleDownIdleSeconds.
    int workersMin = 0;
    int workersMax = 0; // 0: a fixed number of workers
    int scaleUpWaiting = 10;
    double scaleDownIdleSeconds = 2.0;
    bool autoscale() const { return workersMax > 0; }
    int initialWorkers() const { return autoscale() && workersMin > 0 ? workersMin : workers; }
    // Empty when the worker settings are consistent, else what is wrong (for a 400 or a CLI error).
    QString workersError() const;

    static constexpr double MaxCpuWorkSeconds = 10; // per request; more is refused (400)
    static int defaultPoolSize(); // threads
    static int defaultProcessPoolSize(); // processes: os.cpu_count(), like ProcessPoolExecutor
    // The thread pool's size. With a process pool it is the default: its threads only carry the
    // I/O steps while the processes do the CPU work, so the processes are what is scarce.
    int effectivePoolSize() const
    {
        return poolSize > 0 && executor == ExecutorKind::Threads ? poolSize : defaultPoolSize();
    }
    int processPoolSize() const { return poolSize > 0 ? poolSize : defaultProcessPoolSize(); }
    qint64 scaledNs(double seconds) const { return qint64(seconds * timeScale * 1e9); }
    QJsonObject toJson() const; // without the API key
};
