#include "plaintext.h"

#include <QRegularExpression>

QString markdownToPlainText(const QString &markdown)
{
    static const QRegularExpression image(QStringLiteral(R"(!\[([^\]]*)\]\([^)]*\))"));
    static const QRegularExpression link(QStringLiteral(R"(\[([^\]]*)\]\([^)]*\))"));
    static const QRegularExpression lineStart(
        QStringLiteral(R"((^|\n)[ \t]*(#{1,6}[ \t]+|>[ \t]?|[-*+][ \t]+|\d+[.)][ \t]+))"));
    static const QRegularExpression fence(QStringLiteral(R"((^|\n)[ \t]*(```|~~~)[^\n]*)"));
    static const QRegularExpression strong(QStringLiteral(R"((\*\*|__)(?=\S)(.+?)(?<=\S)\1)"));
    static const QRegularExpression emphasis(
        QStringLiteral(R"((?<![\w*])([*_])(?=\S)(.+?)(?<=\S)\1(?![\w*]))"));
    static const QRegularExpression strike(QStringLiteral(R"(~~(?=\S)(.+?)(?<=\S)~~)"));
    static const QRegularExpression code(QStringLiteral(R"(`+([^`]*)`+)"));
    QString s = markdown;
    s.replace(fence, QStringLiteral("\\1"));
    s.replace(image, QStringLiteral("\\1"));
    s.replace(link, QStringLiteral("\\1"));
    s.replace(lineStart, QStringLiteral("\\1"));
    s.replace(code, QStringLiteral("\\1"));
    s.replace(strong, QStringLiteral("\\2"));
    s.replace(emphasis, QStringLiteral("\\2"));
    s.replace(strike, QStringLiteral("\\1"));
    return s;
}
