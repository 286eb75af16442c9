#pragma once

#include <QString>

// One turn of a conversation. It lives in the bottom layer because both the model (llm/) and the
// history store (storage/) speak it, and neither may include the other.
struct ChatMessage
{
    QString role; // "system", "user", "assistant"
    QString content;
};
