#pragma once

// For the window tests: a classroom-sized offscreen screen and a settings file of their own.

#include "server/servercontrolpanel.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QSettings>
#include <QSignalSpy>
#include <QTimer>
#include <functional>

// Headless GUI tests run on Qt's offscreen platform, whose one screen is 800x600: a window there
// cannot keep the size a classroom laptop gives it (restoreGeometry fits it to the screen). Call
// this before the QApplication exists: the offscreen screen becomes `width` x `height` at 96 dpi.
// Other platforms (a test run under xvfb) are left alone.
inline void useOffscreenScreen(int width, int height)
{
    const QByteArray platform = qgetenv("QT_QPA_PLATFORM");
    if (!platform.isEmpty() && platform != "offscreen")
        return;
    const QString path
        = QDir::temp().filePath(QStringLiteral("loopscope-offscreen-%1x%2.json").arg(width).arg(height));
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return;
    f.write(QStringLiteral(R"({"screens": [{"name": "classroom", "x": 0, "y": 0, "width": %1, "height": %2,
                              "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]})")
                .arg(width)
                .arg(height)
                .toUtf8());
    f.close();
    qputenv("QT_QPA_PLATFORM", "offscreen:configfile=" + path.toUtf8());
}

// Settings (QSettings()) in `dir` instead of the user's: a fresh file for each test run.
inline void useSettingsIn(const QString &dir, const QString &organization)
{
    QCoreApplication::setOrganizationName(organization);
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, dir);
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, dir);
}

// A 10 ms timer on the GUI thread, counting the ticks it got while `busy` held: a GUI thread
// stuck in a start or a stop gets none until it is over.
struct GuiTicker
{
    QTimer timer;
    int ticksWhileBusy = 0;
    explicit GuiTicker(std::function<bool()> busy)
    {
        timer.setInterval(10);
        QObject::connect(&timer, &QTimer::timeout, [this, busy] {
            if (busy())
                ++ticksWhileBusy;
        });
        timer.start();
    }
};

// Starts the window's server on any free port with the SQLite file `path` (off the GUI thread)
// and waits until it serves. False when it did not start.
inline bool startOnSqlite(ServerControlPanel *panel, const QString &path)
{
    ServerConfig c = panel->config();
    c.port = 0;
    c.dbPath = path;
    panel->setConfig(c);
    panel->setDatabasePath(path);
    QSignalSpy started(panel, &ServerControlPanel::serverStarted);
    return panel->startServer() && started.wait(10000);
}

// QTEST_MAIN with the screen above.
#define LOOPSCOPE_GUI_TEST_MAIN(TestClass, width, height)                                                    \
    int main(int argc, char *argv[])                                                                         \
    {                                                                                                        \
        useOffscreenScreen(width, height);                                                                   \
        QApplication app(argc, argv);                                                                        \
        app.setAttribute(Qt::AA_Use96Dpi, true);                                                             \
        TestClass test;                                                                                      \
        QTEST_SET_MAIN_SOURCE_PATH                                                                           \
        return QTest::qExec(&test, argc, argv);                                                              \
    }
