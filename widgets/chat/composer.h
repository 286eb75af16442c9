#pragma once

#include <QWidget>

class QCheckBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;

// Where a message is written: Ctrl+Enter sends, and Enter too when "Enter sends" is on (then
// Shift+Enter starts a new line); Up in an empty box asks to edit the last message. While a
// message is being edited a line above the box says so, and sending resends from there.
class Composer : public QWidget
{
    Q_OBJECT
public:
    explicit Composer(QWidget *parent = nullptr);

    QString text() const;
    void setText(const QString &text);
    void setBusy(bool busy);
    void setEnterSends(bool on);
    bool enterSends() const;
    // Editing entry `entry` (-1: a new message).
    void setEditing(int entry);
    int editing() const { return m_editing; }
    void focusInput();

signals:
    void sendRequested(const QString &text, int editing);
    void stopRequested();
    void editLastRequested();
    void findRequested(); // Ctrl+F

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void submit();

    QPlainTextEdit *m_input;
    QPushButton *m_send, *m_stop;
    QCheckBox *m_enterSends;
    QLabel *m_editBanner;
    int m_editing = -1;
};
