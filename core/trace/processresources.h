#pragma once

#include <QHash>
#include <QList>
#include <QPair>
#include <QString>
#include <QtGlobal>
#include <memory>
#include <vector>

// CPU time per thread of this process over one window, by ThreadRegistry lane index.
struct LaneCpu
{
    quint16 lane = 0;
    float pct = 0; // % of one core over the window
};
using LaneCpuList = std::vector<LaneCpu>;

// Reads what this process costs the machine, from /proc (Linux): CPU time (whole process and per
// thread), resident memory and the thread count. Each call to sample() measures the window since
// the previous one; the CounterSampler calls it every 100 ms.
//
// Sources: the process CPU clock (CLOCK_PROCESS_CPUTIME_ID, nanosecond precision), VmRSS and
// Threads from /proc/self/status, the threads from /proc/self/task/*: each one's name (comm, set by
// ThreadRegistry::nameCurrentThread) maps it to its lane, and its CPU time is read with the
// thread's own CPU clock (precise; /proc's utime/stime count whole 10 ms ticks, too coarse for a
// 100 ms window). Threads the registry does not know count in the total only.
//
// The process pool's worker processes (pipeline/processpool.h) are other processes: their CPU is
// not in this process's clock. The pool registers each one with its lane (watchChild); sample()
// reads each one's process CPU clock (clock_getcpuclockid, nanoseconds; /proc/<pid>/stat's
// ticks when that fails) and reports it as its lane's CPU and, summed, as poolCpuPct.
class ProcessResources
{
public:
    struct Sample
    {
        float cpuPct = 0; // whole process, % of one core (200 % = both cores of a 2-core machine)
        qint64 rssBytes = 0;
        int threads = 0;
        std::shared_ptr<const LaneCpuList> lanes; // lanes that used any CPU in the window
        float poolCpuPct = 0; // the watched pool processes together, % of one core
    };

    // A pool process to measure from now on, shown on `lane`; forgotten when it is retired.
    static void watchChild(qint64 pid, quint16 lane);
    static void forgetChild(qint64 pid);

    ProcessResources();
    Sample sample(qint64 nowNs);
    static qint64 residentBytes();
    static int threadCount();
    static int cores();

private:
    qint64 m_lastNs = 0;
    qint64 m_lastCpuNs = 0;
    QHash<int, qint64> m_threadCpuNs; // tid -> CPU ns at the last sample
    QHash<qint64, qint64> m_childCpuNs; // pool process pid -> CPU ns at the last sample
};
