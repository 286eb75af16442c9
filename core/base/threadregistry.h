#pragma once

#include <QString>
#include <QStringList>

// Gives every thread that does traced work a small stable index and a readable name
// ("worker-0", "pool-3"), so a 300-byte request record can say which thread ran each phase,
// and the timeline can draw one lane per thread.
// What a lane stands for. Views group and colour lanes by this, never by their name.
enum class LaneKind : quint8 {
    Other, // any other thread (counter sampler, helpers)
    WorkerLoop, // a server worker's event loop (blocking here is the lesson)
    PoolThread, // a thread of the executor pool
    Process, // a process of a process pool (its work runs outside this process)
    Service, // an observed outside service instance (OTLP)
};

// The lanes whose CPU is the server's own work (its loops and its executor threads), as opposed to
// the load generator, the window or a sampler sharing the process.
inline bool servesRequests(LaneKind kind)
{
    return kind == LaneKind::WorkerLoop || kind == LaneKind::PoolThread;
}

namespace ThreadRegistry {

// Index of the calling thread; registers it under `name` on first call.
// Later calls with another name rename it (pool threads are named on first use).
quint16 currentIndex();
void nameCurrentThread(const QString &name, LaneKind kind = LaneKind::Other);
QString currentName();
QString name(quint16 index);
QStringList names();
LaneKind kind(quint16 index);
QList<LaneKind> kinds(); // parallel to names()

// A lane that is not a thread of this process (a pool process, an observed service instance).
quint16 registerLane(const QString &name, LaneKind kind);

} // namespace ThreadRegistry
