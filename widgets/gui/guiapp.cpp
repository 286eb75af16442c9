#include "guiapp.h"

#include "http/chatserver.h"
#include "install/installlayout.h"
#include "mainwindow.h"
#include "observedialog.h"
#include "screenshotrun.h"
#include "server/llmsettingsdialog.h"
#include "server/servercontrolpanel.h"
#include "theme.h"
#include "users/userspanel.h"
#include "windowsettings.h"

#include <QAction>
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QIcon>
#include <QLibraryInfo>
#include <QLocale>
#include <QScreen>
#include <QSettings>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTextStream>
#include <QTimer>
#include <QTranslator>

namespace {

// 1600x1000 where it fits; on a smaller screen (a 1366x768 laptop) the whole screen.
void showFitted(MainWindow &window)
{
    const QSize wanted(1600, 1000);
    const QRect avail = window.screen()->availableGeometry();
    if (avail.width() < wanted.width() || avail.height() < wanted.height()) {
        window.showMaximized();
        return;
    }
    window.resize(wanted);
    window.move(avail.center() - QPoint(wanted.width() / 2, wanted.height() / 2));
    window.show();
}

// --screenshot FILE --first-run: the window as a new user first sees it (server up, no run).
int captureFirstRun(QApplication &app, MainWindow &window, const QString &file)
{
    ServerConfig c = window.serverPanel()->config();
    c.port = 0;
    c.dbPath = QDir::temp().filePath(
        QStringLiteral("loopscope-screenshot-%1.sqlite").arg(QCoreApplication::applicationPid()));
    window.serverPanel()->setConfig(c);
    window.serverPanel()->setDatabasePath(c.dbPath);
    int rc = 0;
    // The server starts off the GUI thread; once it serves (or says why not), let the plots and
    // docks settle into their first layout before grabbing.
    const auto grabSoon = [&window, &rc, file] {
        QTimer::singleShot(1500, &window, [&window, &rc, file] {
            if (!window.grab().save(file, "PNG"))
                rc = 1;
            QCoreApplication::exit(rc);
        });
    };
    QObject::connect(window.serverPanel(), &ServerControlPanel::serverStarted, &window, grabSoon);
    QObject::connect(window.serverPanel(), &ServerControlPanel::startFailed, &window, [&rc, grabSoon] {
        rc = 1;
        grabSoon();
    });
    window.serverPanel()->startServer();
    app.exec();
    window.close();
    QFile::remove(c.dbPath);
    return rc;
}

} // namespace

