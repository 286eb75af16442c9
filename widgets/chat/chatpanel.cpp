#include "chatpanel.h"

#include "http/chatserver.h"

#include <QAction>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSplitter>
#include <QTextBrowser>
#include <QTimer>
#include <QToolButton>
#include <QUrlQuery>
#include <QUuid>
#include <QVBoxLayout>

ChatPanel::ChatPanel(ChatServer *server, QWidget *parent)
    : QWidget(parent)
    , m_server(server)
    , m_net(new QNetworkAccessManager(this))
    , m_renderTimer(new QTimer(this))
    , m_waitTimer(new QTimer(this))
{
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(6, 6, 6, 6);
    auto *top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("User")));
    m_user = new QLineEdit(QStringLiteral("me"));
    m_user->setMaximumWidth(120);
    top->addWidget(m_user);
    top->addStretch(1);
    auto *newBtn = new QToolButton;
    newBtn->setText(tr("New"));
    auto *renameBtn = new QToolButton;
    renameBtn->setText(tr("Rename"));
    auto *deleteBtn = new QToolButton;
    deleteBtn->setText(tr("Delete"));
    auto *reloadBtn = new QToolButton;
    reloadBtn->setText(tr("Reload"));
    for (QToolButton *b : { newBtn, renameBtn, deleteBtn, reloadBtn })
        top->addWidget(b);
    outer->addLayout(top);

    auto *split = new QSplitter(Qt::Vertical);
    m_list = new QListWidget;
    m_list->setMinimumHeight(60);
    m_view = new QTextBrowser;
    m_view->setOpenExternalLinks(true);
    m_view->setPlaceholderText(tr("Send a message: the reply streams here token by token."));
    split->addWidget(m_list);
    split->addWidget(m_view);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 4);
    outer->addWidget(split, 1);

    m_status = new QLabel;
    m_status->setWordWrap(true);
    outer->addWidget(m_status);
    auto *inputRow = new QHBoxLayout;
    m_input = new QPlainTextEdit;
    m_input->setPlaceholderText(tr("Message (Ctrl+Enter to send)"));
    m_input->setMaximumHeight(64);
    inputRow->addWidget(m_input, 1);
    auto *buttons = new QVBoxLayout;
    m_send = new QPushButton(tr("Send"));
    m_send->setDefault(true);
    m_stop = new QPushButton(tr("Stop"));
    m_stop->setEnabled(false);
    buttons->addWidget(m_send);
    buttons->addWidget(m_stop);
    inputRow->addLayout(buttons);
    outer->addLayout(inputRow);

    m_renderTimer->setSingleShot(true);
    m_renderTimer->setInterval(33); // tokens are coalesced into at most ~30 renders a second
    connect(m_renderTimer, &QTimer::timeout, this, &ChatPanel::render);
    m_waitTimer->setInterval(100);
    connect(m_waitTimer, &QTimer::timeout, this, &ChatPanel::updateWaiting);

    connect(m_send, &QPushButton::clicked, this, [this] {
        const QString text = m_input->toPlainText().trimmed();
        if (!text.isEmpty()) {
            m_input->clear();
            send(text);
        }
    });
    auto *sendShortcut = new QAction(this);
    sendShortcut->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
    sendShortcut->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(sendShortcut, &QAction::triggered, m_send, &QPushButton::click);
    m_input->addAction(sendShortcut);
    connect(m_stop, &QPushButton::clicked, this, &ChatPanel::stop);
    connect(newBtn, &QToolButton::clicked, this, &ChatPanel::newConversation);
    connect(renameBtn, &QToolButton::clicked, this, [this] {
        if (m_conversation.isEmpty())
            return;
        bool ok = false;
        const QString title
            = QInputDialog::getText(this, tr("Rename conversation"), tr("Title"), QLineEdit::Normal,
                                    m_list->currentItem() ? m_list->currentItem()->text() : QString(), &ok);
        if (ok && !title.trimmed().isEmpty())
            renameConversation(title.trimmed());
    });
    connect(deleteBtn, &QToolButton::clicked, this, &ChatPanel::deleteConversation);
    connect(reloadBtn, &QToolButton::clicked, this, &ChatPanel::refreshConversations);
    connect(m_list, &QListWidget::currentItemChanged, this, [this](QListWidgetItem *item) {
        if (item && item->data(Qt::UserRole).toString() != m_conversation && !isBusy())
            selectConversation(item->data(Qt::UserRole).toString());
    });
    connect(m_server, &ChatServer::started, this, &ChatPanel::refreshConversations);
}

