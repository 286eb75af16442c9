#pragma once

#include "base/threadregistry.h"
#include "trace/requestrecord.h"

#include <QString>
#include <thread>

// Records and lanes for the timeline suites and the timeline benchmark: a request with its times,
// a span on a lane, and a thread registered under a name and kind (ThreadRegistry names the
// thread that asks, so a short-lived one does).
namespace TimelineFixtures {

inline RequestRecord request(qint64 arrived, qint64 responded, DispatchMode mode = DispatchMode::Async)
{
    RequestRecord r;
    r.arrivedNs = arrived;
    r.respondedNs = responded;
    r.status = responded > 0 ? 200 : 0;
    r.mode = mode;
    return r;
}

inline void addSpan(RequestRecord &r, Phase phase, qint64 s, qint64 e, quint16 thread)
{
    const int k = r.beginSpan(phase, s, thread);
    if (e > 0)
        r.endSpan(k, e);
}

inline quint16 registerThread(const QString &name, LaneKind kind)
{
    quint16 index = 0;
    std::thread t([&] {
        ThreadRegistry::nameCurrentThread(name, kind);
        index = ThreadRegistry::currentIndex();
    });
    t.join();
    return index;
}

} // namespace TimelineFixtures
