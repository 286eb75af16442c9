#pragma once

#include "pipeline/conversationmanager.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

// Validates a /v1/chat body the way the seeds' FastAPI model would, with clear messages.
namespace ChatRequestParser {

inline constexpr qsizetype MaxBodyBytes = 64 * 1024; // larger: 413
inline constexpr qsizetype MaxMessageBytes = 32 * 1024; // larger message: 400

// Reads o[key] as a string into `out`; absent or null is fine unless `required`.
// A wrong type sets a human-readable `error` naming the field.
bool readString(const QJsonObject &o, const char *key, bool required, QString *out, QString *error);

// The body as a JSON object; false with "malformed JSON at offset N: ..." or "must be an object".
bool parseObject(const QByteArray &body, QJsonObject *out, QString *error);

// On failure returns false and sets a human-readable `error`.
bool parse(const QByteArray &body, ChatRequest *out, QString *error);

// Constant-time comparison: the time taken does not depend on where the keys differ.
bool keysEqual(const QByteArray &given, const QByteArray &expected);

} // namespace ChatRequestParser
