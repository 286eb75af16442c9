#pragma once

#include "base/conversationsettings.h"

#include <QJsonArray>
#include <QWidget>

class QLineEdit;
class QListWidget;
class QToolButton;

// The user's conversations (titles as plain text, however their first message was written)
// and what can be done to the current one: new, settings, rename, delete, export, reload.
class ConversationList : public QWidget
{
    Q_OBJECT
public:
    explicit ConversationList(QWidget *parent = nullptr);

    QString userId() const;
    // The items of GET /v1/conversations; `current` stays selected.
    void setConversations(const QJsonArray &items, const QString &current);
    void select(const QString &id);
    void clearSelection();
    int count() const;
    QString title(const QString &id) const;
    QString displayedTitle(int row) const;
    ConversationSettings settings(const QString &id) const;

signals:
    void conversationSelected(const QString &id);
    void newRequested();
    void settingsRequested();
    void renameRequested();
    void deleteRequested();
    void reloadRequested();
    void exportMarkdownRequested();
    void exportJsonRequested();

private:
    QLineEdit *m_user;
    QListWidget *m_list;
    QJsonArray m_items;
};
