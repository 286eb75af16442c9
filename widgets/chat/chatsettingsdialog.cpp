#include "chatsettingsdialog.h"

#include "llm/providerpreset.h"

#include <QCompleter>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSpinBox>

ChatSettingsDialog::ChatSettingsDialog(const ConversationSettings &settings, QWidget *parent)
    : QDialog(parent)
    , m_prompt(new QPlainTextEdit(settings.systemPrompt))
    , m_model(new QLineEdit(settings.model))
    , m_temperature(new QDoubleSpinBox)
    , m_maxTokens(new QSpinBox)
{
    setWindowTitle(tr("Conversation settings"));
    auto *form = new QFormLayout(this);
    m_prompt->setPlaceholderText(tr("e.g. You are a concise assistant. Answer in English."));
    form->addRow(tr("System prompt"), m_prompt);
    // The models the language-model settings' providers offer; any other name can be typed.
    m_model->setPlaceholderText(tr("server's"));
    QStringList models;
    for (const ProviderPreset &p : ProviderPreset::all()) {
        if (!p.model.isEmpty() && !models.contains(p.model))
            models << p.model;
    }
    m_model->setCompleter(new QCompleter(models, m_model));
    m_model->setToolTip(tr("Sent to the server's provider instead of its configured model. Known: %1")
                            .arg(models.join(QStringLiteral(", "))));
    form->addRow(tr("Model"), m_model);
    m_temperature->setRange(-0.1, ConversationSettings::MaxTemperature);
    m_temperature->setSingleStep(0.1);
    m_temperature->setDecimals(1);
    m_temperature->setSpecialValueText(tr("server's"));
    m_temperature->setValue(settings.temperature < 0 ? -0.1 : settings.temperature);
    form->addRow(tr("Temperature"), m_temperature);
    m_maxTokens->setRange(0, ConversationSettings::MaxTokensLimit);
    m_maxTokens->setSpecialValueText(tr("server's"));
    m_maxTokens->setValue(qMax(0, settings.maxTokens));
    form->addRow(tr("Max tokens"), m_maxTokens);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    form->addRow(buttons);
}

ConversationSettings ChatSettingsDialog::settings() const
{
    ConversationSettings s;
    s.systemPrompt = m_prompt->toPlainText().trimmed();
    s.model = m_model->text().trimmed();
    s.temperature = m_temperature->value() < 0 ? -1 : m_temperature->value();
    s.maxTokens = m_maxTokens->value();
    return s;
}