QNetworkReply *ChatPanel::request(const QByteArray &verb, const QString &path, const QJsonObject &body)
{
    QUrl url = m_server->url();
    const int q = path.indexOf(QLatin1Char('?'));
    url.setPath(q < 0 ? path : path.left(q));
    if (q >= 0)
        url.setQuery(path.mid(q + 1));
    QNetworkRequest req(url);
    req.setRawHeader("X-API-Key", m_server->apiKey().toUtf8());
    req.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    req.setTransferTimeout(0);
    const QByteArray data
        = body.isEmpty() ? QByteArray() : QJsonDocument(body).toJson(QJsonDocument::Compact);
    return m_net->sendCustomRequest(req, verb, data);
}

int ChatPanel::conversationCount() const
{
    return m_list->count();
}

void ChatPanel::refreshConversations()
{
    if (!m_server->isRunning())
        return;
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("user_id"), m_user->text());
    QNetworkReply *reply
        = request("GET", QStringLiteral("/v1/conversations?") + query.toString(QUrl::FullyEncoded));
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        reply->deleteLater();
        const QJsonArray items = QJsonDocument::fromJson(reply->readAll())
                                     .object()
                                     .value(QStringLiteral("conversations"))
                                     .toArray();
        const QSignalBlocker block(m_list);
        m_list->clear();
        for (const QJsonValue &v : items) {
            const QJsonObject c = v.toObject();
            auto *item = new QListWidgetItem(c.value(QStringLiteral("title")).toString(), m_list);
            item->setData(Qt::UserRole, c.value(QStringLiteral("id")).toString());
            item->setToolTip(tr("%1 messages").arg(c.value(QStringLiteral("messages")).toInt()));
            if (item->data(Qt::UserRole).toString() == m_conversation)
                m_list->setCurrentItem(item);
        }
        emit conversationsLoaded();
    });
}

void ChatPanel::newConversation()
{
    m_conversation.clear();
    m_messages.clear();
    m_list->clearSelection();
    render();
    m_input->setFocus();
}

void ChatPanel::renameConversation(const QString &title)
{
    QNetworkReply *reply = request("PATCH", QStringLiteral("/v1/conversations/") + m_conversation,
                                   { { QStringLiteral("title"), title } });
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        reply->deleteLater();
        refreshConversations();
    });
}

void ChatPanel::deleteConversation()
{
    if (m_conversation.isEmpty())
        return;
    QNetworkReply *reply = request("DELETE", QStringLiteral("/v1/conversations/") + m_conversation);
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        reply->deleteLater();
        newConversation();
        refreshConversations();
    });
}

void ChatPanel::selectConversation(const QString &id)
{
    m_conversation = id;
    loadMessages();
}

void ChatPanel::loadMessages()
{
    QNetworkReply *reply
        = request("GET", QStringLiteral("/v1/conversations/%1/messages").arg(m_conversation));
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        reply->deleteLater();
        m_messages.clear();
        const QJsonArray items
            = QJsonDocument::fromJson(reply->readAll()).object().value(QStringLiteral("messages")).toArray();
        for (const QJsonValue &v : items) {
            const QJsonObject m = v.toObject();
            Message msg { m.value(QStringLiteral("role")).toString(),
                          m.value(QStringLiteral("content")).toString(),
                          {} };
            const QJsonObject meta = m.value(QStringLiteral("meta")).toObject();
            if (!meta.isEmpty() && msg.role != QLatin1String("user")) {
                QStringList parts;
                for (auto it = meta.begin(); it != meta.end(); ++it) {
                    if (it.value().isString() || it.value().isDouble())
                        parts << QStringLiteral("%1 %2").arg(it.key(), it.value().toVariant().toString());
                }
                msg.figures = parts.join(QStringLiteral(" · "));
            }
            m_messages.append(msg);
        }
        render();
    });
}

void ChatPanel::send(const QString &text)
{
    if (isBusy() || !m_server->isRunning())
        return;
    if (m_conversation.isEmpty())
        m_conversation = QUuid::createUuid().toString(QUuid::WithoutBraces);
    m_messages.append({ QStringLiteral("user"), text, {} });
    m_messages.append({ QStringLiteral("assistant"), QString(), QString(), true });
    m_identity = {};
    m_firstTokenMs = -1;
    m_decoder.reset();
    m_sent.start();
    m_reply = request("POST", QStringLiteral("/v1/chat/stream"),
                      { { QStringLiteral("user_id"), m_user->text() },
                        { QStringLiteral("session_id"), m_conversation },
                        { QStringLiteral("message"), text } });
    connect(m_reply, &QNetworkReply::readyRead, this, &ChatPanel::onStreamData);
    connect(m_reply, &QNetworkReply::finished, this, &ChatPanel::onStreamFinished);
    m_send->setEnabled(false);
    m_stop->setEnabled(true);
    m_waitTimer->start();
    updateWaiting();
    render();
}

