#pragma once

#include "llm/providerpreset.h"
#include "pipeline/serverconfig.h"

#include <QCommandLineParser>
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

// The `loopscope serve` options, shared by every command that starts the in-process server.
namespace ServerOptions {

void add(QCommandLineParser &parser);
// Fills `config` from the parsed options; false with a message on a bad value.
bool read(const QCommandLineParser &parser, ServerConfig *config, QString *error);

// --llm simulated|openai|PROVIDER, --llm-provider, --llm-base-url, --llm-model, --llm-api-key-env,
// --llm-timeout, --llm-first-token-timeout. False with a message on a bad or missing value.
bool readLlm(const QCommandLineParser &parser, LlmChoice *choice, QString *error);
// The backend for ChatServer::setLlmBackend(); nullptr for the simulated model.
std::shared_ptr<LlmBackend> makeLlmBackend(const LlmChoice &choice);

} // namespace ServerOptions
