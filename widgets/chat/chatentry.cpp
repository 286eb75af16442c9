#include "chatentry.h"

#include <QHash>
#include <QObject>
#include <QRegularExpression>

QList<ChatEntry> ChatEntry::fromMessages(const QJsonArray &messages)
{
    QList<ChatEntry> out;
    QHash<qint64, qsizetype> groups; // first answer's id -> its entry
    for (const QJsonValue &v : messages) {
        const QJsonObject m = v.toObject();
        ChatVersion version;
        version.id = qint64(m.value(QStringLiteral("id")).toDouble());
        version.text = m.value(QStringLiteral("content")).toString();
        version.meta = m.value(QStringLiteral("meta")).toObject();
        version.createdMs = qint64(m.value(QStringLiteral("created_at_ms")).toDouble());
        version.requestId = m.value(QStringLiteral("request_id")).toString().toULongLong();
        const QString role = m.value(QStringLiteral("role")).toString();
        if (role != QLatin1String("user"))
            version.figures = figuresFromMeta(version.meta);
        const qint64 group = qint64(m.value(QStringLiteral("alternative_of")).toDouble());
        const bool active = m.value(QStringLiteral("active")).toBool(true);
        const auto known = groups.constFind(group);
        if (group > 0 && known != groups.constEnd()) {
            ChatEntry &e = out[*known];
            e.versions.append(version);
            if (active)
                e.shown = int(e.versions.size()) - 1;
            continue;
        }
        if (group > 0)
            groups.insert(group, out.size());
        ChatEntry e;
        e.role = role;
        e.versions = { version };
        out.append(e);
    }
    return out;
}

QStringList ChatEntry::codeBlocks(const QString &markdown)
{
    // A fence of three or more backticks or tildes, its closing fence the same kind.
    static const QRegularExpression fence(
        QStringLiteral(R"((?:^|\n)[ \t]{0,3}(`{3,}|~{3,})[^\n]*\n(.*?)(?:\n[ \t]{0,3}\1[ \t]*(?=\n|$)|$))"),
        QRegularExpression::DotMatchesEverythingOption);
    QStringList blocks;
    auto it = fence.globalMatch(markdown);
    while (it.hasNext())
        blocks << it.next().captured(2);
    return blocks;
}

QString ChatEntry::figuresFromMeta(const QJsonObject &meta)
{
    if (meta.isEmpty())
        return {};
    QStringList parts;
    if (meta.contains(QStringLiteral("ttft_ms")))
        parts << QObject::tr("TTFT %1 ms (server)")
                     .arg(meta.value(QStringLiteral("ttft_ms")).toDouble(), 0, 'f', 0);
    if (meta.contains(QStringLiteral("answered_ms")))
        parts << QObject::tr("answered in %1 ms (server)")
                     .arg(meta.value(QStringLiteral("answered_ms")).toDouble(), 0, 'f', 0);
    if (meta.contains(QStringLiteral("mode")))
        parts << meta.value(QStringLiteral("mode")).toString();
    if (meta.contains(QStringLiteral("worker")))
        parts << QObject::tr("worker %1").arg(meta.value(QStringLiteral("worker")).toInt());
    return parts.join(QStringLiteral(" · "));
}
