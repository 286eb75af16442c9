#include "processresources.h"

#include "base/threadregistry.h"

#include <QDir>
#include <QFile>
#include <QHash>
#include <QMutex>
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

// The pool processes to measure: pid -> lane.
QMutex childMutex;
QHash<qint64, quint16> children;

// The CPU time of another process: its process CPU clock, else /proc/<pid>/stat's utime + stime
// (whole clock ticks). -1 when it is gone.
qint64 childCpuNs(qint64 pid)
{
    clockid_t clock;
    if (::clock_getcpuclockid(pid_t(pid), &clock) == 0) {
        const qint64 ns = clockNs(clock);
        if (ns >= 0)
            return ns;
    }
    const QByteArray stat = readSmall(QStringLiteral("/proc/%1/stat").arg(pid));
    const int close = stat.lastIndexOf(')'); // the name may hold spaces and parentheses
    if (close < 0)
        return -1;
    const QList<QByteArray> fields = stat.mid(close + 2).split(' '); // from field 3, "state"
    if (fields.size() < 13)
        return -1;
    const qint64 ticks = fields[11].toLongLong() + fields[12].toLongLong(); // fields 14, 15
    return ticks * 1'000'000'000 / std::max<long>(1, ::sysconf(_SC_CLK_TCK));
}

} // namespace

ProcessResources::ProcessResources() = default;

void ProcessResources::watchChild(qint64 pid, quint16 lane)
{
    QMutexLocker lock(&childMutex);
    children.insert(pid, lane);
}

void ProcessResources::forgetChild(qint64 pid)
{
    QMutexLocker lock(&childMutex);
    children.remove(pid);
}

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

    QHash<qint64, quint16> watched;
    {
        QMutexLocker lock(&childMutex);
        watched = children;
    }
    QHash<qint64, qint64> childSeen;
    double poolPct = 0;
    for (auto it = watched.cbegin(); it != watched.cend(); ++it) {
        const qint64 ns = childCpuNs(it.key());
        if (ns < 0)
            continue; // exited meanwhile
        childSeen.insert(it.key(), ns);
        const qint64 prev = m_childCpuNs.value(it.key(), 0); // new since the last sample: all of it
        if (wallNs <= 0 || ns <= prev)
            continue;
        const double pct = double(ns - prev) * 100.0 / double(wallNs);
        lanes->push_back({ it.value(), float(pct) });
        poolPct += pct;
    }
    m_childCpuNs = std::move(childSeen);
    s.poolCpuPct = float(poolPct);
    s.lanes = std::move(lanes);
    m_lastNs = nowNs;
    m_lastCpuNs = cpuNs;
    return s;
}
