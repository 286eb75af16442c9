#pragma once

#include "counterseries.h"
#include "processresources.h"
#include "servercounters.h"

#include <QObject>
#include <QThread>

class QTimer;

// Samples ServerCounters into a CounterSeries on its own thread with a precise timer
// (100 Hz by default). Event-loop lag is read live: while a loop is stuck, the lag of its
// overdue heartbeat grows sample by sample, so a blocked loop shows *while* it is blocked.
class CounterSampler : public QObject
{
    Q_OBJECT
public:
    CounterSampler(ServerCounters *counters, CounterSeries *series, QObject *parent = nullptr);
    ~CounterSampler() override;

    void start(int intervalMs = 10);
    void stop();
    CounterSample sampleNow() const;
    // The shared listening socket, whose accept queue is sampled (-1: none).
    void setListenFd(int fd) { m_listenFd.store(fd); }
    // Connections waiting in a listening socket's accept queue (TCP_INFO; 0 when unknown).
    static int acceptQueueLength(int listenFd);

    static constexpr qint64 ResourceWindowNs = 100'000'000; // /proc is read every 100 ms

private:
    void takeSample();

    ServerCounters *m_counters;
    CounterSeries *m_series;
    QThread m_thread;
    QTimer *m_timer = nullptr;
    std::atomic<int> m_listenFd { -1 };
    // Sampler thread only:
    ProcessResources m_resources;
    qint64 m_lastResourcesNs = 0;
    // The last window's figures, also read by sampleNow() from other threads.
    std::atomic<float> m_cpuPct { 0 };
    std::atomic<float> m_poolCpuPct { 0 };
    std::atomic<qint64> m_rssBytes { 0 };
    std::atomic<int> m_threads { 0 };
};
