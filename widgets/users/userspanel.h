#pragma once

#include "load/loadgenerator.h"
#include "pipeline/serverconfig.h"
#include "scenario/scenario.h"

#include <QWidget>

class ChatServer;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTextBrowser;

// Simulated users: the load generator of core/load driven from the window. Scenario picker with
// its explanation, users, closed/open model, think time, ramp-up, the seeds' naive client,
// start/stop and a progress bar with ETA (progress arrives throttled, a few times a second).
class UsersPanel : public QWidget
{
    Q_OBJECT
public:
    explicit UsersPanel(ChatServer *server, QWidget *parent = nullptr);
    ~UsersPanel() override;

    LoadSettings settings() const;
    void setUsers(int users);
    // Applies the scenario's server settings, then starts the users: at once, or as soon as the
    // server is back if those settings restart it (see setServerBusy). True if started or pending.
    bool startRun();
    // The server is stopping or restarting (off the GUI thread): a start waits for it.
    void setServerBusy(bool busy);
    bool isStartPending() const { return m_startPending; }
    void stopRun();
    bool isRunning() const;
    LoadGenerator *generator() const { return m_generator; }
    // Picks "name" or "name/variant" (first variant if none); false if unknown.
    bool selectScenario(const QString &nameAndVariant);
    QString scenarioExplanation() const;
    // The scenario and variant chosen in the picker; false for the custom burst.
    bool currentScenario(Scenario *scenario, QString *variant) const;
    // First start: seed 1's scenario, variant A, with a one-line hint; when a variant's run
    // ends the next variant is selected and the hint says to press Start again.
    void startGuidedTour();

signals:
    void runStarted();
    void runFinished();
    void message(const QString &text);
    // A scenario variant asks for these server settings; applied before its users start.
    void serverConfigRequested(const ServerConfig &config);

private:
    void showProgress(const LoadProgress &p);
    void updateModelFields();
    void scenarioChosen(int index);
    void newGenerator();
    void advanceGuidedTour();
    void setLoadFields(const LoadSettings &s);
    bool startLoad();

    ChatServer *m_server;
    LoadGenerator *m_generator;
    QComboBox *m_scenario, *m_model;
    QTextBrowser *m_explanation;
    QSpinBox *m_users, *m_requests;
    QDoubleSpinBox *m_think, *m_rampUp, *m_rate, *m_duration;
    QCheckBox *m_naive, *m_stream;
    QPushButton *m_startStop;
    QProgressBar *m_progress;
    QLabel *m_eta;
    QLabel *m_hint;
    bool m_guided = false;
    QList<Scenario> m_scenarios;
    bool m_serverBusy = false;
    bool m_startPending = false;
    LoadSettings m_scenarioBase; // the chosen variant's settings; the fields override them
};
