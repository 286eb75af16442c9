#include "installlayout.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

#ifndef LOOPSCOPE_DATA_FROM_BIN
#define LOOPSCOPE_DATA_FROM_BIN "../share/loopscope" // set by CMake from GNUInstallDirs
#endif

namespace InstallLayout {

QString dataDir()
{
    const QString overridden = qEnvironmentVariable("LOOPSCOPE_DATA_DIR");
    if (!overridden.isEmpty())
        return QDir::cleanPath(overridden);
    if (!QCoreApplication::instance())
        return QString();
    const QString dir = QDir::cleanPath(QCoreApplication::applicationDirPath() + QLatin1Char('/')
                                        + QStringLiteral(LOOPSCOPE_DATA_FROM_BIN));
    return QFileInfo(dir + QStringLiteral("/scenarios")).isDir() ? dir : QString();
}

QString scenariosDir()
{
    const QString d = dataDir();
    return d.isEmpty() ? QString() : d + QStringLiteral("/scenarios");
}

QString translationsDir()
{
    const QString d = dataDir();
    return d.isEmpty() ? QString() : d + QStringLiteral("/translations");
}

QString iconFile()
{
    const QString d = dataDir();
    if (d.isEmpty())
        return QString();
    // dataDir() is <prefix>/share/loopscope; the theme icons are in <prefix>/share/icons.
    const QString icon = QDir::cleanPath(d + QStringLiteral("/../icons/hicolor/scalable/apps/loopscope.svg"));
    return QFileInfo::exists(icon) ? icon : QString();
}

} // namespace InstallLayout
