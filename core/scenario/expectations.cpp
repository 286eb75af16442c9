// A run's expected figures against its measurements (RunResult::evaluate), and what decides
// whether a figure applies on this machine: the cores the run could use.
#include "base/traceclock.h"
#include "runresult.h"

#include <QFile>
#include <QThread>
#include <algorithm>
#include <cmath>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

void RunResult::evaluate()
{
    checks.clear();
    const double scale = options.timeScale > 0 ? options.timeScale : 1.0;
    const auto find = [this](const QString &name) -> const VariantResult * {
        for (const VariantResult &x : variants) {
            if (x.name.compare(name, Qt::CaseInsensitive) == 0)
                return &x;
        }
        return nullptr;
    };
    // The cores this run could use: its affinity mask, less what other processes kept busy.
    const int allowed = machine.value(QStringLiteral("cores_available"))
                            .toInt(machine.value(QStringLiteral("cores")).toInt(availableCores()));
    const int cores = std::clamp(
        allowed - int(std::lround(machine.value(QStringLiteral("cores_busy_elsewhere")).toDouble())), 1,
        allowed);
    for (const ExpectedFigure &f : scenario.expected) {
        const VariantResult *v = find(f.variant);
        const VariantResult *ref = f.ratioTo.isEmpty() ? nullptr : find(f.ratioTo);
        if (!v || (!f.ratioTo.isEmpty() && !ref))
            continue; // variant not run (--variant)
        FigureCheck c;
        c.figure = f;
        if (f.minCores > cores) {
            c.notApplicable = cores == allowed
                ? QStringLiteral("%1 core%2").arg(cores).arg(cores == 1 ? "" : "s")
                : QStringLiteral("%1 of %2 cores free").arg(cores).arg(allowed);
            c.pass = true;
            checks.push_back(c);
            continue;
        }
        double value = f.value;
        if (f.roundsOf > 0) {
            const int pool = v->serverConfig.value(QStringLiteral("pool_size")).toInt(1);
            value = std::ceil(double(v->load.users) / std::max(1, pool)) * f.roundsOf;
        }
        if (f.cpuParallelOf > 0) {
            const int processes = v->serverConfig.value(QStringLiteral("process_pool_size")).toInt(0);
            const int pool
                = processes > 0 ? processes : v->serverConfig.value(QStringLiteral("pool_size")).toInt(1);
            const int users = std::max(1, v->load.users);
            value += users * f.cpuParallelOf / std::max(1, std::min({ pool, cores, users }));
        }
        const bool seconds = !ref && f.metric.endsWith(QLatin1String("_s"));
        double fixed = seconds ? f.fixedSeconds : 0.0;
        if (seconds && f.plusUnscaled) {
            // What did not shrink in the same variant at a tenth of this time scale, measured just
            // before it on this machine (it holds any fixed_s cost too).
            if (!v->shortPassMetrics.contains(f.metric) || v->shortPassTimeScale <= 0) {
                c.notApplicable = QStringLiteral("no short pass (loopscope run makes one)");
                c.pass = true;
                checks.push_back(c);
                continue;
            }
            c.unscaled = std::max(0.0, v->shortPassMetrics.value(f.metric) - value * v->shortPassTimeScale);
            fixed = c.unscaled;
        }
        // A utilisation is CPU time per second of run: the same work in a scaled time scales
        // like a rate. A ratio between variants scales not at all.
        const bool rate = !ref
            && (f.metric.endsWith(QLatin1String("_rps")) || f.metric.endsWith(QLatin1String("_util_pct")));
        const double factor = seconds ? scale : rate ? 1.0 / scale : 1.0;
        c.available = v->metrics.contains(f.metric) && (!ref || ref->metrics.value(f.metric) > 0);
        c.measured = ref ? v->metrics.value(f.metric) / std::max(1e-12, ref->metrics.value(f.metric))
                         : v->metrics.value(f.metric);
        const bool ran = c.available && v->error.isEmpty() && (!ref || ref->error.isEmpty());
        if (f.bounded()) {
            // One side only: the bound, at the run's time scale.
            const double bound = qIsNaN(f.atLeast) ? f.atMost : f.atLeast;
            c.expected = bound * factor + fixed;
            c.pass = ran && (qIsNaN(f.atLeast) ? c.measured <= c.expected : c.measured >= c.expected);
            checks.push_back(c);
            continue;
        }
        c.expected = value * factor + fixed;
        // With an unscaled part, the figure lies between the longer of the two (the machine's work
        // done while the delays run) and their sum (done one after the other): the middle of that
        // range, widened by half of it.
        double spread = 0;
        if (!qIsNaN(c.unscaled)) {
            c.delaysOnly = c.expected - c.unscaled;
            const double lowest = std::max(c.delaysOnly, c.unscaled);
            spread = (c.expected - lowest) / 2;
            c.expected -= spread;
        }
        // Relative tolerance, or the absolute one, whichever is wider. Seconds get a floor for the
        // fixed costs that do not shrink with the time scale: 30 ms, plus 0.5 ms per user for
        // opening that user's connection and parsing its request (100 users on 2 cores: ~50 ms).
        c.allowed = std::max(std::abs(c.expected) * f.tolerance, f.absTolerance * factor);
        if (seconds)
            c.allowed = std::max(c.allowed, 0.030 + 0.0005 * v->load.users);
        c.allowed += spread;
        c.pass = ran && std::abs(c.measured - c.expected) <= c.allowed;
        checks.push_back(c);
    }
}

