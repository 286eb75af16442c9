#include "chatsearch.h"

#include "base/plaintext.h"

#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QTimer>
#include <QVBoxLayout>

ChatSearch::ChatSearch(QWidget *parent)
    : QWidget(parent)
    , m_box(new QLineEdit)
    , m_results(new QListWidget)
    , m_summary(new QLabel)
    , m_debounce(new QTimer(this))
{
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    m_box->setPlaceholderText(tr("Search all conversations (Ctrl+F)"));
    m_box->setClearButtonEnabled(true);
    outer->addWidget(m_box);
    outer->addWidget(m_summary);
    outer->addWidget(m_results);
    m_results->setVisible(false);
    m_summary->setVisible(false);
    m_results->setWordWrap(true);
    m_debounce->setSingleShot(true);
    m_debounce->setInterval(250); // one query when typing pauses, not one per key
    connect(m_box, &QLineEdit::textEdited, m_debounce, qOverload<>(&QTimer::start));
    connect(m_box, &QLineEdit::returnPressed, this, [this] {
        m_debounce->stop();
        emit searchRequested(query());
    });
    connect(m_debounce, &QTimer::timeout, this, [this] { emit searchRequested(query()); });
    connect(m_box, &QLineEdit::textChanged, this, [this](const QString &text) {
        if (text.trimmed().isEmpty())
            setResults({});
    });
    connect(m_results, &QListWidget::itemActivated, this,
            [this](QListWidgetItem *item) { pick(m_results->row(item)); });
    connect(m_results, &QListWidget::itemClicked, this,
            [this](QListWidgetItem *item) { pick(m_results->row(item)); });
}

void ChatSearch::activate()
{
    m_box->setFocus(Qt::ShortcutFocusReason);
    m_box->selectAll();
}

QString ChatSearch::query() const
{
    return m_box->text().trimmed();
}

void ChatSearch::setQuery(const QString &text)
{
    m_box->setText(text);
    m_debounce->stop();
    emit searchRequested(query());
}

void ChatSearch::setResults(const QJsonArray &results)
{
    m_items = results;
    m_results->clear();
    for (const QJsonValue &v : results) {
        const QJsonObject r = v.toObject();
        const QString title = markdownToPlainText(r.value(QStringLiteral("title")).toString());
        const QString role = r.value(QStringLiteral("role")).toString();
        const QString where = role.isEmpty() ? tr("title")
            : role == QLatin1String("user")  ? tr("you")
                                             : tr("assistant");
        m_results->addItem(
            QStringLiteral("%1 — %2: %3").arg(title, where, r.value(QStringLiteral("snippet")).toString()));
    }
    const bool searching = !query().isEmpty();
    m_summary->setVisible(searching);
    m_summary->setText(results.isEmpty()
                           ? tr("Nothing found for “%1”.").arg(query())
                           : tr("%n result(s) for “%1”:", nullptr, int(results.size())).arg(query()));
    m_results->setVisible(searching && !results.isEmpty());
    m_results->setMaximumHeight(qMin(160, 8 + 22 * int(results.size())));
}

int ChatSearch::resultCount() const
{
    return m_results->count();
}

QString ChatSearch::resultText(int row) const
{
    return row >= 0 && row < m_results->count() ? m_results->item(row)->text() : QString();
}

void ChatSearch::pick(int row)
{
    if (row < 0 || row >= m_items.size())
        return;
    const QJsonObject r = m_items[row].toObject();
    emit resultPicked(r.value(QStringLiteral("conversation_id")).toString(),
                      qint64(r.value(QStringLiteral("message_id")).toDouble()), query());
}
