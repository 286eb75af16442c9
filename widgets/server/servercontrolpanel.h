#pragma once

#include "pipeline/serverconfig.h"

#include <QThreadPool>
#include <QWidget>
#include <functional>
#include <stop_token>

class ChatServer;
class QAbstractButton;
class QButtonGroup;
class QComboBox;
class QDoubleSpinBox;
class QHBoxLayout;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTimer;

// Server controls: dispatch mode (switchable live), start/stop, status, and the URL with a curl
// command on top, always in view; below them, scrolling on their own, workers and auto-scaling,
// the executor, the three pipeline latencies, time scale, admission limit, port and key.
// Changes while serving are applied with ChatServer::reconfigure (debounced). Starting the server
// (which opens the database: a PostgreSQL server that does not answer can take its whole
// connect_timeout), stopping it (which drains in-flight requests for up to 3 s) and a worker-count
// change (which restarts the listeners) run on a private one-thread pool, never on the GUI thread;
// the controls that would race them are disabled meanwhile and `busyChanged` tells the window.
class ServerControlPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ServerControlPanel(ChatServer *server, QWidget *parent = nullptr);
    ~ServerControlPanel() override; // ends a start still connecting, waits for the pool

    ServerConfig config() const; // what the widgets say
    void setConfig(const ServerConfig &c); // fills the widgets (no apply)
    void setDatabasePath(const QString &path) { m_dbPath = path; }
    // Starts the server off the GUI thread ("Starting…" meanwhile); serverStarted() follows, or
    // the status says "Not started: <why>" and startFailed() is emitted. False when no start
    // began (busy, or the database rows say why not, in the status).
    bool startServer();
    // Starts the drain-and-stop off the GUI thread; serverStopped() follows when it is done.
    void stopServer();
    // Stops on the calling thread (window close, when nothing may be left running); a start
    // still connecting to its database is ended first, not waited for.
    void stopServerNow();
    // True while a start, stop or restart is under way; the server must not be read from then.
    bool isBusy() const { return m_work != Work::None; }
    // Waits for a start, stop or restart under way (tests, shutdown).
    void waitIdle();
    void setMode(DispatchMode mode); // as if the user clicked the mode button
    QString curlCommand() const;
    // Takes a scenario's server settings (mode, workers, delays...), keeping this window's port,
    // key, database and time scale, and applies them now.
    void applyScenarioConfig(const ServerConfig &scenario);
    void apply();
    // The Record button's state (RecordingController drives it); `text` on the button while on.
    void setRecording(bool on, const QString &text);
    // A control next to Start/Stop (e.g. recording what the server serves).
    void addControl(QWidget *control);

signals:
    void serverStarted();
    void startFailed(const QString &error); // without the database's password
    void serverStopped();
    void busyChanged(bool busy);
    void message(const QString &text);
    void recordToggled(bool on); // Record / Stop recording pressed

private:
    enum class Work : quint8 { None, Starting, Stopping };
    struct Outcome // of a start, stop or restart
    {
        bool started = false;
        ServerConfig config;
        QString error;
        QString passwordSource; // where libpq or the keychain found the database's password
    };

    void scheduleApply();
    void setWork(Work work);
    // Runs `job(stop token)` on m_stopPool, then `then(outcome)` on the GUI thread
    // (serverpanelwork.cpp).
    void offGui(Work work, std::function<Outcome(const std::stop_token &)> job,
                std::function<void(const Outcome &)> then);
    // On the pool's thread: the keychain (when libpq has no password of its own), then start().
    static Outcome startOn(ChatServer *server, ServerConfig config, bool resolvePassword,
                           const std::stop_token &stop);
    void startFinished(const Outcome &outcome);
    void notStarted(const QString &error);
    void updateState();

    ChatServer *m_server;
    QButtonGroup *m_modeGroup;
    QSpinBox *m_workers, *m_pool, *m_limit, *m_port;
    QSpinBox *m_workersMax, *m_scaleWaiting; // auto-scaling
    QDoubleSpinBox *m_scaleIdle;
    QDoubleSpinBox *m_dbRead, *m_llm, *m_llmSpread, *m_dbWrite, *m_timeScale, *m_firstToken;
    QComboBox *m_llmKind;
    QComboBox *m_executor; // thread or process pool
    class QCheckBox *m_gil; // the thread pool's model of CPython's GIL
    QDoubleSpinBox *m_cpuWork;
    QPushButton *m_startStop;
    QPushButton *m_record; // Record / Stop recording (issue #23)
    QHBoxLayout *m_controls; // Start/Stop and the controls added next to it
    QLabel *m_url, *m_status;
    QLineEdit *m_key;
    QPushButton *m_copyCurl;
    QTimer *m_applyTimer;
    QString m_dbPath; // set by the caller (tests, screenshots): wins over the database rows
    class DatabaseFields *m_db; // SQLite or PostgreSQL (URI, password, pool)
    QString m_apiKey;
    ServerConfig m_extra; // scenario settings the panel has no widget for
    QThreadPool m_stopPool; // one thread: starts, stops and restarts run here, one at a time
    std::stop_source m_cancel; // of the job under way (a start's database connect)
    Work m_work = Work::None;
    bool m_applyPending = false; // a change arrived during a stop/restart
};
