#include "processresources.h"

#include "base/threadregistry.h"

#include <QDir>
#include <QFile>
#include <QHash>
#include <ctime>
#include <thread>
#include <unistd.h>

namespace {

qint64 clockNs(clockid_t clock)
{
    timespec ts {};
    if (::clock_gettime(clock, &ts) != 0)
        return -1;
    return qint64(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// The CPU clock of thread `tid` of this process: what glibc's pthread_getcpuclockid() builds
// (CPUCLOCK_SCHED | CPUCLOCK_PERTHREAD_MASK), from a kernel thread id instead of a pthread_t.
clockid_t threadClock(int tid)
{
    return clockid_t((~unsigned(tid)) << 3) | 6;
}

QByteArray readSmall(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly | QIODevice::Unbuffered))
        return {};
    return f.read(4096);
}

qint64 statusField(const QByteArray &status, const char *key)
{
    const int at = status.indexOf(key);
    if (at < 0)
        return -1;
    int i = at + int(qstrlen(key));
    while (i < status.size() && (status[i] == ' ' || status[i] == '\t'))
        ++i;
    qint64 v = 0;
    while (i < status.size() && status[i] >= '0' && status[i] <= '9')
        v = v * 10 + (status[i++] - '0');
    return v;
}

} // namespace

ProcessResources::ProcessResources() = default;

qint64 ProcessResources::residentBytes()
{
    const qint64 kb = statusField(readSmall(QStringLiteral("/proc/self/status")), "VmRSS:");
    return kb < 0 ? 0 : kb * 1024;
}

int ProcessResources::threadCount()
{
    return int(std::max<qint64>(0, statusField(readSmall(QStringLiteral("/proc/self/status")), "Threads:")));
}

int ProcessResources::cores()
{
    return int(std::max(1u, std::thread::hardware_concurrency()));
}

ProcessResources::Sample ProcessResources::sample(qint64 nowNs)
{
    Sample s;
    const QByteArray status = readSmall(QStringLiteral("/proc/self/status"));
    s.rssBytes = std::max<qint64>(0, statusField(status, "VmRSS:")) * 1024;
    s.threads = int(std::max<qint64>(0, statusField(status, "Threads:")));
    const qint64 cpuNs = clockNs(CLOCK_PROCESS_CPUTIME_ID);
    const qint64 wallNs = m_lastNs ? nowNs - m_lastNs : 0;
    if (wallNs > 0 && cpuNs >= m_lastCpuNs)
        s.cpuPct = float(double(cpuNs - m_lastCpuNs) * 100.0 / double(wallNs));

    // Per thread: lane index by name (the registry's names are what the OS name was set to).
    QHash<QString, quint16> laneByName;
    const QStringList names = ThreadRegistry::names();
    for (int i = 0; i < names.size(); ++i)
        laneByName.insert(names[i].left(15), quint16(i)); // the last lane of a reused name wins
    auto lanes = std::make_shared<LaneCpuList>();
    QHash<int, qint64> seen;
    const QStringList tids
        = QDir(QStringLiteral("/proc/self/task")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &t : tids) {
        const int tid = t.toInt();
        const qint64 ns = clockNs(threadClock(tid));
        if (ns < 0)
            continue; // the thread ended meanwhile
        seen.insert(tid, ns);
        // A thread not seen at the last sample started since: all its CPU time is in this window.
        const qint64 prev = m_threadCpuNs.value(tid, 0);
        if (wallNs <= 0 || ns <= prev)
            continue;
        const QString comm
            = QString::fromUtf8(readSmall(QStringLiteral("/proc/self/task/%1/comm").arg(tid))).trimmed();
        const auto lane = laneByName.constFind(comm);
        if (lane == laneByName.constEnd())
            continue;
        lanes->push_back({ *lane, float(double(ns - prev) * 100.0 / double(wallNs)) });
    }
    m_threadCpuNs = std::move(seen);
    s.lanes = std::move(lanes);
    m_lastNs = nowNs;
    m_lastCpuNs = cpuNs;
    return s;
}
