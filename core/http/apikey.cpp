#include "apikey.h"

#include <QRandomGenerator>
#include <QSettings>

namespace ApiKey {

QString generate()
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    QString key = QStringLiteral("ls-");
    QRandomGenerator *rng = QRandomGenerator::system(); // cryptographically secure
    for (int i = 0; i < 32; ++i)
        key.append(QLatin1Char(alphabet[rng->bounded(64)]));
    return key;
}

QString loadOrCreate()
{
    QSettings settings;
    QString key = settings.value(QStringLiteral("server/apiKey")).toString();
    if (key.isEmpty()) {
        key = generate();
        settings.setValue(QStringLiteral("server/apiKey"), key);
        settings.sync();
    }
    return key;
}

QString resolve(const QString &override)
{
    if (!override.isEmpty())
        return override;
    const QString env = qEnvironmentVariable("LOOPSCOPE_API_KEY");
    if (!env.isEmpty())
        return env;
    return loadOrCreate();
}

} // namespace ApiKey
