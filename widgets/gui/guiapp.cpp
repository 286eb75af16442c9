#include "guiapp.h"

#include "http/chatserver.h"
#include "mainwindow.h"
#include "screenshotrun.h"
#include "server/servercontrolpanel.h"
#include "theme.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QLibraryInfo>
#include <QLocale>
#include <QSettings>
#include <QTimer>
#include <QTranslator>

int runGui(int argc, char *argv[], void (*identify)())
{
    QApplication app(argc, argv);
    identify();
    Q_INIT_RESOURCE(gui_resources); // the widgets library is static
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/loopscope/icons/loopscope.svg")));
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
    parser.addOptions({ screenshot, scenario, users, mode, light, compare, lesson, largeFonts, language });
    parser.process(app);

    // The language: --language, else the one chosen in View > Language, else the system's.
    QString lang = parser.value(language);
    if (lang.isEmpty())
        lang = QSettings().value(QStringLiteral("view/language")).toString();
    if (lang.isEmpty())
        lang = QLocale::system().name();
    QTranslator ours, qtBase;
    if (lang.startsWith(QLatin1String("zh"))) {
        QLocale::setDefault(QLocale(QLocale::Chinese, QLocale::SimplifiedChineseScript, QLocale::China));
        if (ours.load(QStringLiteral(":/loopscope/i18n/loopscope_zh_CN.qm")))
            QCoreApplication::installTranslator(&ours);
        if (qtBase.load(QStringLiteral("qtbase_zh_CN"), QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
            QCoreApplication::installTranslator(&qtBase);
    } else {
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
    }

    Theme::apply(!parser.isSet(light));
    ChatServer server;
    MainWindow window(&server);
    if (parser.isSet(screenshot)) {
        window.setDarkTheme(!parser.isSet(light));
        window.resize(1600, 1000);
        window.show();
        ScreenshotRun::Options o;
        o.file = parser.value(screenshot);
        o.scenario = parser.value(scenario);
        o.users = parser.value(users).toInt();
        o.mode = parser.value(mode);
        o.compare = parser.isSet(compare);
        o.lesson = parser.isSet(lesson);
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
    window.restoreSettings();
    if (parser.isSet(light))
        window.setDarkTheme(false);
    window.show();
    QTimer::singleShot(0, &window, [&window] { window.serverPanel()->startServer(); });
    return app.exec();
}
