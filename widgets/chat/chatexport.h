#pragma once

#include "chat/chatentry.h"

#include <QByteArray>
#include <QList>
#include <QString>

class QWidget;

// A conversation written out to share it: as Markdown (the messages, then a table of each
// answer's timings) or as JSON in OpenAI's chat-completions request format, which any
// compatible server (LoopScope's /v1/chat/completions too) can be sent to replay it.
// Only the versions on screen are written (not the other alternatives).
namespace ChatExport {

QString markdown(const QString &title, const ConversationSettings &settings, const QList<ChatEntry> &entries);
QByteArray openAiJson(const ConversationSettings &settings, const QList<ChatEntry> &entries);

// Asks where to save (a file dialog); empty when cancelled.
QString askPath(QWidget *parent, bool json);
// Writes `data` to `path` whole or not at all; false with a readable reason.
bool write(const QString &path, const QByteArray &data, QString *error);

} // namespace ChatExport
