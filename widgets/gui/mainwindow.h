#pragma once

#include "timeline/timelinedata.h"

#include <QMainWindow>

class ChatPanel;
class ChatServer;
class CounterPlotsPanel;
class QLabel;
class QSplitter;
class QTextBrowser;
class QTimer;
class QToolButton;
class ServerControlPanel;
class TimelineView;
class TimeViewState;
class UsersPanel;

// LoopScope's main window: server controls and simulated users on the left, the request and
// thread timelines with the counter plots in the centre, chat and request details on the right.
// A ~30 Hz timer on the GUI thread pulls only what is new from the recorder and counter series.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(ChatServer *server, QWidget *parent = nullptr);
    ~MainWindow() override;

    ServerControlPanel *serverPanel() const { return m_serverPanel; }
    UsersPanel *usersPanel() const { return m_usersPanel; }
    ChatPanel *chatPanel() const { return m_chat; }
    CounterPlotsPanel *plots() const { return m_plots; }
    TimelineView *requestView() const { return m_requestView; }
    TimelineView *threadView() const { return m_threadView; }
    const TimelineData &timelineData() const { return m_data; }
    TimeViewState *timeState() const { return m_state; }

    // Takes what is new from the server now (the timer calls this ~30 times a second).
    void pullData();
    // Writes every counter plot to `dir` as <name>.<suffix>; returns the files written.
    QStringList exportPlots(const QString &dir, const QString &suffix);
    void setDarkTheme(bool dark);
    // Shows everything recorded so far (pauses following).
    void fitToData();
    // Takes the load generator's send times, so backlog waits show on the request bars.
    void joinClientSends();
    void restoreSettings();
    void saveSettings() const;

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildMenus();
    void showSelected(qsizetype index);

public:
    void selectRequest(qsizetype index) { showSelected(index); }
    // Statistics of the requests that arrived in [fromNs, toNs), as HTML (details panel).
    QString rangeStatistics(qint64 fromNs, qint64 toNs) const;

private:
    void onServerStarted();

    ChatServer *m_server;
    TimelineData m_data;
    TimeViewState *m_state;
    ServerControlPanel *m_serverPanel;
    UsersPanel *m_usersPanel;
    ChatPanel *m_chat;
    CounterPlotsPanel *m_plots;
    TimelineView *m_requestView;
    TimelineView *m_threadView;
    QSplitter *m_centre;
    QTextBrowser *m_details;
    QLabel *m_stats;
    QToolButton *m_followButton;
    QTimer *m_pullTimer;
    quint64 m_sampleCursor = 0;
    qint64 m_lastSampleNs = 0;
    qint64 m_lastJoinNs = 0;
    qsizetype m_selected = -1;
    bool m_dark = true;
};
