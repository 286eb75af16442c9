#include "jsonfile.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonParseError>

std::optional<QJsonObject> readJsonObjectFile(const QString &path, qint64 maxBytes, const QString &what,
                                              QString *error)
{
    const auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return std::nullopt;
    };
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot read %1: %2").arg(path, f.errorString()));
    // A file far larger than any we write is not ours: refuse it before reading it all.
    if (f.size() > maxBytes)
        return fail(QStringLiteral("%1 is %2 MB: too large for %3").arg(path).arg(f.size() >> 20).arg(what));
    const QByteArray bytes = f.readAll();
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &pe);
    if (pe.error != QJsonParseError::NoError) {
        // An error at the very end of the bytes: the file was most likely cut short.
        const bool cut = pe.offset >= bytes.size() - 1;
        return fail(QStringLiteral("%1 is not valid JSON (%2 at byte %3%4)")
                        .arg(path, pe.errorString())
                        .arg(pe.offset)
                        .arg(cut ? QStringLiteral("; was it cut short?") : QString()));
    }
    if (!doc.isObject())
        return fail(QStringLiteral("%1 is not %2 (not a JSON object)").arg(path, what));
    return doc.object();
}
