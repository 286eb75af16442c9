#pragma once

#include "livefeed.h"
#include "runs/runstore.h"
#include "runs/sessionrun.h"
#include "timeline/timelinedata.h"

#include <QMainWindow>

class ChatPanel;
class ChatServer;
class CounterPlotsPanel;
class LessonBar;
class LessonController;
class LessonPlayer;
class QAction;
class QLabel;
class RunComparisonView;
class RunsPanel;
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
// It assembles and routes; the logic lives in the parts it owns: LiveFeed (a ~30 Hz timer on the
// GUI thread pulls only what is new from the recorder and counter series), LessonController
// (lesson replays), LatencySeries (the latency plot's points for live, saved and lesson views)
// and the views' models (core/timeline).
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(ChatServer *server, QWidget *parent = nullptr);
    ChatServer *server() const { return m_server; }
    ~MainWindow() override;

    ServerControlPanel *serverPanel() const { return m_serverPanel; }
    UsersPanel *usersPanel() const { return m_usersPanel; }
    ChatPanel *chatPanel() const { return m_chat; }
    CounterPlotsPanel *plots() const { return m_plots; }
    TimelineView *requestView() const { return m_requestView; }
    TimelineView *threadView() const { return m_threadView; }
    RunsPanel *runsPanel() const { return m_runs; }
    // What the views show: the live data, or a run from the Runs list.
    const TimelineData &timelineData() const { return *m_shown; }
    bool isShowingRun() const { return m_shown != &m_live.data(); }

    // Runs: every finished run is kept for the session.
    void addRun(const SessionRun &run);
    // Reads a run.json (every variant joins the Runs list) and shows its first variant.
    bool openRun(const QString &path, QString *error = nullptr);
    bool saveRun(int row, const QString &path, QString *error = nullptr) const;
    // run.json, requests.csv, trace.json, report.html and report.pdf into dir.
    bool exportReport(int row, const QString &dir, QStringList *written, QString *error = nullptr) const;
    void showRun(int row);
    void showLive();
    RunComparisonView *compareRuns(int a, int b);

    // Lesson mode: replays a run from the Runs list with a playhead across every view and the
    // scenario's captions step by step.
    void startLesson(int row, double speed = 0.5);
    void stopLesson();
    LessonPlayer *lessonPlayer() const;
    LessonBar *lessonBar() const { return m_lessonBar; }
    void setLargeFonts(bool on);
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
    void buildCentre();
    void buildViewToolBar();
    void buildDocks();
    void connectPanels();
    void buildMenus();
    void showSelected(qsizetype index);

public:
    void selectRequest(qsizetype index) { showSelected(index); }
    // Statistics of the requests that arrived in [fromNs, toNs), as HTML (details panel).
    QString rangeStatistics(qint64 fromNs, qint64 toNs) const;

private:
    void onServerStarted();
    void captureLoadRun();
    void setShown(TimelineData *data);
    int currentRunRow() const;

    ChatServer *m_server;
    LiveFeed m_live; // the running server's records, counters and latency seconds
    TimelineData m_runData; // a run from the Runs list (or a lesson's frame of it)
    TimelineData *m_shown = &m_live.data();
    RunsPanel *m_runs;
    RunStore m_store { nullptr }; // the Runs list's files: open, save, export, capture
    LessonController *m_lesson;
    LessonBar *m_lessonBar;
    bool m_largeFonts = false;
    double m_baseFontPt = 0;
    QLabel *m_runLabel;
    QAction *m_runLabelAction, *m_liveAction;
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
    qsizetype m_selected = -1;
    bool m_dark = true;
};
