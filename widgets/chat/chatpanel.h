#pragma once

#include "base/conversationsettings.h"
#include "chat/chatentry.h"
#include "chat/messageview.h"
#include "llm/ssedecoder.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QNetworkReply>
#include <QPointer>
#include <QWidget>

class ChatServer;
class ChatSearch;
class Composer;
class ConversationList;
class QLabel;
class QNetworkAccessManager;
class QTimer;

// The interactive user: a chat window talking to the in-process server over HTTP like any other
// client (so in blocking mode under load, your own message visibly waits). Conversations come from
// /v1/conversations; replies stream token by token from /v1/chat/stream and render as Markdown.
// The parts: ConversationList (top), ChatSearch, MessageView, Composer; this class wires them to
// the server.
class ChatPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ChatPanel(ChatServer *server, QWidget *parent = nullptr);

    void refreshConversations();
    void newConversation();
    void renameConversation(const QString &title);
    void deleteConversation();
    void send(const QString &text);
    void stop();
    bool isBusy() const { return m_reply != nullptr; }
    QString transcriptMarkdown() const;
    QString currentConversation() const { return m_conversation; }
    int conversationCount() const;

    // Per message.
    const QList<ChatEntry> &entries() const { return m_entries; }
    void copyMessage(int entry) const;
    void copyCode(int entry, int block) const;
    void regenerate(); // a new answer to the last user message; the old one stays as an alternative
    void showAlternative(int entry, int step); // page through an answer's alternatives
    // Replaces entry `entry` (a stored user message) and everything after it with `text` and its
    // answer. No confirmation: editEntry() and the composer ask first.
    void resendFrom(int entry, const QString &text);
    void editEntry(int entry); // puts the message in the composer to be edited and resent
    // Per conversation.
    ConversationSettings settings() const { return m_settings; }
    void setSettings(const ConversationSettings &settings);
    // Search (Ctrl+F) and export.
    void search(const QString &text);
    void openSearchResult(int row);
    ChatSearch *searchBox() const { return m_search; }
    bool exportMarkdown(const QString &path, QString *error = nullptr);
    bool exportJson(const QString &path, QString *error = nullptr);
    MessageView *messageView() const { return m_view; }
    Composer *composer() const { return m_composer; }
    ConversationList *conversationList() const { return m_list; }

signals:
    void replyFinished(bool ok);
    void conversationsLoaded();
    void messagesLoaded();
    void searchFinished(int results);
    void settingsSaved(bool ok);

private:
    QNetworkReply *request(const QByteArray &verb, const QString &path, const QJsonObject &body = {});
    void selectConversation(const QString &id, qint64 jumpTo = 0, const QString &highlight = {});
    void loadMessages(qint64 jumpTo = 0, const QString &highlight = {});
    void startStream(const QJsonObject &body);
    void onStreamData();
    void onStreamFinished();
    void handleEvent(const SseEvent &e);
    void onAction(MessageView::Action action, int entry, int block);
    void onComposerSend(const QString &text, int editing);
    bool confirmResend(int entry);
    void exportWithDialog(bool json);
    void editSettings();
    void scheduleRender();
    void render();
    void updateWaiting();
    void setBusy(bool busy);

    ChatServer *m_server;
    QNetworkAccessManager *m_net;
    ConversationList *m_list;
    ChatSearch *m_search;
    MessageView *m_view;
    Composer *m_composer;
    QLabel *m_status;
    QTimer *m_renderTimer, *m_waitTimer;
    QList<ChatEntry> m_entries;
    QString m_conversation;
    ConversationSettings m_settings;
    QPointer<QNetworkReply> m_reply;
    SseDecoder m_decoder;
    QByteArray m_errorBody; // a refused request's JSON body (413, 400, ...)
    QElapsedTimer m_sent;
    qint64 m_firstTokenMs = -1;
    QJsonObject m_identity;
    QHash<quint64, QString> m_clientFigures; // request id -> the timings this window measured
};
