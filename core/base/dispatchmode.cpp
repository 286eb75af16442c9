#include "dispatchmode.h"

QString dispatchModeName(DispatchMode mode)
{
    switch (mode) {
    case DispatchMode::Blocking:
        return QStringLiteral("blocking");
    case DispatchMode::Executor:
        return QStringLiteral("executor");
    case DispatchMode::Async:
        return QStringLiteral("async");
    }
    return {};
}

bool parseDispatchMode(const QString &text, DispatchMode *mode)
{
    for (DispatchMode m : { DispatchMode::Blocking, DispatchMode::Executor, DispatchMode::Async }) {
        if (text.compare(dispatchModeName(m), Qt::CaseInsensitive) == 0) {
            *mode = m;
            return true;
        }
    }
    return false;
}
