#include "chatexport.h"

#include <QDateTime>
#include <QFileDialog>
#include <QFileInfo>
#include <QJsonDocument>
#include <QObject>
#include <QSaveFile>

namespace ChatExport {

namespace {

QString cell(const QJsonObject &meta, const char *key)
{
    const QJsonValue v = meta.value(QLatin1String(key));
    if (v.isDouble())
        return QString::number(v.toDouble(), 'f', v.toDouble() == double(qint64(v.toDouble())) ? 0 : 1);
    return v.isString() ? v.toString() : QStringLiteral("–");
}

} // namespace

QString markdown(const QString &title, const ConversationSettings &settings, const QList<ChatEntry> &entries)
{
    QString md = QStringLiteral("# %1\n\n").arg(title.isEmpty() ? QObject::tr("Conversation") : title);
    if (!settings.systemPrompt.isEmpty())
        md += QObject::tr("**System prompt:** %1\n\n").arg(settings.systemPrompt);
    const QJsonObject model = settings.toJson();
    QStringList shown;
    for (const char *key : { "model", "temperature", "max_tokens" }) {
        if (model.contains(QLatin1String(key)))
            shown << QStringLiteral("%1 `%2`").arg(QLatin1String(key),
                                                   model.value(QLatin1String(key)).toVariant().toString());
    }
    if (!shown.isEmpty())
        md += QObject::tr("**Model settings:** %1\n\n").arg(shown.join(QStringLiteral(", ")));
    for (const ChatEntry &e : entries) {
        md += e.isUser() ? QObject::tr("## You\n\n") : QObject::tr("## Assistant\n\n");
        md += e.current().text + QStringLiteral("\n\n");
    }
    md += QObject::tr("## Timings\n\n");
    md += QObject::tr("| # | Role | Sent | TTFT (ms) | Answered (ms) | Tokens | Mode | Worker |\n");
    md += QStringLiteral("|---:|---|---|---:|---:|---:|---|---:|\n");
    int n = 0;
    for (const ChatEntry &e : entries) {
        const ChatVersion &v = e.current();
        const QString sent = v.createdMs > 0
            ? QDateTime::fromMSecsSinceEpoch(v.createdMs).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))
            : QStringLiteral("–");
        md += QStringLiteral("| %1 | %2 | %3 | %4 | %5 | %6 | %7 | %8 |\n")
                  .arg(++n)
                  .arg(e.isUser() ? QObject::tr("user") : QObject::tr("assistant"), sent,
                       e.isUser() ? QStringLiteral("–") : cell(v.meta, "ttft_ms"),
                       e.isUser() ? QStringLiteral("–") : cell(v.meta, "answered_ms"),
                       e.isUser() ? QStringLiteral("–") : cell(v.meta, "tokens"),
                       e.isUser() ? QStringLiteral("–") : cell(v.meta, "mode"),
                       e.isUser() ? QStringLiteral("–") : cell(v.meta, "worker"));
    }
    return md;
}

QByteArray openAiJson(const ConversationSettings &settings, const QList<ChatEntry> &entries)
{
    QJsonArray messages;
    if (!settings.systemPrompt.isEmpty())
        messages.append(QJsonObject { { QStringLiteral("role"), QStringLiteral("system") },
                                      { QStringLiteral("content"), settings.systemPrompt } });
    for (const ChatEntry &e : entries)
        messages.append(QJsonObject { { QStringLiteral("role"), e.role },
                                      { QStringLiteral("content"), e.current().text } });
    QJsonObject body { { QStringLiteral("model"),
                         settings.model.isEmpty() ? QStringLiteral("loopscope") : settings.model },
                       { QStringLiteral("messages"), messages } };
    if (settings.temperature >= 0)
        body.insert(QStringLiteral("temperature"), settings.temperature);
    if (settings.maxTokens > 0)
        body.insert(QStringLiteral("max_tokens"), settings.maxTokens);
    return QJsonDocument(body).toJson(QJsonDocument::Indented);
}

QString askPath(QWidget *parent, bool json)
{
    return QFileDialog::getSaveFileName(
        parent, json ? QObject::tr("Export as JSON") : QObject::tr("Export as Markdown"),
        json ? QStringLiteral("conversation.json") : QStringLiteral("conversation.md"),
        json ? QObject::tr("JSON (*.json)") : QObject::tr("Markdown (*.md)"));
}

bool write(const QString &path, const QByteArray &data, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(data) != data.size() || !file.commit()) {
        if (error)
            *error = QObject::tr("Cannot write %1: %2")
                         .arg(QFileInfo(path).absoluteFilePath(), file.errorString());
        return false;
    }
    return true;
}

} // namespace ChatExport
