#include "screenshotrun.h"

#include "chat/chatpanel.h"
#include "db/pgtempcluster.h"
#include "lesson/lessonplayer.h"
#include "mainwindow.h"
#include "runs/runcomparisonview.h"
#include "runs/runspanel.h"
#include "scenario/scenario.h"
#include "server/llmsettingsdialog.h"
#include "server/servercontrolpanel.h"
#include "users/userspanel.h"

#include <QDir>
#include <QDockWidget>
#include <QMenu>
#include <QMenuBar>
#include <QPixmap>
#include <QRegularExpression>
#include <QTextStream>
#include <QTimer>

ScreenshotRun::ScreenshotRun(MainWindow *window, Options options, QObject *parent)
    : QObject(parent)
    , m_window(window)
    , m_options(std::move(options))
{ }

void ScreenshotRun::start()
{
    ServerControlPanel *server = m_window->serverPanel();
    ServerConfig c = server->config();
    DispatchMode mode = DispatchMode::Blocking;
    parseDispatchMode(m_options.mode, &mode);
    c.mode = mode;
    c.timeScale = m_options.timeScale;
    c.port = 0;
    c.dbPath = QDir::temp().filePath(
        QStringLiteral("loopscope-screenshot-%1.sqlite").arg(QCoreApplication::applicationPid()));
    Scenario scenario;
    if (Scenario::open(m_options.scenario.section(QLatin1Char('/'), 0, 0), &scenario, nullptr)
        && scenario.needsPostgres()) {
        // As `loopscope run` does: a PostgreSQL server of its own, removed when this ends.
        m_cluster = std::make_shared<PgTempCluster>();
        m_cluster->setCommitWithoutFlush(true);
        QString why;
        if (!m_cluster->start(QDir::tempPath(), &why)) {
            QTextStream(stderr) << "loopscope --screenshot: scenario " << scenario.name
                                << " needs PostgreSQL: " << why << Qt::endl;
            emit done(false);
            return;
        }
        c.dbPath = m_cluster->conninfo();
    }
    server->setConfig(c);
    server->setDatabasePath(c.dbPath);
    // The server starts off the GUI thread: the users and the chat begin once it serves.
    connect(server, &ServerControlPanel::serverStarted, this, &ScreenshotRun::serverReady,
            Qt::SingleShotConnection);
    connect(server, &ServerControlPanel::startFailed, this, [this](const QString &why) {
        QTextStream(stderr) << "loopscope --screenshot: the server did not start: " << why << Qt::endl;
        emit done(false);
    });
    server->startServer();
}

void ScreenshotRun::serverReady()
{
    connect(m_window->usersPanel(), &UsersPanel::runFinished, this, [this] {
        ++m_runsDone;
        if (m_options.compare && m_runsDone == 1) {
            // The second variant right after the first: the Runs list then holds both.
            const QString name = m_options.scenario.section(QLatin1Char('/'), 0, 0);
            const bool firstWasB = m_options.scenario.section(QLatin1Char('/'), 1, 1) == QLatin1String("B");
            QTimer::singleShot(300, this, [this, name, firstWasB] {
                m_window->usersPanel()->selectScenario(
                    name + (firstWasB ? QStringLiteral("/A") : QStringLiteral("/B")));
                if (!m_window->usersPanel()->startRun()) {
                    m_usersDone = true;
                    checkFinished();
                }
            });
            return;
        }
        m_usersDone = true;
        checkFinished();
    });
    connect(m_window->chatPanel(), &ChatPanel::replyFinished, this, [this] {
        m_chatDone = true;
        checkFinished();
    });
    QTimer::singleShot(200, this, [this] {
        if (!m_options.scenario.isEmpty() && !m_window->usersPanel()->selectScenario(m_options.scenario))
            QTextStream(stderr) << "loopscope --screenshot: unknown scenario " << m_options.scenario
                                << Qt::endl;
        if (m_options.scenario.isEmpty())
            m_window->usersPanel()->setUsers(m_options.users);
        if (!m_window->usersPanel()->startRun()) {
            m_usersDone = true;
            checkFinished();
        }
    });
    // The interactive user arrives just after the crowd, as in the seed's "user B".
    QTimer::singleShot(500, this, [this] {
        m_window->chatPanel()->send(
            QStringLiteral("Why does my **async** endpoint serve one user at a time?"));
    });
    QTimer::singleShot(m_options.timeoutSeconds * 1000, this, [this] {
        QTextStream(stderr) << "loopscope --screenshot: timed out, capturing anyway" << Qt::endl;
        capture();
    });
}

