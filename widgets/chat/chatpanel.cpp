#include "chatpanel.h"

#include "base/plaintext.h"
#include "chat/chatexport.h"
#include "chat/chatsearch.h"
#include "chat/chatsettingsdialog.h"
#include "chat/composer.h"
#include "chat/conversationlist.h"
#include "http/chatserver.h"
#include "storage/historystore.h"

#include <QAction>
#include <QClipboard>
#include <QGuiApplication>
#include <QInputDialog>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QMessageBox>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSplitter>
#include <QTimer>
#include <QUrlQuery>
#include <QUuid>
#include <QVBoxLayout>

namespace {

QJsonObject parseObject(const QByteArray &body)
{
    return QJsonDocument::fromJson(body).object();
}

} // namespace

ChatPanel::ChatPanel(ChatServer *server, QWidget *parent)
    : QWidget(parent)
    , m_server(server)
    , m_net(new QNetworkAccessManager(this))
    , m_list(new ConversationList)
    , m_search(new ChatSearch)
    , m_view(new MessageView)
    , m_composer(new Composer)
    , m_status(new QLabel)
    , m_renderTimer(new QTimer(this))
    , m_waitTimer(new QTimer(this))
{
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(6, 6, 6, 6);
    auto *split = new QSplitter(Qt::Vertical);
    auto *top = new QWidget;
    auto *topLayout = new QVBoxLayout(top);
    topLayout->setContentsMargins(0, 0, 0, 0);
    topLayout->addWidget(m_list, 1);
    topLayout->addWidget(m_search);
    split->addWidget(top);
    split->addWidget(m_view);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 4);
    outer->addWidget(split, 1);
    m_status->setWordWrap(true);
    outer->addWidget(m_status);
    outer->addWidget(m_composer);

    m_renderTimer->setSingleShot(true);
    m_renderTimer->setInterval(33); // tokens are coalesced into at most ~30 renders a second
    connect(m_renderTimer, &QTimer::timeout, this, &ChatPanel::render);
    m_waitTimer->setInterval(100);
    connect(m_waitTimer, &QTimer::timeout, this, &ChatPanel::updateWaiting);

    auto shortcut = [this](const QKeySequence &keys, auto slot) {
        auto *action = new QAction(this);
        action->setShortcut(keys);
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        connect(action, &QAction::triggered, this, slot);
        addAction(action);
    };
    shortcut(QKeySequence::Find, [this] { m_search->activate(); });
    shortcut(QKeySequence(Qt::Key_Escape), [this] { stop(); });

    connect(m_composer, &Composer::sendRequested, this, &ChatPanel::onComposerSend);
    connect(m_composer, &Composer::stopRequested, this, &ChatPanel::stop);
    connect(m_composer, &Composer::findRequested, m_search, &ChatSearch::activate);
    connect(m_composer, &Composer::editLastRequested, this, [this] {
        for (int i = int(m_entries.size()) - 1; i >= 0; --i) {
            if (m_entries[i].isUser()) {
                editEntry(i);
                return;
            }
        }
    });
    connect(m_view, &MessageView::actionTriggered, this, &ChatPanel::onAction);
    connect(m_list, &ConversationList::newRequested, this, &ChatPanel::newConversation);
    connect(m_list, &ConversationList::settingsRequested, this, &ChatPanel::editSettings);
    connect(m_list, &ConversationList::renameRequested, this, [this] {
        if (m_conversation.isEmpty())
            return;
        bool ok = false;
        const QString title = QInputDialog::getText(this, tr("Rename conversation"), tr("Title"),
                                                    QLineEdit::Normal, m_list->title(m_conversation), &ok);
        if (ok && !title.trimmed().isEmpty())
            renameConversation(title.trimmed());
    });
    connect(m_list, &ConversationList::deleteRequested, this, &ChatPanel::deleteConversation);
    connect(m_list, &ConversationList::reloadRequested, this, &ChatPanel::refreshConversations);
    connect(m_list, &ConversationList::exportMarkdownRequested, this, [this] { exportWithDialog(false); });
    connect(m_list, &ConversationList::exportJsonRequested, this, [this] { exportWithDialog(true); });
    connect(m_list, &ConversationList::conversationSelected, this, [this](const QString &id) {
        if (id != m_conversation && !isBusy())
            selectConversation(id);
    });
    connect(m_search, &ChatSearch::searchRequested, this, &ChatPanel::search);
    connect(m_search, &ChatSearch::resultPicked, this,
            [this](const QString &id, qint64 message, const QString &text) {
                if (!isBusy())
                    selectConversation(id, message, text);
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
    query.addQueryItem(QStringLiteral("user_id"), m_list->userId());
    QNetworkReply *reply
        = request("GET", QStringLiteral("/v1/conversations?") + query.toString(QUrl::FullyEncoded));
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        reply->deleteLater();
        m_list->setConversations(
            parseObject(reply->readAll()).value(QStringLiteral("conversations")).toArray(), m_conversation);
        emit conversationsLoaded();
    });
}

