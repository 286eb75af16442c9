#include "composer.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

Composer::Composer(QWidget *parent)
    : QWidget(parent)
    , m_input(new QPlainTextEdit)
    , m_send(new QPushButton(tr("Send")))
    , m_stop(new QPushButton(tr("Stop")))
    , m_enterSends(new QCheckBox(tr("Enter sends")))
    , m_editBanner(new QLabel)
{
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    m_editBanner->setVisible(false);
    outer->addWidget(m_editBanner);
    auto *row = new QHBoxLayout;
    m_input->setMaximumHeight(64);
    m_input->installEventFilter(this);
    row->addWidget(m_input, 1);
    auto *buttons = new QVBoxLayout;
    m_send->setDefault(true);
    m_stop->setEnabled(false);
    m_stop->setToolTip(tr("Stop the reply (Esc)"));
    m_enterSends->setToolTip(
        tr("On: Enter sends and Shift+Enter starts a new line. Ctrl+Enter always sends."));
    buttons->addWidget(m_send);
    buttons->addWidget(m_stop);
    buttons->addWidget(m_enterSends);
    row->addLayout(buttons);
    outer->addLayout(row);
    setEnterSends(false);
    connect(m_send, &QPushButton::clicked, this, &Composer::submit);
    connect(m_stop, &QPushButton::clicked, this, &Composer::stopRequested);
    connect(m_enterSends, &QCheckBox::toggled, this, &Composer::setEnterSends);
}

QString Composer::text() const
{
    return m_input->toPlainText();
}

void Composer::setText(const QString &text)
{
    m_input->setPlainText(text);
    m_input->moveCursor(QTextCursor::End);
}

void Composer::setBusy(bool busy)
{
    m_send->setEnabled(!busy);
    m_stop->setEnabled(busy);
}

void Composer::setEnterSends(bool on)
{
    if (m_enterSends->isChecked() != on)
        m_enterSends->setChecked(on);
    m_input->setPlaceholderText(on ? tr("Message (Enter to send, Shift+Enter for a new line)")
                                   : tr("Message (Ctrl+Enter to send)"));
}

bool Composer::enterSends() const
{
    return m_enterSends->isChecked();
}

void Composer::setEditing(int entry)
{
    m_editing = entry;
    m_editBanner->setVisible(entry >= 0);
    m_editBanner->setText(tr("✎ Editing a sent message: sending replaces it and every message after it. "
                             "Esc cancels."));
}

void Composer::focusInput()
{
    m_input->setFocus();
}

void Composer::submit()
{
    const QString text = m_input->toPlainText().trimmed();
    if (text.isEmpty() || !m_send->isEnabled())
        return;
    emit sendRequested(text, m_editing);
}

bool Composer::eventFilter(QObject *watched, QEvent *event)
{
    if (watched != m_input || event->type() != QEvent::KeyPress)
        return QWidget::eventFilter(watched, event);
    const auto *key = static_cast<QKeyEvent *>(event);
    const bool enter = key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter;
    if (enter && (key->modifiers() & Qt::ControlModifier)) {
        submit();
        return true;
    }
    if (enter && enterSends() && !(key->modifiers() & Qt::ShiftModifier)) {
        submit();
        return true;
    }
    if (key->key() == Qt::Key_Up && key->modifiers() == Qt::NoModifier && m_input->toPlainText().isEmpty()) {
        emit editLastRequested();
        return true;
    }
    if (key->matches(QKeySequence::Find)) {
        emit findRequested();
        return true;
    }
    if (key->key() == Qt::Key_Escape && m_stop->isEnabled()) {
        emit stopRequested(); // Esc stops a reply on its way
        return true;
    }
    if (key->key() == Qt::Key_Escape && m_editing >= 0) {
        setEditing(-1);
        m_input->clear();
        return true;
    }
    return QWidget::eventFilter(watched, event);
}
