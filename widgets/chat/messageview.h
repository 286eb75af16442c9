#pragma once

#include "chat/chatentry.h"

#include <QTextBrowser>

// The conversation as Markdown, each message with its actions as links in its header line:
// copy (and a copy link under each fenced code block), edit (user messages), regenerate (the
// last answer) and the pager through an answer's alternatives ("‹ 2/3 ›").
class MessageView : public QTextBrowser
{
    Q_OBJECT
public:
    enum class Action { Copy, CopyCode, Edit, Regenerate, Previous, Next };
    Q_ENUM(Action)

    explicit MessageView(QWidget *parent = nullptr);

    // Draws the entries (and keeps the view at the end if it was there). `busy`: a reply is on its
    // way, so nothing that sends can be clicked.
    void showEntries(const QList<ChatEntry> &entries, bool busy);
    // The Markdown drawn for the entries (also what the tests read).
    static QString markdownFor(const QList<ChatEntry> &entries, bool busy);
    // Scrolls entry `index` to the top of the view and selects `highlight` in it when given.
    void scrollToEntry(int index, const QString &highlight = {});

signals:
    void actionTriggered(MessageView::Action action, int entry, int block);

private:
    void onAnchor(const QUrl &url);
};
