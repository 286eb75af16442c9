#pragma once

#include "llm/llmchoice.h"

#include <QDialog>

class ChatServer;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;

// Server > Language model…: which model the in-process server waits on. The simulated model is
// the default; a real OpenAI-compatible provider (GLM, OpenAI, Ollama, llama.cpp, LM Studio,
// custom) can take its place. The API key never goes into the settings file: it is kept in the
// system keychain when there is one, otherwise read from an environment variable, and the dialog
// says which.
class LlmSettingsDialog : public QDialog
{
    Q_OBJECT
public:
    explicit LlmSettingsDialog(ChatServer *server, QWidget *parent = nullptr);

    // The saved choice (without the key: readKey() fills it), and installing it on a server.
    static LlmChoice savedChoice();
    static bool install(ChatServer *server, LlmChoice choice, QString *error);
    static QString keyAccount(const QString &providerId);

    // The form's current choice (key not included) and the key typed in the form, if any.
    LlmChoice choice() const;
    QString typedKey() const;
    // Saves the choice, stores a typed key, installs the backend. False with `error` on failure.
    bool apply(QString *error);

private:
    void loadPreset(const QString &id);
    void updateKeyLocation();

    ChatServer *m_server;
    QComboBox *m_provider = nullptr;
    QLineEdit *m_baseUrl = nullptr;
    QLineEdit *m_model = nullptr;
    QLineEdit *m_key = nullptr;
    QLineEdit *m_keyEnv = nullptr;
    QLabel *m_keyLocation = nullptr;
    QDoubleSpinBox *m_temperature = nullptr;
    QDoubleSpinBox *m_firstTokenTimeout = nullptr;
    QDoubleSpinBox *m_totalTimeout = nullptr;
    QPlainTextEdit *m_systemPrompt = nullptr;
    QLabel *m_status = nullptr;
    QString m_note;
};
