#pragma once

#include "livecontroller.h"
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
class QDockWidget;
class QLabel;
class RunComparisonView;
class RunsPanel;
class QSplitter;
class QTextBrowser;
class ServerControlPanel;
class TimelineView;
class TimeViewState;
class UsersPanel;
class ViewToolBar;

// LoopScope's main window: server controls and simulated users on the left, the request and
// thread timelines with the counter plots in the centre, chat and request details on the right.
// It assembles and routes; the work is done by the parts it owns: LiveController (the live pump),
// WindowActions (menus and dialogs), WindowSettings (what the next start restores),
// LessonController (lesson replays), RunStore (the Runs list's files) and the views' models.
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
    QSplitter *centreSplitter() const { return m_centre; }
    // What the views show: the live data, or a run from the Runs list.
    const TimelineData &timelineData() const { return *m_shown; }
    bool isShowingRun() const { return m_shown != &m_live->data(); }

    // The left-hand panels: the server and users panels while serving; others take their place
    // (the observe layout's services panel). addLeftPanel adds a hidden one; showLeftPanels shows
    // exactly `docks` among the left panels that take turns (the Runs tab always stays).
    QDockWidget *addLeftPanel(const QString &title, const QString &objectName, QWidget *content);
    void showLeftPanels(const QList<QDockWidget *> &docks);
    QList<QDockWidget *> servingPanels() const;

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
    // The selected run, else the newest.
    int currentRunRow() const;

    // Lesson mode: replays a run from the Runs list with a playhead across every view and the
    // scenario's captions step by step.
    void startLesson(int row, double speed = 0.5);
    void stopLesson();
    LessonPlayer *lessonPlayer() const;
    LessonBar *lessonBar() const { return m_lessonBar; }
    void setLargeFonts(bool on);
    bool largeFonts() const { return m_largeFonts; }
    TimeViewState *timeState() const { return m_state; }

    // Takes what is new from the server now (the live pump does this ~30 times a second).
    void pullData() { m_live->pull(); }
    // Observed requests already shown were published again (clock offsets applied or taken off).
    void rereadLiveRecords() { m_live->rereadRecords(); }
    // Writes every counter plot to `dir` as <name>.<suffix>; returns the files written.
    QStringList exportPlots(const QString &dir, const QString &suffix);
    void setDarkTheme(bool dark);
    bool isDark() const { return m_dark; }
    // The language chosen in View > Language (applies on the next start); empty: the system's.
    void setLanguage(const QString &code);
    QString language() const { return m_language; }
    // Shows everything recorded so far (pauses following).
    void fitToData();
    // Takes the load generator's send times, so backlog waits show on the request bars.
    void joinClientSends() { m_live->joinClientSends(); }
    void selectRequest(qsizetype index) { showSelected(index); }
    // Statistics of the requests that arrived in [fromNs, toNs), as HTML (details panel).
    QString rangeStatistics(qint64 fromNs, qint64 toNs) const;
    // Every setting the next start restores (WindowSettings), read and written as a whole.
    void restoreSettings();
    void saveSettings() const;

signals:
    void darkThemeChanged(bool dark);
    void largeFontsChanged(bool on);
    void languageChanged(const QString &code);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildCentre();
    void buildDocks();
    void connectPanels();
    void showSelected(qsizetype index);
    void setShown(TimelineData *data);

    ChatServer *m_server;
    TimeViewState *m_state;
    LiveController *m_live; // the running server's records, counters and latency seconds
    TimelineData m_runData; // a run from the Runs list (or a lesson's frame of it)
    TimelineData *m_shown;
    RunsPanel *m_runs;
    RunStore m_store { nullptr }; // the Runs list's files: open, save, export, capture
    LessonController *m_lesson;
    LessonBar *m_lessonBar;
    bool m_largeFonts = false;
    double m_baseFontPt = 0;
    ViewToolBar *m_toolBar;
    ServerControlPanel *m_serverPanel;
    UsersPanel *m_usersPanel;
    QDockWidget *m_serverDock, *m_usersDock;
    ChatPanel *m_chat;
    CounterPlotsPanel *m_plots;
    TimelineView *m_requestView;
    TimelineView *m_threadView;
    QSplitter *m_centre;
    QTextBrowser *m_details;
    QLabel *m_stats;
    qsizetype m_selected = -1;
    bool m_dark = true;
    QString m_language;
};
