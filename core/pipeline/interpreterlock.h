#pragma once

#include <QtGlobal>
#include <atomic>
#include <condition_variable>
#include <mutex>

class LockTrack;

// A model of CPython's global interpreter lock (GIL), for the thread pool's `--gil` switch.
// C++ threads run in parallel; CPython's threads do not: a thread must hold this one lock to run
// Python code. Like CPython (3.2+), the model's threads:
// - hold it while they compute (the CPU-bound step) and release it while they wait on I/O (the
//   simulated DB and LLM waits take no lock at all);
// - give it up every switch interval (sys.getswitchinterval(), 5 ms) when another thread waits,
//   and queue behind the waiters (first come, first served), so CPU-bound threads take turns.
// The result is CPython's: N CPU-bound threads finish N pieces of work in the time one thread
// would, whatever the number of cores.
//
// Every turn (who asked when, held it from when to when) goes into a LockTrack
// (trace/locktrack.h), the recorder's, not into the requests' span slots: the views draw the lock
// changing hands from it, a request's details sum its own turns, run.json stores them.
class InterpreterLock
{
public:
    static constexpr qint64 SwitchIntervalNs = 5'000'000;

    // Where the turns are recorded (none: not recorded). Set before the lock is used.
    void setTrack(LockTrack *track) { m_track = track; }

    bool tryAcquire(); // only when free and nobody queues
    void acquire(); // waits for its turn
    void release();
    bool othersWaiting() const { return m_waiting.load(std::memory_order_relaxed) > 0; }

private:
    std::mutex m_mutex;
    std::condition_variable m_turn;
    bool m_held = false;
    quint64 m_nextTicket = 0;
    quint64 m_serving = 0;
    std::atomic<int> m_waiting { 0 };
    LockTrack *m_track = nullptr;
    quint64 m_holderTurn = 0; // the holder's turn in m_track
};
