#pragma once

#include <QString>
#include <QStringList>

// Gives every thread that does traced work a small stable index and a readable name
// ("worker-0", "pool-3"), so a 300-byte request record can say which thread ran each phase,
// and the timeline can draw one lane per thread.
namespace ThreadRegistry {

// Index of the calling thread; registers it under `name` on first call.
// Later calls with another name rename it (pool threads are named on first use).
quint16 currentIndex();
void nameCurrentThread(const QString &name);
QString currentName();
QString name(quint16 index);
QStringList names();

} // namespace ThreadRegistry
