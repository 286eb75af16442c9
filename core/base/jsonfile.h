#pragma once

#include <QJsonObject>
#include <QString>
#include <optional>

// Reads a file that must hold one JSON object: a scenario, a run.json. Files come from elsewhere
// (edited, cut short, the wrong file), so every way it can fail gets its own message naming the
// file:
//   "cannot read PATH: REASON"                         (missing, no permission)
//   "PATH is N MB: too large for WHAT"                 (over maxBytes; not read at all)
//   "PATH is not valid JSON (ERROR at byte N)"         (+ "; was it cut short?" at the very end)
//   "PATH is not WHAT (not a JSON object)"             (an array, a number)
// `what` names the expected content with its article, e.g. "a scenario".
std::optional<QJsonObject> readJsonObjectFile(const QString &path, qint64 maxBytes, const QString &what,
                                              QString *error);
