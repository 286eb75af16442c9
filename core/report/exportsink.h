#pragma once

#include <QByteArray>
#include <QIODevice>
#include <QString>
#include <cstring>

struct RunResult;

// What the exporters (runjson.cpp, tracejson.cpp, runexport.cpp) share. Private to core/report.
namespace RunExport {

// Where a file's text goes: a QByteArray (for the functions that return one) or, in 1 MB
// pieces, a file, so writing a 100,000-request run never holds a whole file in memory.
struct Sink
{
    QIODevice *device = nullptr;
    QByteArray buffer;
    bool failed = false;

    Sink &operator+=(const QByteArray &text)
    {
        buffer += text;
        if (device && buffer.size() >= (1 << 20))
            flush();
        return *this;
    }
    Sink &operator+=(const char *text)
    {
        return *this += QByteArray::fromRawData(text, qsizetype(strlen(text)));
    }
    Sink &operator+=(char c)
    {
        buffer += c;
        return *this;
    }
    void flush()
    {
        if (device && !buffer.isEmpty()) {
            failed = failed || device->write(buffer) != buffer.size();
            buffer.truncate(0);
        }
    }
};

// A JSON string literal, quoted and escaped.
QByteArray jsonString(const QString &s);

// The streaming writers behind runJson, requestsCsv and traceJson (writeAll streams them to files).
void writeRunJson(const RunResult &run, Sink &out);
void writeRequestsCsv(const RunResult &run, Sink &out);
void writeTraceJson(const RunResult &run, Sink &out);

} // namespace RunExport
