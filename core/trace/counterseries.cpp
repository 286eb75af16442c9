#include "counterseries.h"

CounterSeries::CounterSeries(qsizetype capacity)
    : m_capacity(capacity)
{ }

void CounterSeries::append(const CounterSample &sample)
{
    QMutexLocker lock(&m_mutex);
    m_samples.push_back(sample);
    if (qsizetype(m_samples.size()) > m_capacity) {
        m_samples.pop_front();
        ++m_dropped;
    }
}

QList<CounterSample> CounterSeries::readFrom(quint64 from, quint64 *next) const
{
    QMutexLocker lock(&m_mutex);
    const quint64 end = m_dropped + m_samples.size();
    QList<CounterSample> out;
    if (from < m_dropped)
        from = m_dropped;
    if (from < end) {
        out.reserve(qsizetype(end - from));
        for (auto it = m_samples.begin() + qsizetype(from - m_dropped); it != m_samples.end(); ++it)
            out.append(*it);
    }
    if (next)
        *next = end;
    return out;
}

QList<CounterSample> CounterSeries::between(qint64 fromNs, qint64 toNs) const
{
    QMutexLocker lock(&m_mutex);
    QList<CounterSample> out;
    for (const CounterSample &s : m_samples) {
        if (s.tNs >= fromNs && s.tNs <= toNs)
            out.append(s);
    }
    return out;
}

quint64 CounterSeries::count() const
{
    QMutexLocker lock(&m_mutex);
    return m_dropped + m_samples.size();
}

void CounterSeries::clear()
{
    QMutexLocker lock(&m_mutex);
    m_samples.clear();
    m_dropped = 0;
}