void ChatPanel::newConversation()
{
    m_conversation.clear();
    m_entries.clear();
    m_settings = {};
    m_list->clearSelection();
    m_composer->setEditing(-1);
    render();
    m_composer->focusInput();
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

void ChatPanel::selectConversation(const QString &id, qint64 jumpTo, const QString &highlight)
{
    m_conversation = id;
    m_settings = m_list->settings(id);
    m_list->select(id);
    m_composer->setEditing(-1);
    loadMessages(jumpTo, highlight);
}

void ChatPanel::loadMessages(qint64 jumpTo, const QString &highlight)
{
    const QString id = m_conversation;
    QNetworkReply *reply = request("GET", QStringLiteral("/v1/conversations/%1/messages").arg(id));
    connect(reply, &QNetworkReply::finished, this, [this, reply, id, jumpTo, highlight] {
        reply->deleteLater();
        if (id != m_conversation || isBusy())
            return; // another conversation was chosen, or a reply started, meanwhile
        m_entries = ChatEntry::fromMessages(
            parseObject(reply->readAll()).value(QStringLiteral("messages")).toArray());
        for (ChatEntry &e : m_entries) {
            for (ChatVersion &v : e.versions) {
                if (m_clientFigures.contains(v.requestId) && !e.isUser())
                    v.figures = m_clientFigures.value(v.requestId);
            }
        }
        render();
        for (int i = 0; jumpTo > 0 && i < m_entries.size(); ++i) {
            for (const ChatVersion &v : m_entries[i].versions) {
                if (v.id == jumpTo)
                    m_view->scrollToEntry(i, highlight);
            }
        }
        emit messagesLoaded();
    });
}

void ChatPanel::send(const QString &text)
{
    if (isBusy() || !m_server->isRunning())
        return;
    if (m_conversation.isEmpty())
        m_conversation = QUuid::createUuid().toString(QUuid::WithoutBraces);
    m_entries.append({ QStringLiteral("user"), { ChatVersion { 0, text } }, 0, false });
    m_entries.append({ QStringLiteral("assistant"), { ChatVersion {} }, 0, true });
    startStream({ { QStringLiteral("message"), text } });
}

void ChatPanel::regenerate()
{
    if (isBusy() || m_entries.size() < 2 || m_entries.last().isUser())
        return;
    ChatEntry &answer = m_entries.last();
    answer.versions.append(ChatVersion {});
    answer.shown = int(answer.versions.size()) - 1;
    answer.streaming = true;
    startStream({ { QStringLiteral("regenerate"), true } });
}

void ChatPanel::resendFrom(int entry, const QString &text)
{
    if (isBusy() || entry < 0 || entry >= m_entries.size() || !m_entries[entry].isUser())
        return;
    const qint64 id = m_entries[entry].current().id;
    if (id <= 0)
        return;
    m_entries.erase(m_entries.begin() + entry, m_entries.end());
    m_entries.append({ QStringLiteral("user"), { ChatVersion { 0, text } }, 0, false });
    m_entries.append({ QStringLiteral("assistant"), { ChatVersion {} }, 0, true });
    m_composer->setEditing(-1);
    startStream({ { QStringLiteral("message"), text }, { QStringLiteral("edit_from"), double(id) } });
}

void ChatPanel::startStream(const QJsonObject &fields)
{
    QJsonObject body = fields;
    body.insert(QStringLiteral("user_id"), m_list->userId());
    body.insert(QStringLiteral("session_id"), m_conversation);
    // The conversation's settings go with every request (the server also keeps them).
    if (!m_settings.isEmpty())
        body.insert(QStringLiteral("settings"), m_settings.toJson());
    m_identity = {};
    m_firstTokenMs = -1;
    m_errorBody.clear();
    m_decoder.reset();
    m_sent.start();
    m_reply = request("POST", QStringLiteral("/v1/chat/stream"), body);
    connect(m_reply, &QNetworkReply::readyRead, this, &ChatPanel::onStreamData);
    connect(m_reply, &QNetworkReply::finished, this, &ChatPanel::onStreamFinished);
    setBusy(true);
    m_waitTimer->start();
    updateWaiting();
    render();
}

void ChatPanel::setBusy(bool busy)
{
    m_composer->setBusy(busy);
}

void ChatPanel::stop()
{
    if (m_reply)
        m_reply->abort();
}

void ChatPanel::onStreamData()
{
    const int status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status >= 400) {
        m_errorBody += m_reply->readAll(); // the server's JSON error, not a stream
        return;
    }
    for (const SseEvent &e : m_decoder.feed(m_reply->readAll()))
        handleEvent(e);
}

