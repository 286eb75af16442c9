#pragma once

#include "pipeline/serverconfig.h"

#include <QWidget>

class ChatServer;
class QAbstractButton;
class QButtonGroup;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTimer;

// Server controls: dispatch mode (switchable live), workers, pool size, the three pipeline
// latencies, time scale, admission limit, start/stop, and the URL and key with a curl command.
// Changes while serving are applied with ChatServer::reconfigure (debounced).
class ServerControlPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ServerControlPanel(ChatServer *server, QWidget *parent = nullptr);

    ServerConfig config() const; // what the widgets say
    void setConfig(const ServerConfig &c); // fills the widgets (no apply)
    void setDatabasePath(const QString &path) { m_dbPath = path; }
    bool startServer();
    void stopServer();
    void setMode(DispatchMode mode); // as if the user clicked the mode button
    QString curlCommand() const;
    // Takes a scenario's server settings (mode, workers, delays...), keeping this window's port,
    // key, database and time scale, and applies them now.
    void applyScenarioConfig(const ServerConfig &scenario);
    void apply();

signals:
    void serverStarted();
    void serverStopped();
    void message(const QString &text);

private:
    void scheduleApply();
    void updateState();

    ChatServer *m_server;
    QButtonGroup *m_modeGroup;
    QSpinBox *m_workers, *m_pool, *m_limit, *m_port;
    QDoubleSpinBox *m_dbRead, *m_llm, *m_llmSpread, *m_dbWrite, *m_timeScale, *m_firstToken;
    QComboBox *m_llmKind;
    QPushButton *m_startStop;
    QLabel *m_url, *m_status;
    QLineEdit *m_key;
    QPushButton *m_copyCurl;
    QTimer *m_applyTimer;
    QString m_dbPath;
    QString m_apiKey;
    ServerConfig m_extra; // scenario settings the panel has no widget for
};