QString FigureCheck::expectation(int decimals) const
{
    if (!notApplicable.isEmpty())
        return QStringLiteral("–");
    const QString x = QString::number(expected, 'f', decimals);
    if (figure.bounded())
        return (qIsNaN(figure.atLeast) ? QStringLiteral("≤ ") : QStringLiteral("≥ ")) + x;
    return QStringLiteral("%1 ± %2").arg(x, QString::number(allowed, 'f', decimals));
}

QString FigureCheck::verdict() const
{
    if (!notApplicable.isEmpty())
        return QStringLiteral("not applicable: ") + notApplicable;
    return pass ? QStringLiteral("PASS") : QStringLiteral("FAIL");
}

MachineLoad MachineLoad::now()
{
    MachineLoad m;
    m.wallNs = TraceClock::nowNs();
    cpu_set_t set;
    CPU_ZERO(&set);
    const bool masked = sched_getaffinity(0, sizeof set, &set) == 0;
    QFile stat(QStringLiteral("/proc/stat"));
    if (stat.open(QIODevice::ReadOnly)) {
        const qint64 tick = 1'000'000'000 / std::max<long>(1, sysconf(_SC_CLK_TCK));
        for (const QByteArray &line : stat.readAll().split('\n')) {
            // "cpuN user nice system idle iowait irq softirq steal ...": busy is all but idle, iowait
            if (!line.startsWith("cpu") || line.size() < 4 || line[3] < '0' || line[3] > '9')
                continue;
            const QList<QByteArray> f = line.simplified().split(' ');
            if (f.size() < 9 || (masked && !CPU_ISSET(f[0].mid(3).toInt(), &set)))
                continue;
            for (int i : { 1, 2, 3, 6, 7, 8 })
                m.busyNs += f[i].toLongLong() * tick;
        }
    }
    timespec ts {};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    m.ownNs = qint64(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
    rusage children {};
    if (getrusage(RUSAGE_CHILDREN, &children) == 0) {
        for (const timeval &t : { children.ru_utime, children.ru_stime })
            m.ownNs += qint64(t.tv_sec) * 1'000'000'000 + qint64(t.tv_usec) * 1000;
    }
    return m;
}

double MachineLoad::othersBusyCores(const MachineLoad &start, const MachineLoad &end)
{
    const qint64 wall = end.wallNs - start.wallNs;
    if (wall <= 0 || start.busyNs == 0)
        return 0;
    const qint64 others = (end.busyNs - start.busyNs) - (end.ownNs - start.ownNs);
    return std::max(0.0, double(others) / double(wall));
}

int RunResult::availableCores()
{
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0)
        return std::max(1, CPU_COUNT(&set));
    return std::max(1, QThread::idealThreadCount());
}
