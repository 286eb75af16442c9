#pragma once

#include <QtGlobal>
#include <array>
#include <atomic>

// Live counters the server updates as requests move; sampled by CounterSampler.
// All plain atomics: updating one costs a few nanoseconds on the request path.
struct LoopHeartbeat
{
    std::atomic<qint64> expectedNs { 0 }; // when the heartbeat timer should fire next (0: loop not running)
    std::atomic<qint64> peakLagNs { 0 }; // worst lateness seen since the sampler last looked
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
    std::array<float, ServerCounters::MaxWorkers> loopLagMs {};

    float maxLoopLagMs() const
    {
        float m = 0;
        for (int i = 0; i < workers && i < ServerCounters::MaxWorkers; ++i)
            m = std::max(m, loopLagMs[size_t(i)]);
        return m;
    }
};
