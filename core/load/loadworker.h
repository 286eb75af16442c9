#pragma once

#include "clientconnection.h"
#include "clientrecord.h"
#include "loadsettings.h"

#include <QMutex>
#include <QObject>
#include <QTimer>
#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <queue>
#include <random>
#include <vector>

// Counters the workers update and LoadGenerator reads for progress (relaxed atomics).
struct LoadShared
{
    std::atomic<quint64> done { 0 };
    std::atomic<quint64> ok { 0 };
    std::atomic<quint64> errors { 0 };
    std::atomic<quint64> late { 0 };
    std::atomic<qint64> inFlight { 0 };
    std::atomic<qint64> openSockets { 0 };
    std::atomic<quint64> nextTag { 1 };
    std::atomic<qint64> cpuNs { 0 }; // thread CPU time of the finished workers
    quint64 tagBase = 0;
    qint64 startNs = 0;
};

// One generator thread's share of the simulated users: their schedule (closed and open models,
// think times, arrivals) and their records; each user's HTTP connection is a ClientConnection.
// Lives on its own thread (with an EpollEventDispatcher); everything but snapshot() runs there.
class LoadWorker : public QObject, public ClientConnection::Owner
{
    Q_OBJECT
public:
    LoadWorker(int index, int count, const LoadSettings &settings, LoadShared *shared);
    ~LoadWorker() override;

    void run(); // on the worker thread
    void stop(); // on the worker thread: cancels what is in flight, records it as cancelled
    QList<ClientRecord> snapshot() const; // any thread
    quint64 recordCount() const;

signals:
    void done();

private:
    using Conn = ClientConnection;
    struct Event
    {
        qint64 deadline;
        quint64 order;
        std::function<void()> fn;
        bool operator>(const Event &o) const
        {
            return deadline != o.deadline ? deadline > o.deadline : order > o.order;
        }
    };

    // scheduling
    void schedule(qint64 deadlineNs, std::function<void()> fn);
    void onTimer();
    void rearm();
    qint64 thinkNs();

    // closed model
    void startUser(int local, qint64 intendedNs);
    void userFinished(int local);
    // open model
    void scheduleArrival(quint64 k, qint64 atNs);
    void arrive(quint64 k, qint64 intendedNs);
    void connFreed(Conn &c);

    // HTTP
    ClientRecord newRecord(int user, int sequence, qint64 intendedNs);
    Conn &newConn(int user);
    void send(Conn &c, const ClientRecord &record);
    void requestEnded(Conn &c, ClientError error) override;
    void publish(const ClientRecord &r);
    void checkTimeouts();
    void checkDone();

    const int m_index;
    const int m_count;
    const LoadSettings m_settings;
    LoadShared *m_shared;
    QString m_host;
    quint16 m_port = 80;
    QByteArray m_path;
    QByteArray m_hostHeader;
    QByteArray m_apiKey;
    ClientConnection::Target m_target; // the server's address, resolved once
    EpollEventDispatcher *m_dispatcher = nullptr;

    std::priority_queue<Event, std::vector<Event>, std::greater<>> m_events;
    quint64 m_eventOrder = 0;
    QTimer *m_timer = nullptr;
    QTimer *m_watchdog = nullptr;
    std::mt19937_64 m_rng;

    std::vector<std::unique_ptr<Conn>> m_conns;
    std::vector<int> m_userIds; // closed: global user id of each local user
    std::vector<int> m_userSent; // closed: requests sent per local user
    int m_activeUsers = 0;
    int m_naiveNext = 0; // naive: the next local user to start
    std::vector<Conn *> m_idle; // open: kept-alive connections with nothing to do
    std::deque<ClientRecord> m_backlog; // open: arrivals waiting for a connection
    bool m_arrivalsDone = false;
    bool m_stopping = false;
    bool m_finished = false;
    qint64 m_cpuStartNs = 0;

    mutable QMutex m_mutex;
    std::vector<ClientRecord> m_records;
};
