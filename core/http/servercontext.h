#pragma once

#include "pipeline/conversationmanager.h"
#include "pipeline/dispatch.h"
#include "pipeline/interpreterlock.h"
#include "pipeline/processpool.h"
#include "pipeline/serverconfig.h"
#include "trace/servercounters.h"
#include "trace/tracerecorder.h"

#include <QMutex>
#include <QThreadPool>
#include <atomic>
#include <memory>

// What all worker loops of one server share. Owned by ChatServer; workers hold a pointer.
struct ServerContext
{
    ServerContext(std::shared_ptr<ConversationManager> m, TraceRecorder *r, ServerCounters *c)
        : manager(std::move(m))
        , recorder(r)
        , counters(c)
        , dispatcher(manager, counters, &pool, &processes, &gil)
    {
        if (recorder)
            gil.setTrack(&recorder->lockTrack()); // the GIL's turns, drawn beside the records
    }

    std::shared_ptr<const ServerConfig> config() const
    {
        QMutexLocker lock(&configMutex);
        return currentConfig;
    }
    void setConfig(std::shared_ptr<const ServerConfig> c)
    {
        QMutexLocker lock(&configMutex);
        currentConfig = std::move(c);
    }

    std::shared_ptr<ConversationManager> manager;
    TraceRecorder *recorder;
    ServerCounters *counters;
    // Declared before the thread pool, so it outlives the pool threads that wait on its processes.
    ProcessPool processes; // the other executor (ProcessPoolExecutor), started on first use
    QThreadPool pool; // the executor (run_in_executor's ThreadPoolExecutor)
    InterpreterLock gil; // the thread pool's model of CPython's GIL (--gil)
    Dispatcher dispatcher; // how a request's pipeline runs: pipeline/dispatch.h
    std::atomic<quint64> nextRequestId { 1 };
    std::atomic<bool> draining { false }; // shutting down: refuse new work
    qint64 startedNs = 0;

private:
    mutable QMutex configMutex;
    std::shared_ptr<const ServerConfig> currentConfig;
};
