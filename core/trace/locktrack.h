#pragma once

#include <QtGlobal>
#include <mutex>
#include <vector>

// One turn at the modelled interpreter lock (pipeline/interpreterlock.h): the thread asked for it
// at askedNs, held it from startNs to endNs. askedNs < startNs is a wait; startNs == 0 while still
// waiting, endNs == 0 while holding.
struct LockHold
{
    qint64 askedNs = 0;
    qint64 startNs = 0;
    qint64 endNs = 0;
    quint16 thread = 0; // ThreadRegistry index, as TraceSpan::thread

    bool operator==(const LockHold &) const = default;
};

// The lock's own track: every turn in the order threads asked, kept apart from the request
// records (a record has ten span slots; a CPU step under the GIL changes hands every 5 ms).
// Bounded: a ring of `capacity` turns; when it wraps the oldest are forgotten and counted. The
// lock writes under its own mutex; readers (the window ~30 times a second, a run's export) copy.
class LockTrack
{
public:
    explicit LockTrack(quint64 capacity = quint64(1) << 18);

    // A thread asks for the lock: returns the turn's sequence number.
    quint64 ask(quint16 thread, qint64 nowNs);
    void start(quint64 seq, qint64 nowNs);
    void end(quint64 seq, qint64 nowNs);

    quint64 count() const;
    quint64 firstAvailable() const;
    // Turns [max(from, firstAvailable()), count()), open ones as they are now; *first gets the
    // sequence number of the first one returned.
    std::vector<LockHold> readFrom(quint64 from, quint64 *first = nullptr) const;
    // Turns that overlap [fromNs, toNs] (for a run's run.json).
    std::vector<LockHold> between(qint64 fromNs, qint64 toNs) const;
    void clear();

private:
    LockHold *at(quint64 seq);

    const quint64 m_capacity;
    mutable std::mutex m_mutex;
    std::vector<LockHold> m_ring; // grows to m_capacity, then wraps
    quint64 m_next = 0;
};
