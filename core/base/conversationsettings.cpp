#include "conversationsettings.h"

namespace {

bool readText(const QJsonObject &o, const char *key, qsizetype maxChars, QString *out, QString *error)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isUndefined() || v.isNull())
        return true;
    if (!v.isString() || v.toString().size() > maxChars || !v.toString().isValidUtf16()) {
        if (error)
            *error = QStringLiteral("field 'settings.%1' must be a string of at most %2 characters")
                         .arg(QLatin1String(key))
                         .arg(maxChars);
        return false;
    }
    *out = v.toString();
    return true;
}

} // namespace

bool ConversationSettings::isEmpty() const
{
    return systemPrompt.isEmpty() && model.isEmpty() && temperature < 0 && maxTokens <= 0;
}

QJsonObject ConversationSettings::toJson() const
{
    QJsonObject o;
    if (!systemPrompt.isEmpty())
        o.insert(QStringLiteral("system_prompt"), systemPrompt);
    if (!model.isEmpty())
        o.insert(QStringLiteral("model"), model);
    if (temperature >= 0)
        o.insert(QStringLiteral("temperature"), temperature);
    if (maxTokens > 0)
        o.insert(QStringLiteral("max_tokens"), maxTokens);
    return o;
}

bool ConversationSettings::fromJson(const QJsonObject &o, ConversationSettings *out, QString *error)
{
    ConversationSettings s;
    // The system prompt's size is bounded by the request body limit (413 past it).
    if (!readText(o, "system_prompt", 1 << 20, &s.systemPrompt, error)
        || !readText(o, "model", 128, &s.model, error))
        return false;
    const QJsonValue t = o.value(QLatin1String("temperature"));
    if (!t.isUndefined() && !t.isNull()) {
        const double v = t.toDouble(-1);
        if (!t.isDouble() || !(v >= 0 && v <= MaxTemperature)) {
            if (error)
                *error = QStringLiteral("field 'settings.temperature' must be a number from 0 to %1")
                             .arg(MaxTemperature);
            return false;
        }
        s.temperature = v;
    }
    const QJsonValue m = o.value(QLatin1String("max_tokens"));
    if (!m.isUndefined() && !m.isNull()) {
        if (!m.isDouble() || m.toDouble() != double(m.toInt()) || m.toInt() < 1
            || m.toInt() > MaxTokensLimit) {
            if (error)
                *error = QStringLiteral("field 'settings.max_tokens' must be an integer from 1 to %1")
                             .arg(MaxTokensLimit);
            return false;
        }
        s.maxTokens = m.toInt();
    }
    *out = s;
    return true;
}

ConversationSettings ConversationSettings::overriddenBy(const ConversationSettings &over) const
{
    ConversationSettings s = *this;
    if (!over.systemPrompt.isEmpty())
        s.systemPrompt = over.systemPrompt;
    if (!over.model.isEmpty())
        s.model = over.model;
    if (over.temperature >= 0)
        s.temperature = over.temperature;
    if (over.maxTokens > 0)
        s.maxTokens = over.maxTokens;
    return s;
}