void ChatPanel::handleEvent(const SseEvent &e)
{
    ChatVersion &m = m_entries.last().current();
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
        const quint64 id = m_identity.value(QStringLiteral("request_id")).toVariant().toULongLong();
        if (id > 0 && e.event == "done")
            m_clientFigures.insert(id, m.figures);
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
    ChatEntry &entry = m_entries.last();
    ChatVersion &m = entry.current();
    entry.streaming = false;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    m_errorBody += reply->readAll();
    const bool ok = reply->error() == QNetworkReply::NoError && status < 400;
    if (reply->error() == QNetworkReply::OperationCanceledError) {
        m.figures = tr("stopped after %1 ms").arg(m_sent.elapsed());
    } else if (status >= 400) {
        // The server refused the request (413 too large, 400 invalid, 409 nothing to replace...):
        // its own words, in the chat.
        const QJsonObject error = parseObject(m_errorBody);
        const QString detail
            = error.value(QStringLiteral("detail")).toString(QString::fromUtf8(m_errorBody).left(300));
        m.text = status == 413 ? tr("**The server refused this message: it is too large (HTTP 413).** %1\n\n"
                                    "Shorten the message or the conversation's system prompt.")
                                     .arg(detail)
                               : tr("**The server refused this message (HTTP %1 %2).** %3")
                                     .arg(status)
                                     .arg(error.value(QStringLiteral("error")).toString(), detail);
        m.figures = tr("failed after %1 ms").arg(m_sent.elapsed());
    } else if (!ok && m.figures.isEmpty()) {
        m.figures = tr("failed: %1").arg(reply->errorString());
    }
    reply->deleteLater();
    m_reply = nullptr;
    m_waitTimer->stop();
    m_status->clear();
    setBusy(false);
    render();
    if (ok)
        loadMessages(); // the stored ids, for edit and regenerate
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

void ChatPanel::copyMessage(int entry) const
{
    if (entry >= 0 && entry < m_entries.size())
        QGuiApplication::clipboard()->setText(m_entries[entry].current().text);
}

void ChatPanel::copyCode(int entry, int block) const
{
    if (entry < 0 || entry >= m_entries.size())
        return;
    const QStringList blocks = ChatEntry::codeBlocks(m_entries[entry].current().text);
    if (block >= 0 && block < blocks.size())
        QGuiApplication::clipboard()->setText(blocks[block]);
}

void ChatPanel::showAlternative(int entry, int step)
{
    if (entry < 0 || entry >= m_entries.size() || isBusy())
        return;
    ChatEntry &e = m_entries[entry];
    const int shown = qBound(0, e.shown + step, int(e.versions.size()) - 1);
    if (shown == e.shown)
        return;
    e.shown = shown;
    render();
    // The answer on screen is the one the conversation goes on from.
    if (e.current().id > 0) {
        QNetworkReply *reply = request(
            "PATCH",
            QStringLiteral("/v1/conversations/%1/messages/%2").arg(m_conversation).arg(e.current().id),
            { { QStringLiteral("active"), true } });
        connect(reply, &QNetworkReply::finished, reply, &QObject::deleteLater);
    }
}

void ChatPanel::editEntry(int entry)
{
    if (isBusy() || entry < 0 || entry >= m_entries.size() || !m_entries[entry].isUser()
        || m_entries[entry].current().id <= 0)
        return;
    m_composer->setText(m_entries[entry].current().text);
    m_composer->setEditing(entry);
    m_composer->focusInput();
}

bool ChatPanel::confirmResend(int entry)
{
    const int later = int(m_entries.size()) - entry - 1;
    QString text = tr("Resend the edited message? It replaces the original and the %n message(s) after it.",
                      nullptr, later);
    text += QLatin1Char(' ');
    text += HistoryStore::KeepsReplacedMessages
        ? tr("The history keeps the replaced messages.")
        : tr("The history does not keep replaced messages: they will be deleted and cannot be recovered.");
    return QMessageBox::question(this, tr("Edit and resend"), text) == QMessageBox::Yes;
}

void ChatPanel::onComposerSend(const QString &text, int editing)
{
    if (editing >= 0) {
        if (confirmResend(editing)) {
            m_composer->setText(QString());
            resendFrom(editing, text);
        }
        return;
    }
    m_composer->setText(QString());
    send(text);
}

void ChatPanel::onAction(MessageView::Action action, int entry, int block)
{
    switch (action) {
    case MessageView::Action::Copy:
        copyMessage(entry);
        m_status->setText(tr("Message copied."));
        break;
    case MessageView::Action::CopyCode:
        copyCode(entry, block);
        m_status->setText(tr("Code copied."));
        break;
    case MessageView::Action::Edit:
        editEntry(entry);
        break;
    case MessageView::Action::Regenerate:
        regenerate();
        break;
    case MessageView::Action::Previous:
    case MessageView::Action::Next:
        showAlternative(entry, action == MessageView::Action::Next ? 1 : -1);
        break;
    }
}

void ChatPanel::setSettings(const ConversationSettings &settings)
{
    m_settings = settings;
    if (m_conversation.isEmpty() || m_entries.isEmpty()) {
        emit settingsSaved(true); // a new conversation: they go with its first message
        return;
    }
    QNetworkReply *reply = request("PATCH", QStringLiteral("/v1/conversations/") + m_conversation,
                                   { { QStringLiteral("settings"), settings.toJson() } });
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status != 200) {
            const QJsonObject error = parseObject(reply->readAll());
            m_status->setText(tr("The settings were not saved (HTTP %1): %2")
                                  .arg(status)
                                  .arg(error.value(QStringLiteral("detail")).toString(reply->errorString())));
        }
        refreshConversations();
        emit settingsSaved(status == 200);
    });
}

