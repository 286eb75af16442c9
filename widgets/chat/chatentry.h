#pragma once

#include "base/conversationsettings.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

// One version of a message as the chat window shows it: a user message has one, an assistant
// message one per regenerated answer.
struct ChatVersion
{
    qint64 id = 0; // the stored message's id; 0 until the server stored it
    QString text; // Markdown
    QString figures; // the timings line under it
    QJsonObject meta; // what the server stored with it (mode, worker, ttft_ms, answered_ms, tokens)
    qint64 createdMs = 0;
    quint64 requestId = 0;
};

// One message of the conversation, with its alternatives.
struct ChatEntry
{
    QString role; // "user" or "assistant"
    QList<ChatVersion> versions;
    int shown = 0; // the version on screen (and, stored, the active one)
    bool streaming = false;

    bool isUser() const { return role == QLatin1String("user"); }
    const ChatVersion &current() const { return versions[qBound(0, shown, int(versions.size()) - 1)]; }
    ChatVersion &current() { return versions[qBound(0, shown, int(versions.size()) - 1)]; }

    // The messages of GET /v1/conversations/ID/messages, alternatives grouped under one entry.
    static QList<ChatEntry> fromMessages(const QJsonArray &messages);
    // The fenced code blocks of a Markdown text, without their fences, in order.
    static QStringList codeBlocks(const QString &markdown);
    // The figures line for a stored answer's meta.
    static QString figuresFromMeta(const QJsonObject &meta);
};
