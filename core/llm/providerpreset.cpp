#include "providerpreset.h"

QJsonObject OpenAiConfig::toJson() const
{
    return { { QStringLiteral("provider"), provider },
             { QStringLiteral("baseUrl"), baseUrl },
             { QStringLiteral("model"), model },
             { QStringLiteral("systemPrompt"), systemPrompt },
             { QStringLiteral("temperature"), temperature },
             { QStringLiteral("connectTimeoutMs"), connectTimeoutMs },
             { QStringLiteral("firstTokenTimeoutMs"), firstTokenTimeoutMs },
             { QStringLiteral("totalTimeoutMs"), totalTimeoutMs } };
}

OpenAiConfig OpenAiConfig::fromJson(const QJsonObject &o)
{
    OpenAiConfig c;
    c.provider = o.value(QLatin1String("provider")).toString(c.provider);
    if (const auto preset = ProviderPreset::find(c.provider)) {
        c.baseUrl = preset->baseUrl;
        c.model = preset->model;
    }
    c.baseUrl = o.value(QLatin1String("baseUrl")).toString(c.baseUrl);
    c.model = o.value(QLatin1String("model")).toString(c.model);
    c.systemPrompt = o.value(QLatin1String("systemPrompt")).toString();
    c.temperature = o.value(QLatin1String("temperature")).toDouble(c.temperature);
    c.connectTimeoutMs = o.value(QLatin1String("connectTimeoutMs")).toInt(c.connectTimeoutMs);
    c.firstTokenTimeoutMs = o.value(QLatin1String("firstTokenTimeoutMs")).toInt(c.firstTokenTimeoutMs);
    c.totalTimeoutMs = o.value(QLatin1String("totalTimeoutMs")).toInt(c.totalTimeoutMs);
    return c;
}

OpenAiConfig ProviderPreset::config() const
{
    OpenAiConfig c;
    c.provider = id;
    c.baseUrl = baseUrl;
    c.model = model;
    return c;
}

const QList<ProviderPreset> &ProviderPreset::all()
{
    // Base URLs from each provider's documentation (see REFERENCE.md). Local servers ignore the
    // key or take any; their model names are whatever the user loaded, so these are only hints.
    static const QList<ProviderPreset> presets {
        { QStringLiteral("glm"), QStringLiteral("GLM (Zhipu)"),
          QStringLiteral("https://open.bigmodel.cn/api/paas/v4"), QStringLiteral("glm-4-flash"), true,
          QStringLiteral("ZHIPUAI_API_KEY") },
        { QStringLiteral("openai"), QStringLiteral("OpenAI"), QStringLiteral("https://api.openai.com/v1"),
          QStringLiteral("gpt-4o-mini"), true, QStringLiteral("OPENAI_API_KEY") },
        { QStringLiteral("ollama"),
          QStringLiteral("Ollama"),
          QStringLiteral("http://localhost:11434/v1"),
          QStringLiteral("llama3.2"),
          false,
          {} },
        { QStringLiteral("llamacpp"),
          QStringLiteral("llama.cpp server"),
          QStringLiteral("http://127.0.0.1:8080/v1"),
          QStringLiteral("default"),
          false,
          {} },
        { QStringLiteral("lmstudio"),
          QStringLiteral("LM Studio"),
          QStringLiteral("http://localhost:1234/v1"),
          QStringLiteral("local-model"),
          false,
          {} },
        { QStringLiteral("custom"), QStringLiteral("Custom"), QString(), QString(), false,
          QStringLiteral("LOOPSCOPE_LLM_API_KEY") },
    };
    return presets;
}

std::optional<ProviderPreset> ProviderPreset::find(const QString &id)
{
    for (const ProviderPreset &p : all()) {
        if (p.id.compare(id, Qt::CaseInsensitive) == 0)
            return p;
    }
    return std::nullopt;
}
