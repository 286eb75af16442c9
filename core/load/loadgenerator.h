#pragma once

#include "clientrecord.h"
#include "loadsettings.h"

#include <QList>
#include <QObject>
#include <memory>
#include <vector>

class LoadWorker;
class QThread;
class QTimer;
struct LoadShared;

// Where a load run stands; emitted a few times a second, never per request.
struct LoadProgress
{
    quint64 done = 0; // requests finished (every outcome)
    quint64 total = 0; // expected requests, 0 when the run is time-bound
    quint64 ok = 0;
    quint64 errors = 0;
    quint64 late = 0; // sends that left later than their intended time (+ threshold)
    qint64 inFlight = 0;
    qint64 openSockets = 0;
    double elapsedSeconds = 0;
    double requestsPerSecond = 0; // completions over the last progress interval
    double fraction = 0; // 0..1
};
Q_DECLARE_METATYPE(LoadProgress)

// The simulated users: real HTTP over non-blocking sockets, on threads of its own (never the
// caller's, never the server's). Closed or open model, or the seeds' naive serial client.
// The object itself lives on the caller's thread; start/stop/snapshot may be called from there
// while the worker threads run. See docs/LOAD_CLIENT.md.
class LoadGenerator : public QObject
{
    Q_OBJECT
public:
    explicit LoadGenerator(QObject *parent = nullptr);
    ~LoadGenerator() override;

    void setSettings(const LoadSettings &settings);
    const LoadSettings &settings() const { return m_settings; }

    // Starts the worker threads; false (with a message) on bad settings.
    bool start(QString *error = nullptr);
    // Cancels what is in flight (recorded as cancelled) and finishes soon after.
    void stop();
    bool isRunning() const { return m_running; }

    qint64 startNs() const { return m_startNs; } // TraceClock ns: the first intended send
    qint64 endNs() const { return m_endNs; }
    // CPU time the generator's threads used (thread CPU clocks), once they are done.
    double cpuSeconds() const; // when the last worker finished (0 while running)

    // Thread-safe copy of every finished request so far, ordered by intended send time.
    QList<ClientRecord> snapshot() const;
    LoadProgress progress() const;

    // Raises the soft open-files limit to the hard limit; returns the new soft limit.
    static qint64 raiseOpenFileLimit();

signals:
    void progressChanged(const LoadProgress &progress); // at most 4 per second
    void finished();

private:
    void workerDone();
    void tick();

    LoadSettings m_settings;
    std::unique_ptr<LoadShared> m_shared;
    std::vector<QThread *> m_threads;
    std::vector<LoadWorker *> m_workers;
    QTimer *m_progressTimer = nullptr;
    int m_running = 0; // workers still running
    qint64 m_startNs = 0;
    qint64 m_endNs = 0;
    quint64 m_lastDone = 0;
    qint64 m_lastTickNs = 0;
    double m_lastRate = 0;
};
