#include "pgconninfo.h"

#include <QRegularExpression>
#include <QStringList>
#include <QUrl>
#include <QUrlQuery>
#include <libpq-fe.h>

namespace PgConnInfo {

namespace {

bool isUri(const QString &text)
{
    return text.startsWith(QLatin1String("postgresql://"), Qt::CaseInsensitive)
        || text.startsWith(QLatin1String("postgres://"), Qt::CaseInsensitive);
}

} // namespace

bool isPostgres(const QString &db)
{
    static const QRegularExpression keyValue(QStringLiteral("^\\s*[a-z_]+\\s*="));
    return isUri(db) || keyValue.match(db).hasMatch();
}

bool check(const QString &conninfo, QString *error)
{
    char *message = nullptr;
    PQconninfoOption *options = PQconninfoParse(conninfo.toUtf8().constData(), &message);
    if (!options) {
        // libpq quotes the text it stumbled on, which may be (part of) a password: the quoted
        // parts are left out of what is shown.
        static const QRegularExpression quoted(QStringLiteral("\"[^\"]*\"?"));
        if (error)
            *error = QStringLiteral("--db is not a PostgreSQL connection string libpq can read: %1")
                         .arg(message ? QString::fromUtf8(message).trimmed().replace(quoted,
                                                                                     QStringLiteral("\"…\""))
                                      : QStringLiteral("out of memory"));
        PQfreemem(message);
        return false;
    }
    PQconninfoFree(options);
    return true;
}

QString redacted(const QString &conninfo)
{
    if (isUri(conninfo)) {
        QUrl url(conninfo);
        url.setPassword(QString());
        QUrlQuery query(url);
        query.removeAllQueryItems(QStringLiteral("password"));
        url.setQuery(query);
        return url.toString();
    }
    // key=value pairs, values possibly quoted: rebuilt from libpq's reading, without the password.
    char *message = nullptr;
    PQconninfoOption *options = PQconninfoParse(conninfo.toUtf8().constData(), &message);
    PQfreemem(message);
    if (!options)
        return QStringLiteral("(unreadable connection string)");
    QStringList parts;
    for (PQconninfoOption *o = options; o->keyword; ++o) {
        if (!o->val || qstrcmp(o->keyword, "password") == 0)
            continue;
        QString value = QString::fromUtf8(o->val);
        if (value.contains(QLatin1Char(' ')) || value.isEmpty())
            value = QLatin1Char('\'') + value + QLatin1Char('\'');
        parts << QStringLiteral("%1=%2").arg(QLatin1String(o->keyword), value);
    }
    PQconninfoFree(options);
    return parts.join(QLatin1Char(' '));
}

} // namespace PgConnInfo
