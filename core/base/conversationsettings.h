#pragma once

#include <QJsonObject>
#include <QString>

// A conversation's own system prompt and model settings, stored with the conversation and sent
// to the model with each of its requests. An unset field leaves the choice to the server
// (its language-model settings). It lives in the bottom layer because the model (llm/), the
// history store (storage/) and the protocols (http/) all speak it.
struct ConversationSettings
{
    QString systemPrompt;
    QString model; // the model name the server's provider is asked for; empty: the server's
    double temperature = -1; // < 0: the server's
    int maxTokens = 0; // <= 0: the server's

    static constexpr double MaxTemperature = 2.0;
    static constexpr int MaxTokensLimit = 32768;

    bool isEmpty() const;
    // Only the fields that are set: {system_prompt, model, temperature, max_tokens}.
    QJsonObject toJson() const;
    // Reads the fields toJson() writes; false with a message naming the first bad field.
    static bool fromJson(const QJsonObject &o, ConversationSettings *out, QString *error = nullptr);
    // These settings, with every field `over` sets taken from `over`.
    ConversationSettings overriddenBy(const ConversationSettings &over) const;

    bool operator==(const ConversationSettings &) const = default;
};