void ScreenshotRun::checkFinished()
{
    if (m_usersDone && m_chatDone)
        QTimer::singleShot(700, this, &ScreenshotRun::capture); // a few more pulls of the live feed
}

void ScreenshotRun::capture()
{
    if (m_captured)
        return;
    m_captured = true;
    m_window->pullData();
    m_window->joinClientSends();
    m_window->fitToData();
    const int runs = int(m_window->runsPanel()->count());
    if (m_options.compare && runs >= 2) {
        // Show the Runs list with both runs selected, as a user about to compare them would.
        if (auto *dock = m_window->findChild<QDockWidget *>(QStringLiteral("runsDock")))
            dock->raise();
        m_window->runsPanel()->select({ runs - 2, runs - 1 });
        RunComparisonView *view = m_window->compareRuns(runs - 2, runs - 1);
        view->resize(1500, 950);
        QTimer::singleShot(150, this, [this, view] {
            QString file = m_options.file;
            file.replace(QRegularExpression(QStringLiteral("\\.png$")), QStringLiteral("-compare.png"));
            view->grab().save(file, "PNG");
            QTextStream(stdout) << "screenshot written to " << file << Qt::endl;
        });
    }
    if (m_options.lesson && runs >= 1) {
        m_window->runsPanel()->select({ runs - 1 });
        m_window->startLesson(runs - 1, 0.5);
        m_window->lessonPlayer()->pause();
        m_window->lessonPlayer()->seek(m_window->lessonPlayer()->durationNs() * 55 / 100);
    }
    // Show a request's details, preferring the last one of the crowd (it waited longest).
    if (!m_options.lesson)
        m_window->selectRequest(m_window->timelineData().size() - 1);
    // Let the queued replots of the plots happen before rendering the window.
    QTimer::singleShot(400, this, [this] {
        const QPixmap pixmap = m_window->grab();
        const bool ok = pixmap.save(m_options.file, "PNG");
        if (ok && m_options.panels)
            capturePanels();
        QTextStream(ok ? stdout : stderr)
            << (ok ? "screenshot written to " : "cannot write ") << m_options.file << Qt::endl;
        emit done(ok);
    });
}

void ScreenshotRun::capturePanels()
{
    // For the user guide: each part of the window on its own, so the pictures never go stale.
    QString stem = m_options.file;
    stem.remove(QRegularExpression(QStringLiteral("\\.png$")));
    const auto save = [&stem](QWidget *w, const QString &name) {
        const QString file = stem + QLatin1Char('-') + name + QStringLiteral(".png");
        if (w->grab().save(file, "PNG"))
            QTextStream(stdout) << "screenshot written to " << file << Qt::endl;
    };
    for (QDockWidget *dock : m_window->findChildren<QDockWidget *>()) {
        if (dock->isVisible() && !dock->visibleRegion().isEmpty())
            save(dock, dock->objectName().remove(QStringLiteral("Dock")));
    }
    save(m_window->centralWidget(), QStringLiteral("centre"));
    for (QAction *action : m_window->menuBar()->actions()) {
        QMenu *menu = action->menu();
        if (!menu)
            continue;
        menu->ensurePolished();
        menu->adjustSize();
        save(menu, QStringLiteral("menu-") + action->text().remove(QLatin1Char('&')).toLower());
    }
    LlmSettingsDialog dialog(m_window->server(), m_window);
    dialog.adjustSize();
    save(&dialog, QStringLiteral("dialog-language-model"));
}
