#pragma once

#include <QObject>
#include <QString>
#include <memory>

class MainWindow;
class PgTempCluster;

// `loopscope --screenshot FILE [--scenario NAME]`: starts the server, runs a short burst of users
// (or the named scenario) plus one chat message, waits until both finish, renders the window to
// a PNG and quits. Used to keep the screenshots in docs/ current.
class ScreenshotRun : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        QString file;
        QString scenario;
        int users = 12;
        QString mode = QStringLiteral("blocking");
        double timeScale = 0.25;
        int timeoutSeconds = 120;
        bool compare = false; // runs the scenario's variants A and B; also writes FILE-compare.png
        bool lesson = false; // shows the last run as a paused lesson replay at 55 %
        bool panels = false; // also FILE-<dock>.png per visible dock, FILE-centre.png, FILE-menu-<name>.png
    };
    ScreenshotRun(MainWindow *window, Options options, QObject *parent = nullptr);
    void start();

signals:
    void done(bool ok);

private:
    void serverReady();
    void checkFinished();
    void capture();
    void capturePanels();

    MainWindow *m_window;
    Options m_options;
    std::shared_ptr<PgTempCluster> m_cluster; // a scenario that needs PostgreSQL gets a throwaway one
    bool m_usersDone = false;
    bool m_chatDone = false;
    bool m_captured = false;
    int m_runsDone = 0;
};
