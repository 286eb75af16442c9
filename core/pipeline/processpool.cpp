#include "processpool.h"

#include "base/threadregistry.h"
#include "base/traceclock.h"
#include "pipeline/conversationmanager.h"
#include "pipeline/cpuwork.h"
#include "pipeline/requesttrace.h"
#include "trace/processresources.h"

#include <QCoreApplication>
#include <QMutex>
#include <cerrno>
#include <csignal>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace {

// The wire: fixed-size little records, one job at a time per process.
struct Job
{
    qint64 cpuNs;
};
struct Done
{
    qint64 startNs; // TraceClock (CLOCK_MONOTONIC: the same clock in every process)
    qint64 endNs;
    qint64 cpuUsedNs;
    quint64 digest;
};
struct Ready
{
    qint64 pid;
    qint64 readyNs;
};

QMutex programMutex;
QString programPath;

bool writeAll(int fd, const void *data, size_t size)
{
    const char *p = static_cast<const char *>(data);
    while (size > 0) {
        const ssize_t n = ::send(fd, p, size, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        size -= size_t(n);
    }
    return true;
}

bool readAll(int fd, void *data, size_t size)
{
    char *p = static_cast<char *>(data);
    while (size > 0) {
        const ssize_t n = ::read(fd, p, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false; // 0: the other end closed (the process died)
        p += n;
        size -= size_t(n);
    }
    return true;
}

ChatResult executorFailed(const QString &message)
{
    ChatResult r;
    r.httpStatus = 502;
    r.errorCode = QStringLiteral("executor_failed");
    r.errorMessage = message;
    return r;
}

} // namespace

ProcessPool::~ProcessPool()
{
    std::lock_guard lock(m_mutex);
    for (auto &w : m_workers) {
        ProcessResources::forgetChild(w->pid);
        ::close(w->fd); // the worker reads end-of-file and exits
        int status = 0;
        if (::waitpid(pid_t(w->pid), &status, 0) < 0 && errno == EINTR)
            ::waitpid(pid_t(w->pid), &status, 0);
    }
}

void ProcessPool::setProgram(const QString &path)
{
    QMutexLocker lock(&programMutex);
    programPath = path;
}

QString ProcessPool::program()
{
    QMutexLocker lock(&programMutex);
    if (!programPath.isEmpty())
        return programPath;
    return QCoreApplication::instance() ? QCoreApplication::applicationFilePath() : QString();
}

QList<qint64> ProcessPool::pids() const
{
    std::lock_guard lock(m_mutex);
    QList<qint64> out;
    for (const auto &w : m_workers)
        out.append(w->pid);
    return out;
}

int ProcessPool::startedCount() const
{
    std::lock_guard lock(m_mutex);
    return m_started;
}

bool ProcessPool::spawn(Worker *worker, QString *error)
{
    const QByteArray path = program().toLocal8Bit();
    if (path.isEmpty()) {
        *error = QStringLiteral("no loopscope binary to start pool processes from");
        return false;
    }
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
        *error = QStringLiteral("socketpair failed: %1").arg(QString::fromLocal8Bit(strerror(errno)));
        return false;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 3); // dup2 clears close-on-exec on fd 3
    char arg0[] = "loopscope";
    char arg1[] = "pool-worker";
    char *argv[] = { arg0, arg1, nullptr };
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, path.constData(), &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    if (rc != 0) {
        ::close(fds[0]);
        *error = QStringLiteral("cannot start %1: %2")
                     .arg(QString::fromLocal8Bit(path), QString::fromLocal8Bit(strerror(rc)));
        return false;
    }
    Ready ready {};
    if (!readAll(fds[0], &ready, sizeof ready)) {
        ::close(fds[0]);
        int status = 0;
        ::waitpid(pid, &status, 0);
        *error = QStringLiteral("pool process %1 exited during start-up").arg(pid);
        return false;
    }
    worker->pid = pid;
    worker->fd = fds[0];
    return true;
}

ProcessPool::Worker *ProcessPool::acquire(int size, RequestTrace &trace, ChatResult *failure)
{
    std::unique_lock lock(m_mutex);
    int queued = -1;
    for (;;) {
        for (auto &w : m_workers) {
            if (!w->busy) {
                w->busy = true;
                if (queued >= 0)
                    trace.endSpan(queued);
                return w.get();
            }
        }
        if (int(m_workers.size()) + m_starting < std::max(1, size))
            break; // room for one more process: start it
        if (queued < 0)
            queued = trace.beginSpan(Phase::Queued); // every process is busy
        m_freed.wait(lock);
    }
    if (queued >= 0)
        trace.endSpan(queued);
    ++m_starting;
    lock.unlock();

    // The start-up cost, paid by this request: fork/exec, dynamic linking, the worker's main.
    auto worker = std::make_unique<Worker>();
    const qint64 startNs = TraceClock::nowNs();
    QString error;
    const bool ok = spawn(worker.get(), &error);
    const qint64 readyNs = TraceClock::nowNs();

    lock.lock();
    --m_starting;
    if (!ok) {
        m_freed.notify_one();
        *failure = executorFailed(error);
        return nullptr;
    }
    ++m_started;
    worker->lane = ThreadRegistry::registerLane(
        QStringLiteral("process-%1 (pid %2)").arg(m_started).arg(worker->pid), LaneKind::Process);
    worker->busy = true;
    ProcessResources::watchChild(worker->pid, worker->lane); // its CPU counts as the run's
    trace.addSpan(Phase::Other, startNs, readyNs, worker->lane); // "process start"
    m_workers.push_back(std::move(worker));
    return m_workers.back().get();
}

void ProcessPool::retire(Worker *worker)
{
    ProcessResources::forgetChild(worker->pid);
    ::close(worker->fd);
    int status = 0;
    ::waitpid(pid_t(worker->pid), &status, 0);
    std::lock_guard lock(m_mutex);
    std::erase_if(m_workers, [worker](const auto &w) { return w.get() == worker; });
    m_freed.notify_one();
}

bool ProcessPool::runCpuWork(qint64 cpuNs, int size, RequestTrace &trace, ChatResult *failure)
{
    Worker *worker = acquire(size, trace, failure);
    if (!worker)
        return false;
    const Job job { cpuNs };
    Done done {};
    if (!writeAll(worker->fd, &job, sizeof job) || !readAll(worker->fd, &done, sizeof done)) {
        const qint64 pid = worker->pid;
        retire(worker);
        *failure = executorFailed(QStringLiteral("the pool process running this request's CPU work (pid %1) "
                                                 "died; the pool starts a replacement")
                                      .arg(pid));
        return false;
    }
    trace.addSpan(Phase::CpuWork, done.startNs, done.endNs, worker->lane);
    std::lock_guard lock(m_mutex);
    worker->busy = false;
    m_freed.notify_one();
    return true;
}

int ProcessPool::workerMain(int fd)
{
    // A worker must not outlive the server that started it.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    const Ready ready { qint64(::getpid()), TraceClock::nowNs() };
    if (!writeAll(fd, &ready, sizeof ready))
        return 1;
    Job job {};
    quint64 digest = 0;
    while (readAll(fd, &job, sizeof job)) {
        Done done {};
        done.startNs = TraceClock::nowNs();
        done.cpuUsedNs = CpuWork::hashFor(job.cpuNs, nullptr, nullptr, &digest);
        done.endNs = TraceClock::nowNs();
        done.digest = digest;
        if (!writeAll(fd, &done, sizeof done))
            return 1;
    }
    return 0;
}