void ChatPanel::stop()
{
    if (m_reply)
        m_reply->abort();
}

void ChatPanel::onStreamData()
{
    for (const SseEvent &e : m_decoder.feed(m_reply->readAll()))
        handleEvent(e);
}

void ChatPanel::handleEvent(const SseEvent &e)
{
    Message &m = m_messages.last();
    const QJsonObject data = QJsonDocument::fromJson(e.data).object();
    if (e.event == "start") {
        m_identity = data;
    } else if (e.event == "token") {
        if (m_firstTokenMs < 0)
            m_firstTokenMs = m_sent.elapsed();
        m.text += data.value(QStringLiteral("delta")).toString();
    } else if (e.event == "done" || e.event == "error") {
        if (e.event == "error")
            m.text += tr("\n\n**Error:** %1 %2")
                          .arg(data.value(QStringLiteral("error")).toString(),
                               data.value(QStringLiteral("detail")).toString());
        else if (m.text.isEmpty())
            m.text = data.value(QStringLiteral("response")).toString();
        const QJsonObject timings = data.value(QStringLiteral("timings")).toObject();
        m.figures = tr("TTFT %1 ms (server %2) · total %3 ms (server %4) · %5 · worker %6 · %7")
                        .arg(m_firstTokenMs >= 0 ? m_firstTokenMs : m_sent.elapsed())
                        .arg(timings.value(QStringLiteral("ttft_ms")).toDouble(), 0, 'f', 0)
                        .arg(m_sent.elapsed())
                        .arg(timings.value(QStringLiteral("total_ms")).toDouble(), 0, 'f', 0)
                        .arg(data.value(QStringLiteral("mode"))
                                 .toString(m_identity.value(QStringLiteral("mode")).toString()))
                        .arg(data.value(QStringLiteral("worker"))
                                 .toInt(m_identity.value(QStringLiteral("worker")).toInt()))
                        .arg(data.value(QStringLiteral("thread"))
                                 .toString(m_identity.value(QStringLiteral("thread")).toString()));
    }
    scheduleRender();
}

void ChatPanel::onStreamFinished()
{
    QNetworkReply *reply = m_reply;
    if (!reply)
        return;
    for (const SseEvent &e : m_decoder.finish())
        handleEvent(e);
    Message &m = m_messages.last();
    m.streaming = false;
    const bool ok = reply->error() == QNetworkReply::NoError;
    if (reply->error() == QNetworkReply::OperationCanceledError)
        m.figures = tr("stopped after %1 ms").arg(m_sent.elapsed());
    else if (!ok && m.figures.isEmpty())
        m.figures = tr("failed: %1").arg(reply->errorString());
    reply->deleteLater();
    m_reply = nullptr;
    m_waitTimer->stop();
    m_status->clear();
    m_send->setEnabled(true);
    m_stop->setEnabled(false);
    render();
    refreshConversations();
    emit replyFinished(ok);
}

void ChatPanel::updateWaiting()
{
    if (!m_reply)
        return;
    const double s = m_sent.elapsed() / 1000.0;
    if (m_identity.isEmpty())
        m_status->setText(
            tr("⏳ waiting for the server… %1 s (no response yet: is the loop blocked?)").arg(s, 0, 'f', 1));
    else if (m_firstTokenMs < 0)
        m_status->setText(tr("accepted by worker %1 (%2), waiting for the first token… %3 s")
                              .arg(m_identity.value(QStringLiteral("worker")).toInt())
                              .arg(m_identity.value(QStringLiteral("mode")).toString())
                              .arg(s, 0, 'f', 1));
    else
        m_status->setText(tr("streaming… %1 s").arg(s, 0, 'f', 1));
}

void ChatPanel::scheduleRender()
{
    if (!m_renderTimer->isActive())
        m_renderTimer->start();
}

QString ChatPanel::transcriptMarkdown() const
{
    QString md;
    for (const Message &m : m_messages) {
        const bool user = m.role == QLatin1String("user");
        md += user ? tr("**You**") : tr("**Assistant**");
        if (!m.figures.isEmpty())
            md += QStringLiteral(" · *") + m.figures + QStringLiteral("*");
        md += QStringLiteral("\n\n");
        md += m.text.isEmpty() && m.streaming ? tr("_…_") : m.text;
        if (m.streaming && !m.text.isEmpty())
            md += QStringLiteral(" ▍");
        md += QStringLiteral("\n\n---\n\n");
    }
    return md;
}

void ChatPanel::render()
{
    QScrollBar *bar = m_view->verticalScrollBar();
    const bool atEnd = bar->value() >= bar->maximum() - 4;
    m_view->setMarkdown(transcriptMarkdown());
    if (atEnd)
        bar->setValue(bar->maximum());
}
