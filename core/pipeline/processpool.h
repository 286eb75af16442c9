#pragma once

#include <QList>
#include <QString>
#include <QtGlobal>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

class RequestTrace;
struct ChatResult;

// The executor mode's process pool (seed 1's ProcessPoolExecutor: "heavy, slow to start, bypasses
// the GIL"). Worker processes are the same loopscope binary started in a worker role (the hidden
// `loopscope pool-worker` command), each talking to the server over its own socketpair.
//
// What runs in a pool process: the request's CPU-bound step (the part a process pool is for).
// The rest of the pipeline (the SQLite reads and writes, the simulated DB waits, the LLM call and
// its token stream) stays in the server on the pool thread that waits for the process, holding
// no lock: the history database keeps one writer process, and tokens need the server's sockets.
// Crossing the pipe costs a few microseconds per request; starting a process costs milliseconds
// (exec, dynamic linking, Qt's start-up): both show in the trace.
//
// Processes start on demand up to the pool size, like ProcessPoolExecutor since Python 3.9. The
// start-up is an "other" span on the new process's lane, in the request that needed it. A process
// that dies mid-request fails that request only (502 executor_failed); the next request that
// needs a process starts a replacement (unlike CPython's BrokenProcessPool, nothing else breaks).
class ProcessPool
{
public:
    static constexpr const char *WorkerCommand = "pool-worker";

    ProcessPool() = default;
    ~ProcessPool(); // closes the pipes: idle workers exit; then reaps them
    ProcessPool(const ProcessPool &) = delete;
    ProcessPool &operator=(const ProcessPool &) = delete;

    // Runs `cpuNs` of CPU work in a pool process of at most `size`; blocks the calling thread
    // until it is done. False (and a 502 in `failure`) when the process died or could not start.
    bool runCpuWork(qint64 cpuNs, int size, RequestTrace &trace, ChatResult *failure);

    QList<qint64> pids() const; // live workers, for tests and the stats endpoint
    int startedCount() const; // processes started so far, replacements included

    // The binary to start (default: this application's own file). Tests set the built loopscope.
    static void setProgram(const QString &path);
    static QString program();

    // The worker role's main loop: reads jobs from `fd` until it closes. Needs no QCoreApplication.
    static int workerMain(int fd);

private:
    struct Worker
    {
        qint64 pid = 0;
        int fd = -1;
        quint16 lane = 0;
        bool busy = false;
    };

    Worker *acquire(int size, RequestTrace &trace, ChatResult *failure);
    bool spawn(Worker *worker, QString *error);
    void retire(Worker *worker); // after it died: reap it and forget it

    mutable std::mutex m_mutex;
    std::condition_variable m_freed;
    std::vector<std::unique_ptr<Worker>> m_workers;
    int m_starting = 0;
    int m_started = 0;
};
