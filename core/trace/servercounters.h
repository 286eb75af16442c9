#pragma once

#include "processresources.h"

#include <QString>
#include <QtGlobal>
#include <array>
#include <atomic>
#include <memory>

// Live counters the server updates as requests move; sampled by CounterSampler.
// All plain atomics: updating one costs a few nanoseconds on the request path.
struct LoopHeartbeat
{
    std::atomic<qint64> expectedNs { 0 }; // when the heartbeat timer should fire next (0: loop not running)
    std::atomic<qint64> peakLagNs { 0 }; // worst lateness seen since the sampler last looked
    // For the supervisor (--workers-max): requests this loop admitted and has not answered, and
    // when a request last arrived or finished here.
    std::atomic<int> inFlight { 0 };
    std::atomic<qint64> lastActiveNs { 0 };
};

struct ServerCounters
{
    static constexpr int MaxWorkers = 16;

    std::atomic<int> inFlight { 0 }; // admitted, response not yet written
    std::atomic<int> waiting { 0 }; // admitted, pipeline not started (pool queue, polling loop)
    std::atomic<int> poolActive { 0 }; // pool threads running a pipeline
    std::atomic<int> poolQueued { 0 }; // pipelines submitted to the pool, not yet started
    std::atomic<int> poolMax { 0 };
    std::atomic<int> connections { 0 }; // open client connections
    std::atomic<int> workers { 0 };
    std::atomic<quint64> completed { 0 }; // answered 2xx
    std::atomic<quint64> failed { 0 }; // answered 4xx/5xx other than 503 admission
    std::atomic<quint64> rejected { 0 }; // answered 503 by the admission limit
    // The PostgreSQL connection pool (--db postgresql://..., db/pgpool.h); all 0 with SQLite.
    std::atomic<int> dbBusy { 0 }; // connections (or slots being opened) lent to requests
    std::atomic<int> dbPoolSize { 0 }; // --db-pool
    std::atomic<int> dbWaiting { 0 }; // requests in line for a connection (db_pool_wait)
    std::array<LoopHeartbeat, MaxWorkers> loops;
};

// One row of the counter time series (100 Hz).
struct CounterSample
{
    qint64 tNs = 0;
    qint32 inFlight = 0;
    qint32 waiting = 0;
    qint32 poolActive = 0;
    qint32 poolMax = 0;
    qint32 poolQueued = 0;
    qint32 connections = 0;
    quint64 completed = 0;
    quint64 failed = 0;
    quint64 rejected = 0;
    qint32 workers = 0;
    qint32 dbBusy = 0; // the database connection pool (ServerCounters::dbBusy ...)
    qint32 dbPoolSize = 0;
    qint32 dbWaiting = 0;
    std::array<float, ServerCounters::MaxWorkers> loopLagMs {};
    // Connections the kernel completed that no loop has accepted yet (the shared listening
    // socket's accept queue, as `ss -lt` shows it): where requests wait for a sync worker.
    qint32 acceptQueue = 0;
    // What the process costs (ProcessResources, measured every 100 ms and held in between).
    float cpuPct = 0; // % of one core
    float poolCpuPct = 0; // the process pool's worker processes together, % of one core
    qint64 rssBytes = 0;
    qint32 threads = 0;
    // Per lane CPU of the window that ended at this sample; set on those samples only.
    std::shared_ptr<const LaneCpuList> laneCpu;

    float maxLoopLagMs() const
    {
        float m = 0;
        for (int i = 0; i < workers && i < ServerCounters::MaxWorkers; ++i)
            m = std::max(m, loopLagMs[size_t(i)]);
        return m;
    }
};

// A decision of the auto-scaling supervisor (--workers-min/--workers-max), with its reason.
struct ScaleEvent
{
    enum class Kind : quint8 { ScaleUp, ScaleDown };
    qint64 tNs = 0;
    Kind kind = Kind::ScaleUp;
    QString reason; // "12 waiting > 10", "worker-3 idle 2.0 s"
    int workers = 0; // worker loops accepting after the decision

    static QString kindName(Kind k)
    {
        return k == Kind::ScaleUp ? QStringLiteral("scale_up") : QStringLiteral("scale_down");
    }
};
