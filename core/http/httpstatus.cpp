#include "httpstatus.h"

#include <QLocale>
#include <QString>
#include <cmath>

namespace HttpStatus {

QByteArrayView reasonPhrase(int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 204:
        return "No Content";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 413:
        return "Payload Too Large";
    case 415:
        return "Unsupported Media Type";
    case 422:
        return "Unprocessable Entity";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 499:
        return "Client Closed Request";
    case 500:
        return "Internal Server Error";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    case 507:
        return "Insufficient Storage";
    default:
        return "Unknown";
    }
}

QByteArray errorBody(QStringView code, QStringView detail)
{
    QByteArray out;
    out.reserve(32 + code.size() + detail.size() * 3);
    out += "{\"detail\":";
    JsonOut::string(out, detail);
    out += ",\"error\":";
    JsonOut::string(out, code);
    out += "}\n";
    return out;
}

} // namespace HttpStatus

namespace JsonOut {

namespace {

void escaped(QByteArray &out, char c)
{
    static const char hex[] = "0123456789abcdef";
    switch (c) {
    case '"':
        out += "\\\"";
        return;
    case '\\':
        out += "\\\\";
        return;
    case '\b':
        out += "\\b";
        return;
    case '\f':
        out += "\\f";
        return;
    case '\n':
        out += "\\n";
        return;
    case '\r':
        out += "\\r";
        return;
    case '\t':
        out += "\\t";
        return;
    default:
        break;
    }
    const char u[] = { '\\', 'u', '0', '0', hex[(c >> 4) & 0xf], hex[c & 0xf] };
    out.append(u, 6);
}

} // namespace

void string(QByteArray &out, QByteArrayView utf8)
{
    out += '"';
    const char *p = utf8.data();
    const char *end = p + utf8.size();
    const char *run = p;
    for (; p < end; ++p) {
        const auto c = static_cast<unsigned char>(*p);
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        out.append(run, p - run);
        escaped(out, char(c));
        run = p + 1;
    }
    out.append(run, end - run);
    out += '"';
}

void string(QByteArray &out, QStringView text)
{
    // Plain ASCII (request ids, modes, codes) needs no conversion buffer.
    bool ascii = true;
    for (QChar ch : text) {
        if (ch.unicode() >= 0x80) {
            ascii = false;
            break;
        }
    }
    if (ascii) {
        out += '"';
        for (QChar ch : text) {
            const char c = char(ch.unicode());
            if (static_cast<unsigned char>(c) >= 0x20 && c != '"' && c != '\\')
                out += c;
            else
                escaped(out, c);
        }
        out += '"';
        return;
    }
    string(out, QByteArrayView(text.toUtf8()));
}

void number(QByteArray &out, qint64 value)
{
    out += QByteArray::number(value);
}

void number(QByteArray &out, double value)
{
    if (!std::isfinite(value)) {
        out += "null";
        return;
    }
    // QJsonDocument writes integral doubles without a fraction and others with 17 digits.
    if (value == std::floor(value) && std::fabs(value) < 9007199254740992.0) {
        out += QByteArray::number(qint64(value));
        return;
    }
    out += QByteArray::number(value, 'g', QLocale::FloatingPointShortest);
}

} // namespace JsonOut
