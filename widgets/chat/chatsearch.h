#pragma once

#include <QJsonArray>
#include <QWidget>

class QLabel;
class QLineEdit;
class QListWidget;
class QTimer;

// Search across the user's conversations (titles and message text). The panel runs the query
// (GET /v1/conversations/search); this shows the box and the results, and says which was picked.
class ChatSearch : public QWidget
{
    Q_OBJECT
public:
    explicit ChatSearch(QWidget *parent = nullptr);

    void activate(); // Ctrl+F: show the box, focus it, select its text
    QString query() const;
    void setQuery(const QString &text); // and search at once
    void setResults(const QJsonArray &results);
    int resultCount() const;
    QString resultText(int row) const;
    void pick(int row);

signals:
    void searchRequested(const QString &text);
    void resultPicked(const QString &conversationId, qint64 messageId, const QString &text);

private:
    QLineEdit *m_box;
    QListWidget *m_results;
    QLabel *m_summary;
    QTimer *m_debounce;
    QJsonArray m_items;
};
