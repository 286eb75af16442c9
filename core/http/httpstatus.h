#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QStringView>

// The bytes every HTTP answer of the server shares: reason phrases (the one list), and JSON
// written straight into a buffer, without building a QJsonObject first.
namespace HttpStatus {

QByteArrayView reasonPhrase(int status);

// The body of every error answer: {"detail":"...","error":"..."} and a newline, as FastAPI's
// {"detail": ...} plus a stable machine-readable code.
QByteArray errorBody(QStringView code, QStringView detail);

} // namespace HttpStatus

// Appends JSON values to a QByteArray (compact, RFC 8259 escaping, UTF-8).
namespace JsonOut {

void string(QByteArray &out, QStringView text);
void string(QByteArray &out, QByteArrayView utf8); // bytes already UTF-8
void number(QByteArray &out, double value); // as QJsonDocument writes it
void number(QByteArray &out, qint64 value);

} // namespace JsonOut
