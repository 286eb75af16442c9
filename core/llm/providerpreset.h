#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>
#include <optional>

// Everything OpenAiBackend needs to talk to one provider. The API key lives here only in memory:
// toJson() leaves it out, so settings files and reports never carry it (see SecretStore).
struct OpenAiConfig
{
    QString provider = QStringLiteral("custom"); // a ProviderPreset id
    QString baseUrl; // up to and including the version, e.g. https://api.openai.com/v1
    QString model;
    QString apiKey; // empty: no Authorization header (local servers)
    QString systemPrompt; // prepended when the request has no system message of its own
    double temperature = 0.7; // < 0: leave it to the provider
    // Timeouts in ms, each counted from the start of the call; <= 0: none.
    int connectTimeoutMs = 10'000; // until the request is on the wire (DNS, TCP, TLS)
    int firstTokenTimeoutMs = 30'000; // from the start of the call to the first streamed token
    int totalTimeoutMs = 120'000; // from the start of the call to the end of the reply

    QJsonObject toJson() const; // without apiKey
    static OpenAiConfig fromJson(const QJsonObject &o);
};

// A known OpenAI-compatible provider: where it listens, a sensible model, and whether it wants a key.
struct ProviderPreset
{
    QString id; // "glm", "openai", "ollama", "llamacpp", "lmstudio", "custom"
    QString displayName;
    QString baseUrl;
    QString model;
    bool requiresKey = false;
    QString keyEnvVar; // the environment variable the provider's own SDK reads

    OpenAiConfig config() const; // a config filled from this preset, without a key

    static const QList<ProviderPreset> &all();
    static std::optional<ProviderPreset> find(const QString &id); // case-insensitive
};
