#pragma once

#include "llm/providerpreset.h"

#include <QString>
#include <memory>

class LlmBackend;

// Which model the server talks to: the simulated one (the default, needs nothing) or a real
// OpenAI-compatible provider. The key is read from an environment variable whose NAME is given
// (never from the command line) and is held in memory only: describe() does not show it.
struct LlmChoice
{
    bool simulated = true;
    OpenAiConfig openai; // when !simulated; openai.apiKey comes from $keyEnvVar
    QString keyEnvVar; // the variable's name

    QString describe() const;
};

// The backend factory, shared by `loopscope serve` and the desktop window's model dialog:
// the backend for ChatServer::setLlmBackend(); nullptr for the simulated model.
std::shared_ptr<LlmBackend> makeLlmBackend(const LlmChoice &choice);
