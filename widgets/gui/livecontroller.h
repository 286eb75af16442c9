#pragma once

#include "livefeed.h"

#include <QObject>

class ChatServer;
class CounterPlotsPanel;
class QLabel;
class QTimer;
class ServerControlPanel;
class TimelineView;
class TimeViewState;
class UsersPanel;

// The live view's pump: a ~30 Hz timer on the GUI thread takes what is new from the server
// (through LiveFeed, never blocking it) into the timelines and the counter plots, follows the
// clock while serving, joins the simulated users' send times a few times a second and keeps the
// status-bar counts. While a saved run is shown only the records are read (the recorder is a
// ring); resume() catches the plots up.
class LiveController : public QObject
{
    Q_OBJECT
public:
    struct Views
    {
        ServerControlPanel *server;
        UsersPanel *users;
        CounterPlotsPanel *plots;
        TimelineView *requests;
        TimelineView *threads;
        QLabel *stats;
    };
    LiveController(ChatServer *server, TimeViewState *state, QObject *parent = nullptr);

    // The views it feeds; starts the pump.
    void start(const Views &views);
    TimelineData &data() { return m_feed.data(); }
    const TimelineData &data() const { return m_feed.data(); }
    qint64 originNs() const { return m_feed.originNs(); }
    void setShowingRun(bool showingRun) { m_showingRun = showingRun; }

    // Takes what is new from the server now (the timer calls this ~30 times a second).
    void pull();
    // Takes the load generator's send times, so backlog waits show on the request bars.
    void joinClientSends();
    // Reads every live record again and repaints (observed requests moved by clock offsets).
    void rereadRecords();
    // A server started: with nothing recorded yet, times count from its start.
    void serverStarted();
    // Back to live after a run was shown: counters read again from the start, latencies
    // recomputed, following the clock.
    void resume();

signals:
    // Live records arrived or changed (a selected request still in flight is described again).
    void recordsChanged();

private:
    ChatServer *m_server;
    TimeViewState *m_state;
    LiveFeed m_feed;
    Views m_views {};
    QTimer *m_timer;
    bool m_showingRun = false;
};
