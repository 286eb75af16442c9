#include "countersampler.h"

#include "base/threadregistry.h"
#include "base/traceclock.h"

#include <QTimer>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

CounterSampler::CounterSampler(ServerCounters *counters, CounterSeries *series, QObject *parent)
    : QObject(parent)
    , m_counters(counters)
    , m_series(series)
{
    m_thread.setObjectName(QStringLiteral("counter-sampler"));
}

CounterSampler::~CounterSampler()
{
    stop();
}

void CounterSampler::start(int intervalMs)
{
    if (m_thread.isRunning())
        return;
    m_thread.start();
    // The timer lives on the sampler thread so a busy GUI or server never delays a sample.
    m_timer = new QTimer;
    m_timer->setTimerType(Qt::PreciseTimer);
    m_timer->setInterval(intervalMs);
    m_timer->moveToThread(&m_thread);
    connect(
        m_timer, &QTimer::timeout, m_timer, [this] { takeSample(); }, Qt::DirectConnection);
    QMetaObject::invokeMethod(m_timer, [this] {
        ThreadRegistry::nameCurrentThread(QStringLiteral("counter-sampler"));
        m_timer->start();
    });
}

void CounterSampler::stop()
{
    if (!m_thread.isRunning())
        return;
    QMetaObject::invokeMethod(
        m_timer,
        [this] {
            m_timer->stop();
            delete m_timer;
            m_timer = nullptr;
        },
        Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

CounterSample CounterSampler::sampleNow() const
{
    const ServerCounters &c = *m_counters;
    CounterSample s;
    s.tNs = TraceClock::nowNs();
    s.inFlight = c.inFlight.load(std::memory_order_relaxed);
    s.waiting = c.waiting.load(std::memory_order_relaxed);
    s.poolActive = c.poolActive.load(std::memory_order_relaxed);
    s.poolMax = c.poolMax.load(std::memory_order_relaxed);
    s.poolQueued = c.poolQueued.load(std::memory_order_relaxed);
    s.connections = c.connections.load(std::memory_order_relaxed);
    s.completed = c.completed.load(std::memory_order_relaxed);
    s.failed = c.failed.load(std::memory_order_relaxed);
    s.rejected = c.rejected.load(std::memory_order_relaxed);
    s.dbBusy = c.dbBusy.load(std::memory_order_relaxed);
    s.dbPoolSize = c.dbPoolSize.load(std::memory_order_relaxed);
    s.dbWaiting = c.dbWaiting.load(std::memory_order_relaxed);
    s.acceptQueue = acceptQueueLength(m_listenFd.load(std::memory_order_relaxed));
    s.cpuPct = m_cpuPct.load(std::memory_order_relaxed);
    s.poolCpuPct = m_poolCpuPct.load(std::memory_order_relaxed);
    s.rssBytes = m_rssBytes.load(std::memory_order_relaxed);
    s.threads = m_threads.load(std::memory_order_relaxed);
    s.workers = std::min(c.workers.load(std::memory_order_relaxed), ServerCounters::MaxWorkers);
    for (int i = 0; i < s.workers; ++i) {
        const LoopHeartbeat &hb = c.loops[size_t(i)];
        const qint64 expected = hb.expectedNs.load(std::memory_order_relaxed);
        const qint64 overdue = expected > 0 ? std::max<qint64>(0, s.tNs - expected) : 0;
        s.loopLagMs[size_t(i)] = float(std::max(overdue, hb.peakLagNs.load(std::memory_order_relaxed)) / 1e6);
    }
    return s;
}

int CounterSampler::acceptQueueLength(int listenFd)
{
    if (listenFd < 0)
        return 0;
    // For a listening socket Linux reports the accept queue's length in tcpi_unacked (and its
    // limit in tcpi_sacked): what `ss -lt` shows as Recv-Q.
    tcp_info info {};
    socklen_t len = sizeof(info);
    if (::getsockopt(listenFd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0 || info.tcpi_state != TCP_LISTEN)
        return 0;
    return int(info.tcpi_unacked);
}

void CounterSampler::takeSample()
{
    const qint64 now = TraceClock::nowNs();
    std::shared_ptr<const LaneCpuList> lanes;
    if (now - m_lastResourcesNs >= ResourceWindowNs - 5'000'000) {
        const bool first = m_lastResourcesNs == 0;
        const ProcessResources::Sample r = m_resources.sample(now);
        m_lastResourcesNs = now;
        m_cpuPct.store(r.cpuPct, std::memory_order_relaxed);
        m_poolCpuPct.store(r.poolCpuPct, std::memory_order_relaxed);
        m_rssBytes.store(r.rssBytes, std::memory_order_relaxed);
        m_threads.store(r.threads, std::memory_order_relaxed);
        if (!first)
            lanes = r.lanes;
    }
    CounterSample s = sampleNow();
    s.laneCpu = std::move(lanes);
    // The peak is per sampling period: reset it once it is recorded.
    for (int i = 0; i < s.workers; ++i)
        m_counters->loops[size_t(i)].peakLagNs.store(0, std::memory_order_relaxed);
    m_series->append(s);
}