void ChatPanel::editSettings()
{
    ChatSettingsDialog dialog(m_settings, this);
    if (dialog.exec() == QDialog::Accepted)
        setSettings(dialog.settings());
}

void ChatPanel::search(const QString &text)
{
    if (text.trimmed().isEmpty() || !m_server->isRunning()) {
        m_search->setResults({});
        emit searchFinished(0);
        return;
    }
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("q"), text);
    query.addQueryItem(QStringLiteral("user_id"), m_list->userId());
    QNetworkReply *reply
        = request("GET", QStringLiteral("/v1/conversations/search?") + query.toString(QUrl::FullyEncoded));
    connect(reply, &QNetworkReply::finished, this, [this, reply, text] {
        reply->deleteLater();
        if (text != m_search->query())
            return; // typed on meanwhile: a newer search is coming
        const QJsonArray results = parseObject(reply->readAll()).value(QStringLiteral("results")).toArray();
        m_search->setResults(results);
        emit searchFinished(int(results.size()));
    });
}

void ChatPanel::openSearchResult(int row)
{
    m_search->pick(row);
}

bool ChatPanel::exportMarkdown(const QString &path, QString *error)
{
    const QString title = markdownToPlainText(m_list->title(m_conversation));
    return ChatExport::write(path, ChatExport::markdown(title, m_settings, m_entries).toUtf8(), error);
}

bool ChatPanel::exportJson(const QString &path, QString *error)
{
    return ChatExport::write(path, ChatExport::openAiJson(m_settings, m_entries), error);
}

void ChatPanel::exportWithDialog(bool json)
{
    const QString path = m_entries.isEmpty() ? QString() : ChatExport::askPath(this, json);
    QString error;
    if (!path.isEmpty())
        m_status->setText((json ? exportJson(path, &error) : exportMarkdown(path, &error))
                              ? tr("Saved %1").arg(path)
                              : error);
    if (!error.isEmpty())
        QMessageBox::warning(this, tr("Export failed"), error);
}

void ChatPanel::scheduleRender()
{
    if (!m_renderTimer->isActive())
        m_renderTimer->start();
}

QString ChatPanel::transcriptMarkdown() const
{
    return MessageView::markdownFor(m_entries, isBusy());
}

void ChatPanel::render()
{
    m_view->showEntries(m_entries, isBusy());
}
