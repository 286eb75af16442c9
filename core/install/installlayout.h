#pragma once

#include <QString>

// Where an installed LoopScope finds its read-only data: scenarios, translations and icons, in
// <prefix>/share/loopscope and <prefix>/share/icons, located relative to the executable so /usr,
// /usr/local and an extracted tarball all work from any working directory. Everything here is
// also compiled in (Qt resources), so a build-tree binary runs without it. LoopScope never writes
// next to the binary: user data goes to QStandardPaths (see HistoryStore::defaultPath).
namespace InstallLayout {

// <bindir>/../share/loopscope when it holds a scenarios folder ($LOOPSCOPE_DATA_DIR overrides),
// else an empty string. Needs a QCoreApplication.
QString dataDir();
// dataDir()/scenarios, or empty.
QString scenariosDir();
// dataDir()/translations, or empty.
QString translationsDir();
// The installed application icon (hicolor, scalable), or empty when not installed.
QString iconFile();

} // namespace InstallLayout
