#include "llmsettingsdialog.h"

#include "http/chatserver.h"
#include "llm/secretstore.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QUrl>
#include <QVBoxLayout>

namespace {
const QString kSimulated = QStringLiteral("simulated");
const QString kGroup = QStringLiteral("llm/");
} // namespace

QString LlmSettingsDialog::keyAccount(const QString &providerId)
{
    return QStringLiteral("llm-api-key/") + providerId;
}

LlmSettingsDialog::LlmSettingsDialog(ChatServer *server, QWidget *parent)
    : QDialog(parent)
    , m_server(server)
{
    setWindowTitle(tr("Language model"));
    auto *form = new QFormLayout;
    m_provider = new QComboBox;
    m_provider->addItem(tr("Simulated (no network, reproducible)"), kSimulated);
    for (const ProviderPreset &p : ProviderPreset::all())
        m_provider->addItem(p.displayName, p.id);
    form->addRow(tr("Provider"), m_provider);
    m_baseUrl = new QLineEdit;
    m_baseUrl->setPlaceholderText(QStringLiteral("https://…/v1"));
    form->addRow(tr("Base URL"), m_baseUrl);
    m_model = new QLineEdit;
    form->addRow(tr("Model"), m_model);
    m_key = new QLineEdit;
    m_key->setEchoMode(QLineEdit::Password);
    m_key->setPlaceholderText(tr("leave empty to keep the stored key"));
    form->addRow(tr("API key"), m_key);
    m_keyEnv = new QLineEdit;
    form->addRow(tr("Key variable"), m_keyEnv);
    m_keyLocation = new QLabel;
    m_keyLocation->setWordWrap(true);
    form->addRow(QString(), m_keyLocation);
    m_temperature = new QDoubleSpinBox;
    m_temperature->setRange(0, 2);
    m_temperature->setSingleStep(0.1);
    form->addRow(tr("Temperature"), m_temperature);
    m_firstTokenTimeout = new QDoubleSpinBox;
    m_firstTokenTimeout->setRange(0.1, 600);
    m_firstTokenTimeout->setSuffix(tr(" s"));
    form->addRow(tr("First-token timeout"), m_firstTokenTimeout);
    m_totalTimeout = new QDoubleSpinBox;
    m_totalTimeout->setRange(0.1, 3600);
    m_totalTimeout->setSuffix(tr(" s"));
    form->addRow(tr("Total timeout"), m_totalTimeout);
    m_systemPrompt = new QPlainTextEdit;
    m_systemPrompt->setMaximumHeight(70);
    form->addRow(tr("System prompt"), m_systemPrompt);
    m_status = new QLabel;
    m_status->setWordWrap(true);

    auto *buttons
        = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel | QDialogButtonBox::Apply);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_status);
    layout->addWidget(buttons);

    const LlmChoice saved = savedChoice();
    const QString savedId = saved.simulated ? kSimulated : saved.openai.provider;
    m_provider->setCurrentIndex(std::max(0, m_provider->findData(savedId)));
    loadPreset(savedId);
    if (!saved.simulated) {
        m_baseUrl->setText(saved.openai.baseUrl);
        m_model->setText(saved.openai.model);
        m_keyEnv->setText(saved.keyEnvVar);
        m_temperature->setValue(saved.openai.temperature);
        m_firstTokenTimeout->setValue(saved.openai.firstTokenTimeoutMs / 1000.0);
        m_totalTimeout->setValue(saved.openai.totalTimeoutMs / 1000.0);
        m_systemPrompt->setPlainText(saved.openai.systemPrompt);
    }
    updateKeyLocation();

    connect(m_provider, &QComboBox::currentIndexChanged, this, [this] {
        loadPreset(m_provider->currentData().toString());
        updateKeyLocation();
    });
    connect(m_keyEnv, &QLineEdit::textChanged, this, &LlmSettingsDialog::updateKeyLocation);
    auto applyAndReport = [this] {
        QString error;
        const bool ok = apply(&error);
        m_status->setText(ok ? tr("Applied: %1").arg(choice().describe()) + m_note : error);
        return ok;
    };
    connect(buttons->button(QDialogButtonBox::Apply), &QPushButton::clicked, this, applyAndReport);
    connect(buttons, &QDialogButtonBox::accepted, this, [this, applyAndReport] {
        if (applyAndReport())
            accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

void LlmSettingsDialog::loadPreset(const QString &id)
{
    const bool simulated = id == kSimulated;
    for (QWidget *w :
         std::initializer_list<QWidget *> { m_baseUrl, m_model, m_key, m_keyEnv, m_temperature,
                                            m_firstTokenTimeout, m_totalTimeout, m_systemPrompt })
        w->setEnabled(!simulated);
    if (simulated)
        return;
    const auto preset = ProviderPreset::find(id);
    if (!preset)
        return;
    const OpenAiConfig c = preset->config();
    m_baseUrl->setText(c.baseUrl);
    m_model->setText(c.model);
    m_keyEnv->setText(preset->keyEnvVar.isEmpty() ? QStringLiteral("LOOPSCOPE_LLM_API_KEY")
                                                  : preset->keyEnvVar);
    m_temperature->setValue(c.temperature);
    m_firstTokenTimeout->setValue(c.firstTokenTimeoutMs / 1000.0);
    m_totalTimeout->setValue(c.totalTimeoutMs / 1000.0);
}

void LlmSettingsDialog::updateKeyLocation()
{
    const QString id = m_provider->currentData().toString();
    if (id == kSimulated) {
        m_keyLocation->setText(tr("The simulated model needs no key."));
        return;
    }
    if (SecretStore::keychainCompiledIn()) {
        m_keyLocation->setText(tr("The key is kept in the system keychain (entry “%1”); if no keychain "
                                  "is running, it is read from the environment variable %2. It is never "
                                  "written to the settings file or to reports.")
                                   .arg(keyAccount(id), m_keyEnv->text()));
    } else {
        m_keyLocation->setText(tr("This build has no keychain support: the key is read from the "
                                  "environment variable %1 and never stored.")
                                   .arg(m_keyEnv->text()));
    }
}

LlmChoice LlmSettingsDialog::choice() const
{
    LlmChoice c;
    const QString id = m_provider->currentData().toString();
    c.simulated = id == kSimulated;
    if (c.simulated)
        return c;
    if (const auto preset = ProviderPreset::find(id))
        c.openai = preset->config();
    c.openai.provider = id;
    c.openai.baseUrl = m_baseUrl->text().trimmed();
    c.openai.model = m_model->text().trimmed();
    c.openai.temperature = m_temperature->value();
    c.openai.firstTokenTimeoutMs = int(m_firstTokenTimeout->value() * 1000);
    c.openai.totalTimeoutMs = int(m_totalTimeout->value() * 1000);
    c.openai.systemPrompt = m_systemPrompt->toPlainText();
    c.keyEnvVar = m_keyEnv->text().trimmed();
    return c;
}

QString LlmSettingsDialog::typedKey() const
{
    return m_key->text();
}

LlmChoice LlmSettingsDialog::savedChoice()
{
    QSettings s;
    LlmChoice c;
    const QString id = s.value(kGroup + QStringLiteral("provider"), kSimulated).toString();
    c.simulated = id == kSimulated;
    if (c.simulated)
        return c;
    c.openai = OpenAiConfig::fromJson(
        QJsonDocument::fromJson(s.value(kGroup + QStringLiteral("config")).toString().toUtf8()).object());
    c.openai.provider = id;
    c.keyEnvVar = s.value(kGroup + QStringLiteral("keyEnvVar")).toString();
    return c;
}

bool LlmSettingsDialog::install(ChatServer *server, LlmChoice choice, QString *error)
{
    if (choice.simulated) {
        server->setLlmBackend(nullptr);
        return true;
    }
    const QUrl url(choice.openai.baseUrl);
    if (!url.isValid() || !url.scheme().startsWith(QLatin1String("http")) || url.host().isEmpty()) {
        *error = tr("The base URL must be an http:// or https:// address.");
        return false;
    }
    if (choice.openai.apiKey.isEmpty()) {
        SecretStore store(keyAccount(choice.openai.provider), choice.keyEnvVar,
                          SecretStore::keychainCompiledIn());
        choice.openai.apiKey = store.readKey();
    }
    const auto preset = ProviderPreset::find(choice.openai.provider);
    if (choice.openai.apiKey.isEmpty() && preset && preset->requiresKey) {
        *error = tr("%1 needs an API key: type it above, or set the environment variable %2.")
                     .arg(preset->displayName, choice.keyEnvVar);
        return false;
    }
    server->setLlmBackend(makeLlmBackend(choice));
    return true;
}

bool LlmSettingsDialog::apply(QString *error)
{
    LlmChoice c = choice();
    QSettings s;
    s.setValue(kGroup + QStringLiteral("provider"), c.simulated ? kSimulated : c.openai.provider);
    if (!c.simulated) {
        // toJson() never holds the key.
        s.setValue(kGroup + QStringLiteral("config"),
                   QString::fromUtf8(QJsonDocument(c.openai.toJson()).toJson(QJsonDocument::Compact)));
        s.setValue(kGroup + QStringLiteral("keyEnvVar"), c.keyEnvVar);
        const QString key = typedKey();
        if (!key.isEmpty()) {
            SecretStore store(keyAccount(c.openai.provider), c.keyEnvVar, SecretStore::keychainCompiledIn());
            QString why;
            m_note.clear();
            if (!store.writeKey(key, &why)) {
                // No keychain: use the key for this session only, and say where to keep it.
                m_note = QLatin1Char('\n')
                    + tr("No keychain available (%1): the key is used for this session "
                         "only; set %2 to keep it.")
                          .arg(why, c.keyEnvVar);
            }
            c.openai.apiKey = key;
            m_key->clear();
        }
    }
    s.sync();
    return install(m_server, c, error);
}
