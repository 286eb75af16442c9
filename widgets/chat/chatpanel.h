#pragma once

#include "llm/ssedecoder.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QNetworkReply>
#include <QPointer>
#include <QWidget>

class ChatServer;
class QLabel;
class QLineEdit;
class QListWidget;
class QNetworkAccessManager;

class QPlainTextEdit;
class QPushButton;
class QTextBrowser;
class QTimer;

// The interactive user: a chat window talking to the in-process server over HTTP like any other
// client (so in blocking mode under load, your own message visibly waits). Conversations come from
// /v1/conversations; replies stream token by token from /v1/chat/stream and render as Markdown.
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

signals:
    void replyFinished(bool ok);
    void conversationsLoaded();

private:
    struct Message
    {
        QString role;
        QString text;
        QString figures;
        bool streaming = false;
    };

    QNetworkReply *request(const QByteArray &verb, const QString &path, const QJsonObject &body = {});
    void selectConversation(const QString &id);
    void loadMessages();
    void onStreamData();
    void onStreamFinished();
    void handleEvent(const SseEvent &e);
    void scheduleRender();
    void render();
    void updateWaiting();

    ChatServer *m_server;
    QNetworkAccessManager *m_net;
    QLineEdit *m_user;
    QListWidget *m_list;
    QTextBrowser *m_view;
    QPlainTextEdit *m_input;
    QPushButton *m_send, *m_stop;
    QLabel *m_status;
    QTimer *m_renderTimer, *m_waitTimer;
    QList<Message> m_messages;
    QString m_conversation;
    QPointer<QNetworkReply> m_reply;
    SseDecoder m_decoder;
    QElapsedTimer m_sent;
    qint64 m_firstTokenMs = -1;
    QJsonObject m_identity;
};
