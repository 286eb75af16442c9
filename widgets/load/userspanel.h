#pragma once

#include "load/loadgenerator.h"

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
    bool startRun();
    void stopRun();
    bool isRunning() const;
    LoadGenerator *generator() const { return m_generator; }

signals:
    void runStarted();
    void runFinished();
    void message(const QString &text);

private:
    void showProgress(const LoadProgress &p);
    void updateModelFields();

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
};
