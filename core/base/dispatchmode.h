#pragma once

#include <QString>
#include <QtGlobal>

// The seeds' three ways of serving a request, as a word every layer can carry: records store it,
// run files name it. What each mode *does*, and the policies that follow from it, live with the
// dispatch itself in pipeline/dispatch.h.
enum class DispatchMode : quint8 {
    Blocking, // the pipeline runs on the worker's event-loop thread and blocks it
    Executor, // the same pipeline runs on an executor (run_in_executor)
    Async, // no thread waits: timers and non-blocking I/O
};

QString dispatchModeName(DispatchMode mode);
bool parseDispatchMode(const QString &text, DispatchMode *mode);
