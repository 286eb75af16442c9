#pragma once

#include "scenario/runresult.h"

#include <QList>
#include <mutex>
#include <span>

class ChatServer;

// A recording of whatever load reaches the in-process server (issue #23): Locust, wrk, hey,
// curl, the seeds' test script, the window's own simulated users. Everything the server handled
// between start() and stop() becomes a run of one variant, "recorded": the server's records
// with all their phases, the counters, the supervisor's scale events and the lanes. There are
// no client records (the load came from outside), so the client-side figures are not measured;
// latency is the server's, from reading the request to writing its last byte.
//
// Requests in flight when the recording starts or stops are kept, flagged boundary, in the
// variant's `other` list: drawn muted, never counted (like other traffic during a simulated run).
class ServerRecording
{
public:
    static constexpr char ScenarioName[] = "record";
    static constexpr char VariantName[] = "recorded";

    explicit ServerRecording(ChatServer *server);

    void start();
    bool isRecording() const { return m_startNs != 0; }
    qint64 startNs() const { return m_startNs; }
    // Ends the recording now and returns its run.
    RunResult stop();

    // The run of [startNs, endNs]: of `records`, those that arrived and were answered inside it
    // are the run's; those that overlap one of its ends are kept with the boundary flag in
    // `other`; records on observed (OTLP service) lanes are left out.
    static RunResult build(std::span<const RequestRecord> records, const QList<CounterSample> &samples,
                           const QList<ScaleEvent> &scaleEvents, qint64 startNs, qint64 endNs,
                           const QJsonObject &serverConfig);
    // Is this run a recording (from build(), or a run.json it wrote)?
    static bool isRecording(const RunResult &run);

    // Lets another thread stop writeAll() (a second Ctrl+C).
    class WriteControl
    {
    public:
        // After this returns, either all five files are in place or none is, and the temporary
        // folder is gone; a writeAll() still running fails with "cancelled". False when the
        // files were already all in place.
        bool cancel();

    private:
        friend class ServerRecording;
        std::mutex m_mutex; // held while the files are renamed into place, and by cancel()
        bool m_cancelled = false;
        bool m_done = false;
        QString m_tempDir;
    };

    // Writes the five files of `loopscope run` into dir (created if missing) without ever leaving
    // a partial one there: they are written into a temporary folder inside dir first, and renamed
    // into place only when all five are complete. Files of the same names already in dir are
    // replaced. Safe to call off the GUI thread.
    static bool writeAll(const RunResult &run, const QString &dir, QStringList *written, QString *error,
                         WriteControl *control = nullptr);

    // Makes `dir` ready for a recording, or says why it cannot be: a file, not empty (unless
    // `force`), cannot be created or written into (tried, so root and read-only file systems
    // are told the truth). Creates the folder when it is missing.
    static QString prepareOutputDir(const QString &dir, bool force);

private:
    ChatServer *m_server;
    qint64 m_startNs = 0;
    quint64 m_fromSeq = 0; // recorder position when the recording started
    quint64 m_fromSample = 0;
};
