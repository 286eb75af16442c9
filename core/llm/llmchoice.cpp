#include "llmchoice.h"

#include "llm/openaibackend.h"

#include <QUrl>

std::shared_ptr<LlmBackend> makeLlmBackend(const LlmChoice &choice)
{
    if (choice.simulated)
        return nullptr;
    return std::make_shared<OpenAiBackend>(choice.openai);
}

QString LlmChoice::describe() const
{
    if (simulated)
        return QStringLiteral("simulated");
    QString key = QStringLiteral("no API key");
    if (!keyEnvVar.isEmpty())
        key = QStringLiteral("API key from $%1 (%2)")
                  .arg(keyEnvVar,
                       openai.apiKey.isEmpty() ? QStringLiteral("not set") : QStringLiteral("set"));
    return QStringLiteral("OpenAI-compatible, provider %1, model %2 at %3, %4; "
                          "timeouts: first token %5 s, total %6 s")
        .arg(openai.provider, openai.model, OpenAiBackend::endpoint(openai.baseUrl).toString(), key)
        .arg(openai.firstTokenTimeoutMs / 1000.0)
        .arg(openai.totalTimeoutMs / 1000.0);
}
