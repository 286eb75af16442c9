#pragma once

#include "counterseries.h"
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

private:
    void takeSample();

    ServerCounters *m_counters;
    CounterSeries *m_series;
    QThread m_thread;
    QTimer *m_timer = nullptr;
};
