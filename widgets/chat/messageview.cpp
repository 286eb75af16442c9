#include "messageview.h"

#include <QAbstractTextDocumentLayout>
#include <QScrollBar>
#include <QTextBlock>

namespace {

constexpr const char *kScheme = "chat";

QString link(const QString &text, const QString &what, int entry, int block = -1)
{
    return QStringLiteral("[%1](%2:%3/%4%5)")
        .arg(text, QLatin1String(kScheme), what)
        .arg(entry)
        .arg(block >= 0 ? QStringLiteral("/%1").arg(block) : QString());
}

// The text with a "copy code" link under each fenced code block.
QString withCodeLinks(const QString &text, int entry)
{
    const QStringList lines = text.split(QLatin1Char('\n'));
    QString out;
    QString fence;
    int block = 0;
    for (const QString &line : lines) {
        out += line + QLatin1Char('\n');
        const QString t = line.trimmed();
        if (fence.isEmpty()) {
            if (t.startsWith(QLatin1String("```")) || t.startsWith(QLatin1String("~~~")))
                fence = t.left(3);
        } else if (t.startsWith(fence) && t.mid(3).trimmed().isEmpty()) {
            fence.clear();
            out += QStringLiteral("\n")
                + link(MessageView::tr("Copy code"), QStringLiteral("code"), entry, block++)
                + QStringLiteral("\n\n");
        }
    }
    return out;
}

} // namespace

MessageView::MessageView(QWidget *parent)
    : QTextBrowser(parent)
{
    setOpenLinks(false);
    setPlaceholderText(tr("Send a message: the reply streams here token by token."));
    connect(this, &QTextBrowser::anchorClicked, this, &MessageView::onAnchor);
}

QString MessageView::markdownFor(const QList<ChatEntry> &entries, bool busy)
{
    QString md;
    int lastAnswer = -1;
    for (int i = 0; i < entries.size(); ++i) {
        if (!entries[i].isUser())
            lastAnswer = i;
    }
    for (int i = 0; i < entries.size(); ++i) {
        const ChatEntry &e = entries[i];
        const ChatVersion &v = e.current();
        QStringList head { e.isUser() ? tr("**You**") : tr("**Assistant**") };
        if (e.versions.size() > 1)
            head << link(QStringLiteral("‹"), QStringLiteral("prev"), i)
                    + QStringLiteral(" %1/%2 ").arg(e.shown + 1).arg(e.versions.size())
                    + link(QStringLiteral("›"), QStringLiteral("next"), i);
        if (!e.streaming)
            head << link(tr("Copy"), QStringLiteral("copy"), i);
        if (!busy && e.isUser() && v.id > 0)
            head << link(tr("✎ Edit"), QStringLiteral("edit"), i);
        if (!busy && i == lastAnswer && !e.streaming && i > 0 && entries[i - 1].current().id > 0)
            head << link(tr("⟳ Regenerate"), QStringLiteral("regenerate"), i);
        md += head.join(QStringLiteral(" · ")) + QStringLiteral("\n\n");
        md += v.text.isEmpty() && e.streaming ? tr("_…_") : withCodeLinks(v.text, i);
        if (e.streaming && !v.text.isEmpty())
            md += QStringLiteral(" ▍");
        if (!v.figures.isEmpty())
            md += QStringLiteral("\n\n*") + v.figures + QStringLiteral("*");
        md += QStringLiteral("\n\n---\n\n");
    }
    return md;
}

void MessageView::showEntries(const QList<ChatEntry> &entries, bool busy)
{
    QScrollBar *bar = verticalScrollBar();
    const bool atEnd = bar->value() >= bar->maximum() - 4;
    setMarkdown(markdownFor(entries, busy));
    if (atEnd)
        bar->setValue(bar->maximum());
}

void MessageView::scrollToEntry(int index, const QString &highlight)
{
    // Every entry's header holds its copy link: the first block whose text carries it.
    const QString href = QStringLiteral("%1:copy/%2").arg(QLatin1String(kScheme)).arg(index);
    for (QTextBlock b = document()->begin(); b.isValid(); b = b.next()) {
        for (auto it = b.begin(); !it.atEnd(); ++it) {
            if (it.fragment().charFormat().anchorHref() != href)
                continue;
            const qreal top = document()->documentLayout()->blockBoundingRect(b).top();
            QTextCursor cursor(b);
            if (!highlight.isEmpty()) {
                const QTextCursor found = document()->find(highlight, cursor);
                if (!found.isNull())
                    cursor = found;
            }
            setTextCursor(cursor);
            verticalScrollBar()->setValue(int(top));
            return;
        }
    }
}

void MessageView::onAnchor(const QUrl &url)
{
    if (url.scheme() != QLatin1String(kScheme))
        return;
    const QStringList parts = url.path().split(QLatin1Char('/'));
    static const QHash<QString, Action> actions {
        { QStringLiteral("copy"), Action::Copy },     { QStringLiteral("code"), Action::CopyCode },
        { QStringLiteral("edit"), Action::Edit },     { QStringLiteral("regenerate"), Action::Regenerate },
        { QStringLiteral("prev"), Action::Previous }, { QStringLiteral("next"), Action::Next }
    };
    if (parts.size() < 2 || !actions.contains(parts[0]))
        return;
    emit actionTriggered(actions.value(parts[0]), parts[1].toInt(),
                         parts.value(2, QStringLiteral("-1")).toInt());
}
