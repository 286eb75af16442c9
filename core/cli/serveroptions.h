#pragma once

#include "llm/llmchoice.h"
#include "pipeline/serverconfig.h"

#include <QCommandLineParser>

// The `loopscope serve` options, shared by every command that starts the in-process server.
namespace ServerOptions {

void add(QCommandLineParser &parser);
// Fills `config` from the parsed options; false with a message on a bad value.
bool read(const QCommandLineParser &parser, ServerConfig *config, QString *error);

// --llm simulated|openai|PROVIDER, --llm-provider, --llm-base-url, --llm-model, --llm-api-key-env,
// --llm-timeout, --llm-first-token-timeout. False with a message on a bad or missing value.
bool readLlm(const QCommandLineParser &parser, LlmChoice *choice, QString *error);

// --db postgresql://...: adds the keychain's password when libpq has none of its own (never
// printed), then connects once, as the server will: false, with one line without the password,
// when the database cannot be used (address, password, or someone else's tables). A mistake in
// the command line, so the commands exit with status 2 before anything starts.
bool checkDatabase(QString *conninfo, double timeoutSeconds, QString *error);

} // namespace ServerOptions
