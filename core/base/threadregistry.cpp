#include "threadregistry.h"

#include <QMutex>
#include <QThread>
#include <pthread.h>

namespace {

struct Registry
{
    QMutex mutex;
    QStringList names;
    QList<LaneKind> kinds;
};

Registry &registry()
{
    static Registry r;
    return r;
}

thread_local int t_index = -1;

quint16 registerThread(const QString &name, LaneKind kind)
{
    Registry &r = registry();
    QMutexLocker lock(&r.mutex);
    r.names.append(name);
    r.kinds.append(kind);
    return quint16(r.names.size() - 1);
}

} // namespace

namespace ThreadRegistry {

quint16 currentIndex()
{
    if (t_index < 0) {
        QString name = QThread::currentThread()->objectName();
        if (name.isEmpty())
            name = QStringLiteral("thread-%1").arg(quintptr(QThread::currentThreadId()), 0, 16);
        t_index = registerThread(name, LaneKind::Other);
    }
    return quint16(t_index);
}

void nameCurrentThread(const QString &name, LaneKind kind)
{
    QThread::currentThread()->setObjectName(name);
    // The OS name shows in gdb, top -H and perf; it is limited to 15 bytes.
    pthread_setname_np(pthread_self(), name.left(15).toUtf8().constData());
    if (t_index < 0) {
        t_index = registerThread(name, kind);
        return;
    }
    Registry &r = registry();
    QMutexLocker lock(&r.mutex);
    r.names[t_index] = name;
    r.kinds[t_index] = kind;
}

QString currentName()
{
    return name(currentIndex());
}

QString name(quint16 index)
{
    Registry &r = registry();
    QMutexLocker lock(&r.mutex);
    return index < r.names.size() ? r.names.at(index) : QString();
}

QStringList names()
{
    Registry &r = registry();
    QMutexLocker lock(&r.mutex);
    return r.names;
}

LaneKind kind(quint16 index)
{
    Registry &r = registry();
    QMutexLocker lock(&r.mutex);
    return index < r.kinds.size() ? r.kinds.at(index) : LaneKind::Other;
}

QList<LaneKind> kinds()
{
    Registry &r = registry();
    QMutexLocker lock(&r.mutex);
    return r.kinds;
}

quint16 registerLane(const QString &name, LaneKind kind)
{
    return registerThread(name, kind);
}

} // namespace ThreadRegistry