int runGui(int argc, char *argv[], void (*identify)())
{
    QApplication app(argc, argv);
    identify();
    Q_INIT_RESOURCE(gui_resources); // the widgets library is static
    // Wayland's app id: the desktop entry's name, so the shell shows its icon and menu name.
    QGuiApplication::setDesktopFileName(QStringLiteral("io.github.loopscope.LoopScope"));
    // Installed: the hicolor icon next to the binary's prefix; else the compiled-in copy.
    const QString installedIcon = InstallLayout::iconFile();
    QApplication::setWindowIcon(
        QIcon(installedIcon.isEmpty() ? QStringLiteral(":/loopscope/icons/loopscope.svg") : installedIcon));
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("LoopScope: see concurrency in a chat/LLM server"));
    parser.addHelpOption();
    const QCommandLineOption screenshot(
        QStringLiteral("screenshot"),
        QStringLiteral("Run a short burst, render the window to FILE (PNG) and exit."),
        QStringLiteral("FILE"));
    const QCommandLineOption scenario(QStringLiteral("scenario"),
                                      QStringLiteral("Scenario to run for --screenshot."),
                                      QStringLiteral("NAME"));
    const QCommandLineOption users(QStringLiteral("users"),
                                   QStringLiteral("Users of the --screenshot burst."), QStringLiteral("N"),
                                   QStringLiteral("12"));
    const QCommandLineOption mode(QStringLiteral("mode"), QStringLiteral("Dispatch mode for --screenshot."),
                                  QStringLiteral("MODE"), QStringLiteral("blocking"));
    const QCommandLineOption light(QStringLiteral("light"), QStringLiteral("Use the light palette."));
    const QCommandLineOption compare(
        QStringLiteral("compare"),
        QStringLiteral("--screenshot: run variants A and B, also write FILE-compare.png."));
    const QCommandLineOption lesson(QStringLiteral("lesson"),
                                    QStringLiteral("--screenshot: show the run as a paused lesson replay."));
    const QCommandLineOption largeFonts(QStringLiteral("large-fonts"),
                                        QStringLiteral("Large fonts (classroom)."));
    const QCommandLineOption language(
        QStringLiteral("language"),
        QStringLiteral("UI language: en or zh_CN (default: settings, then the system)."),
        QStringLiteral("LANG"));
    const QCommandLineOption size(QStringLiteral("size"),
                                  QStringLiteral("--screenshot: window size (default 1600x1000)."),
                                  QStringLiteral("WxH"), QStringLiteral("1600x1000"));
    const QCommandLineOption firstRun(
        QStringLiteral("first-run"),
        QStringLiteral("Show the first-start tour (seed 1, hint); with --screenshot and no --scenario, "
                       "capture the window before any run."));
    const QCommandLineOption panels(
        QStringLiteral("panels"),
        QStringLiteral("--screenshot: also save each dock, the centre and each menu as FILE-<part>.png."));
    const QCommandLineOption open(QStringLiteral("open"),
                                  QStringLiteral("Open a saved run.json (with --screenshot: capture it)."),
                                  QStringLiteral("RUN"));
    const QCommandLineOption observe(QStringLiteral("observe"),
                                     QStringLiteral("Start receiving OpenTelemetry traces and metrics "
                                                    "(File > Observe services) on PORT (OTLP/HTTP) and "
                                                    "PORT - 1 (OTLP/gRPC); 4318 is the usual."),
                                     QStringLiteral("PORT"));
    parser.addOptions({ screenshot, scenario, users, mode, light, compare, lesson, largeFonts, language, size,
                        firstRun, panels, open, observe });
    parser.process(app);
    // A screenshot run leaves the user's settings alone: what its window holds on close (the
    // scenario's settings, a throwaway database's address) is saved in a temporary folder instead.
    QTemporaryDir screenshotSettings;
    if (parser.isSet(screenshot)) {
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, screenshotSettings.path());
    }

    // The language: --language, else the one chosen in View > Language, else the system's.
    QString lang = parser.value(language);
    if (lang.isEmpty())
        lang = WindowSettings::read(QSettings()).language;
    if (lang.isEmpty())
        lang = QLocale::system().name();
    QTranslator ours, qtBase;
    if (lang.startsWith(QLatin1String("zh"))) {
        QLocale::setDefault(QLocale(QLocale::Chinese, QLocale::SimplifiedChineseScript, QLocale::China));
        // The installed translation (share/loopscope/translations) first, else the compiled-in one.
        const QString installed = InstallLayout::translationsDir();
        if ((!installed.isEmpty() && ours.load(QStringLiteral("loopscope_zh_CN"), installed))
            || ours.load(QStringLiteral(":/loopscope/i18n/loopscope_zh_CN.qm")))
            QCoreApplication::installTranslator(&ours);
        if (qtBase.load(QStringLiteral("qtbase_zh_CN"), QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
            QCoreApplication::installTranslator(&qtBase);
    } else {
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
    }

    Theme::apply(!parser.isSet(light));
    ChatServer server;
    MainWindow window(&server);
    // The model chosen last time (simulated unless a provider was saved); the key comes from the
    // keychain or its environment variable, never from the settings file.
    QString llmError;
    if (!LlmSettingsDialog::install(&server, LlmSettingsDialog::savedChoice(), &llmError))
        window.statusBar()->showMessage(
            QCoreApplication::translate("MainWindow",
                                        "Language model not set up: %1 (Server > Language model…)")
                .arg(llmError));
    if (parser.isSet(screenshot)) {
        window.setDarkTheme(!parser.isSet(light));
        const QStringList wh = parser.value(size).split(QLatin1Char('x'));
        window.resize(wh.value(0).toInt() > 0 ? wh.value(0).toInt() : 1600,
                      wh.value(1).toInt() > 0 ? wh.value(1).toInt() : 1000);
        window.show();
        if (parser.isSet(firstRun))
            window.usersPanel()->startGuidedTour();
        if (parser.isSet(firstRun) && !parser.isSet(scenario))
            return captureFirstRun(app, window, parser.value(screenshot));
        if (parser.isSet(open)) {
            // A saved run (e.g. one `loopscope observe` wrote), as the window shows it.
            QString error;
            if (!window.openRun(parser.value(open), &error)) {
                QTextStream(stderr) << "loopscope: " << error << Qt::endl;
                return 1;
            }
            QTimer::singleShot(1500, &window, [&window, file = parser.value(screenshot)] {
                QCoreApplication::exit(window.grab().save(file) ? 0 : 1);
            });
            return app.exec();
        }
        ScreenshotRun::Options o;
        o.file = parser.value(screenshot);
        o.scenario = parser.value(scenario);
        o.users = parser.value(users).toInt();
        o.mode = parser.value(mode);
        o.compare = parser.isSet(compare);
        o.lesson = parser.isSet(lesson);
        o.panels = parser.isSet(panels);
        if (parser.isSet(largeFonts))
            window.setLargeFonts(true);
        ScreenshotRun run(&window, o);
        int rc = 0;
        QObject::connect(&run, &ScreenshotRun::done, &app, [&rc](bool ok) {
            rc = ok ? 0 : 1;
            QCoreApplication::exit(rc);
        });
        QTimer::singleShot(0, &run, &ScreenshotRun::start);
        const int result = app.exec();
        window.close();
        return result;
    }
    // First start (no saved window): seed 1's scenario with a hint, and a window that fits.
    const bool first = parser.isSet(firstRun) || !WindowSettings::exists(QSettings());
    window.restoreSettings();
    if (parser.isSet(light))
        window.setDarkTheme(false);
    if (first) {
        if (!parser.isSet(observe))
            window.usersPanel()->startGuidedTour();
        showFitted(window);
    } else {
        window.show();
    }
    QTimer::singleShot(0, &window, [&window] { window.serverPanel()->startServer(); });
    if (parser.isSet(open))
        window.openRun(parser.value(open));
    if (parser.isSet(observe)) {
        const int port = parser.value(observe).toInt();
        QSettings().setValue(QStringLiteral("observe/port"), port);
        QSettings().setValue(QStringLiteral("observe/grpcPort"), port - 1);
        QTimer::singleShot(0, &window, [&window] {
            if (auto *action = window.findChild<QAction *>(QStringLiteral("observeAction")))
                action->trigger();
            if (auto *dialog = window.findChild<ObserveDialog *>()) {
                dialog->start();
                dialog->hide(); // the observe layout shows the rest; File > Observe reopens it
            }
        });
    }
    return app.exec();
}
