#pragma once

#include "servercounters.h"

#include <QList>
#include <QMutex>
#include <deque>

// A bounded, thread-safe time series of CounterSample (oldest dropped first).
// Written at 100 Hz by the sampler, read by the GUI and exporters by cursor.
class CounterSeries
{
public:
    explicit CounterSeries(qsizetype capacity = 360000); // one hour at 100 Hz

    void append(const CounterSample &sample);
    // Samples with index >= from (indices count from the first sample ever appended).
    QList<CounterSample> readFrom(quint64 from, quint64 *next = nullptr) const;
    QList<CounterSample> between(qint64 fromNs, qint64 toNs) const;
    quint64 count() const;
    void clear();

private:
    mutable QMutex m_mutex;
    std::deque<CounterSample> m_samples;
    quint64 m_dropped = 0;
    const qsizetype m_capacity;
};
