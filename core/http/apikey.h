#pragma once

#include <QString>

// The server's API key: random on first start and kept in the app's settings;
// LOOPSCOPE_API_KEY or --api-key override it for a run.
namespace ApiKey {

QString generate(); // 32 random URL-safe characters
QString loadOrCreate(); // from QSettings, creating and saving one if absent
QString resolve(const QString &override); // override > $LOOPSCOPE_API_KEY > loadOrCreate()

} // namespace ApiKey
