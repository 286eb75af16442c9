#include "conversationlist.h"

#include "base/plaintext.h"

#include <QHBoxLayout>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QToolButton>
#include <QVBoxLayout>

ConversationList::ConversationList(QWidget *parent)
    : QWidget(parent)
    , m_user(new QLineEdit(QStringLiteral("me")))
    , m_list(new QListWidget)
{
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    auto *top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("User")));
    m_user->setMaximumWidth(120);
    top->addWidget(m_user);
    top->addStretch(1);
    auto button = [top](const QString &text, const QString &tip = {}) {
        auto *b = new QToolButton;
        b->setText(text);
        b->setToolTip(tip);
        top->addWidget(b);
        return b;
    };
    connect(button(tr("New")), &QToolButton::clicked, this, &ConversationList::newRequested);
    connect(button(tr("Settings…"), tr("System prompt and model settings of this conversation")),
            &QToolButton::clicked, this, &ConversationList::settingsRequested);
    connect(button(tr("Rename")), &QToolButton::clicked, this, &ConversationList::renameRequested);
    connect(button(tr("Delete")), &QToolButton::clicked, this, &ConversationList::deleteRequested);
    QToolButton *exportButton = button(tr("Export"), tr("Save this conversation as Markdown or as JSON"));
    auto *menu = new QMenu(exportButton);
    connect(menu->addAction(tr("Markdown…")), &QAction::triggered, this,
            &ConversationList::exportMarkdownRequested);
    connect(menu->addAction(tr("JSON (OpenAI messages)…")), &QAction::triggered, this,
            &ConversationList::exportJsonRequested);
    exportButton->setMenu(menu);
    exportButton->setPopupMode(QToolButton::InstantPopup);
    connect(button(tr("Reload")), &QToolButton::clicked, this, &ConversationList::reloadRequested);
    outer->addLayout(top);
    m_list->setMinimumHeight(60);
    outer->addWidget(m_list, 1);
    connect(m_list, &QListWidget::currentItemChanged, this, [this](QListWidgetItem *item) {
        if (item)
            emit conversationSelected(item->data(Qt::UserRole).toString());
    });
}

QString ConversationList::userId() const
{
    return m_user->text();
}

void ConversationList::setConversations(const QJsonArray &items, const QString &current)
{
    m_items = items;
    const QSignalBlocker block(m_list);
    m_list->clear();
    for (const QJsonValue &v : items) {
        const QJsonObject c = v.toObject();
        // Titles come from the first message, which is Markdown: shown as the text it reads as.
        auto *item
            = new QListWidgetItem(markdownToPlainText(c.value(QStringLiteral("title")).toString()), m_list);
        item->setData(Qt::UserRole, c.value(QStringLiteral("id")).toString());
        item->setToolTip(tr("%1 messages").arg(c.value(QStringLiteral("messages")).toInt()));
        if (item->data(Qt::UserRole).toString() == current)
            m_list->setCurrentItem(item);
    }
}

void ConversationList::select(const QString &id)
{
    for (int i = 0; i < m_list->count(); ++i) {
        if (m_list->item(i)->data(Qt::UserRole).toString() == id) {
            const QSignalBlocker block(m_list);
            m_list->setCurrentRow(i);
        }
    }
}

void ConversationList::clearSelection()
{
    const QSignalBlocker block(m_list);
    m_list->setCurrentRow(-1);
    m_list->clearSelection();
}

int ConversationList::count() const
{
    return m_list->count();
}

QString ConversationList::title(const QString &id) const
{
    for (const QJsonValue &v : m_items) {
        if (v.toObject().value(QStringLiteral("id")).toString() == id)
            return v.toObject().value(QStringLiteral("title")).toString();
    }
    return {};
}

QString ConversationList::displayedTitle(int row) const
{
    return row >= 0 && row < m_list->count() ? m_list->item(row)->text() : QString();
}

ConversationSettings ConversationList::settings(const QString &id) const
{
    ConversationSettings s;
    for (const QJsonValue &v : m_items) {
        if (v.toObject().value(QStringLiteral("id")).toString() == id)
            ConversationSettings::fromJson(v.toObject().value(QStringLiteral("settings")).toObject(), &s);
    }
    return s;
}
