#include "chatrequestparser.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

namespace ChatRequestParser {

bool readString(const QJsonObject &o, const char *key, bool required, QString *out, QString *error)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isUndefined() || v.isNull()) {
        if (required) {
            *error = QStringLiteral("field '%1' is required").arg(QLatin1String(key));
            return false;
        }
        return true;
    }
    if (!v.isString()) {
        *error = QStringLiteral("field '%1' must be a string").arg(QLatin1String(key));
        return false;
    }
    *out = v.toString();
    if (!out->isValidUtf16()) {
        // JSON allows "\ud800" alone; it is no character, and neither UTF-8 nor SQLite's text can
        // hold it faithfully. Refused here, a 400 like any other bad field.
        *error = QStringLiteral("field '%1' is not valid Unicode (it contains an unpaired UTF-16 surrogate)")
                     .arg(QLatin1String(key));
        return false;
    }
    return true;
}

namespace {

bool readInt(const QJsonObject &o, const char *key, int lo, int hi, int *out, QString *error)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isUndefined() || v.isNull())
        return true;
    if (!v.isDouble() || v.toDouble() != double(v.toInt()) || v.toInt() < lo || v.toInt() > hi) {
        *error = QStringLiteral("field '%1' must be an integer from %2 to %3")
                     .arg(QLatin1String(key))
                     .arg(lo)
                     .arg(hi);
        return false;
    }
    *out = v.toInt();
    return true;
}

bool readBool(const QJsonObject &o, const char *key, bool *out, QString *error)
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isUndefined() || v.isNull())
        return true;
    if (!v.isBool()) {
        *error = QStringLiteral("field '%1' must be true or false").arg(QLatin1String(key));
        return false;
    }
    *out = v.toBool();
    return true;
}

} // namespace

bool parseObject(const QByteArray &body, QJsonObject *out, QString *error)
{
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &pe);
    if (pe.error != QJsonParseError::NoError) {
        *error = QStringLiteral("malformed JSON at offset %1: %2").arg(pe.offset).arg(pe.errorString());
        return false;
    }
    if (!doc.isObject()) {
        *error = QStringLiteral("the body must be a JSON object");
        return false;
    }
    *out = doc.object();
    return true;
}

bool parse(const QByteArray &body, ChatRequest *out, QString *error)
{
    QJsonObject o;
    if (!parseObject(body, &o, error))
        return false;
    ChatRequest r;
    if (!readBool(o, "regenerate", &r.regenerate, error))
        return false;
    // Regenerate answers the stored last user message again: it needs no message of its own.
    if (!readString(o, "user_id", true, &r.userId, error)
        || !readString(o, "session_id", false, &r.sessionId, error)
        || !readString(o, "message", !r.regenerate, &r.message, error))
        return false;
    const QJsonValue edit = o.value(QLatin1String("edit_from"));
    if (!edit.isUndefined() && !edit.isNull()) {
        if (!edit.isDouble() || edit.toDouble() < 1 || edit.toDouble() != double(qint64(edit.toDouble()))) {
            *error = QStringLiteral("field 'edit_from' must be the id of a stored message");
            return false;
        }
        r.editFrom = qint64(edit.toDouble());
    }
    if (r.regenerate && r.editFrom > 0) {
        *error = QStringLiteral("'regenerate' and 'edit_from' cannot be combined");
        return false;
    }
    if ((r.regenerate || r.editFrom > 0) && r.sessionId.isEmpty()) {
        *error
            = QStringLiteral("'regenerate' and 'edit_from' need the 'session_id' of a stored conversation");
        return false;
    }
    const QJsonValue settings = o.value(QLatin1String("settings"));
    if (!settings.isUndefined() && !settings.isNull()) {
        if (!settings.isObject()) {
            *error = QStringLiteral("field 'settings' must be an object");
            return false;
        }
        if (!ConversationSettings::fromJson(settings.toObject(), &r.settings, error))
            return false;
        r.settingsGiven = true;
    }
    if (r.userId.trimmed().isEmpty() || r.userId.size() > 128) {
        *error = QStringLiteral("field 'user_id' must be 1 to 128 characters");
        return false;
    }
    if (r.sessionId.size() > 128) {
        *error = QStringLiteral("field 'session_id' must be at most 128 characters");
        return false;
    }
    if (!r.regenerate && r.message.trimmed().isEmpty()) {
        *error = QStringLiteral("field 'message' must not be empty");
        return false;
    }
    if (r.message.toUtf8().size() > MaxMessageBytes) {
        *error = QStringLiteral("field 'message' is longer than %1 bytes").arg(MaxMessageBytes);
        return false;
    }
    // LoopScope's scenario options, all optional.
    const QJsonValue opts = o.value(QLatin1String("options"));
    if (!opts.isUndefined() && !opts.isNull()) {
        if (!opts.isObject()) {
            *error = QStringLiteral("field 'options' must be an object");
            return false;
        }
        const QJsonObject p = opts.toObject();
        if (!readInt(p, "llm_calls", 1, 16, &r.llmCalls, error)
            || !readBool(p, "llm_parallel", &r.llmParallel, error)
            || !readInt(p, "batch_inserts", 0, 1000, &r.batchInserts, error)
            || !readBool(p, "batch_parallel", &r.batchParallel, error)
            || !readBool(p, "prefetch", &r.prefetch, error))
            return false;
        const QJsonValue cpu = p.value(QLatin1String("cpu_work_s"));
        if (!cpu.isUndefined() && !cpu.isNull()) {
            // JSON has no NaN or infinity; a number outside [0, 10] is refused like one.
            const double v = cpu.toDouble(-1);
            if (!cpu.isDouble() || !(v >= 0 && v <= ServerConfig::MaxCpuWorkSeconds)) {
                *error = QStringLiteral("field 'options.cpu_work_s' must be a number of seconds from 0 to %1")
                             .arg(ServerConfig::MaxCpuWorkSeconds);
                return false;
            }
            r.cpuWorkSeconds = v;
        }
    }
    *out = r;
    return true;
}

bool keysEqual(const QByteArray &given, const QByteArray &expected)
{
    // Walk the whole expected key whatever the input; fold length into the difference.
    unsigned diff = unsigned(given.size() ^ expected.size());
    for (qsizetype i = 0; i < expected.size(); ++i) {
        const char g = i < given.size() ? given[i] : char(0);
        diff |= unsigned(quint8(g) ^ quint8(expected[i]));
    }
    return diff == 0 && !expected.isEmpty();
}

} // namespace ChatRequestParser
