#pragma once

#include "base/chatmessage.h"
#include "base/conversationsettings.h"

#include <QList>
#include <QString>

// What a client asked for: the seeds' JSON body, plus the options the seed scenarios need.
struct ChatRequest
{
    QString userId;
    QString sessionId;
    QString message;
    bool stream = false;
    int llmCalls = 1; // seed 2's "3 independent LLM calls"
    bool llmParallel = false; // ... awaited one by one (false) or gathered (true, async mode)
    int batchInserts = 0; // seed 2's "save 100 records"
    bool batchParallel = false;
    bool prefetch = false; // warm this user's history cache in the background afterwards
    double cpuWorkSeconds = -1; // CPU-bound step, thread CPU seconds; < 0: the server's --cpu-work
    // Context the client sent itself (OpenAI clients are stateless: they send the whole
    // conversation, system prompt included). When present it is the model's context instead of
    // the stored history; the exchange is still saved.
    QList<ChatMessage> clientHistory;
    // The conversation's system prompt and model settings as this request gives them: they
    // override the stored ones field by field, and are stored with the conversation.
    ConversationSettings settings;
    bool settingsGiven = false;
    bool regenerate = false; // answer the last user message again (message may be empty)
    qint64 editFrom = 0; // > 0: this stored user message and what follows are replaced
};

// What the pipeline answered: the reply, or the error the endpoint turns into its status and body.
struct ChatResult
{
    bool ok = false;
    QString text;
    int tokens = 0;
    int httpStatus = 200;
    QString errorCode; // machine-readable: storage_error, llm_timeout, ...
    QString errorMessage;
    bool cacheHit = false;
};
