#pragma once

#include "base/conversationsettings.h"

#include <QDialog>

class QDoubleSpinBox;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;

// A conversation's system prompt and model settings. Each field left at "server's" follows the
// server's language-model settings; the model names offered are those of its provider presets.
class ChatSettingsDialog : public QDialog
{
    Q_OBJECT
public:
    explicit ChatSettingsDialog(const ConversationSettings &settings, QWidget *parent = nullptr);

    ConversationSettings settings() const;

private:
    QPlainTextEdit *m_prompt;
    QLineEdit *m_model;
    QDoubleSpinBox *m_temperature;
    QSpinBox *m_maxTokens;
};
