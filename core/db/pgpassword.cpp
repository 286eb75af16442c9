#include "pgpassword.h"

#include "llm/secretstore.h"

#include <QDir>
#include <QFile>
#include <QStringList>
#include <QTextStream>
#include <QUrl>
#include <QUrlQuery>
#include <libpq-fe.h>
#include <memory>

namespace PgPassword {

namespace {

struct FreeOptions
{
    void operator()(PQconninfoOption *o) const { PQconninfoFree(o); }
};
using Options = std::unique_ptr<PQconninfoOption, FreeOptions>;

Options parse(const QString &conninfo)
{
    char *message = nullptr;
    Options options(PQconninfoParse(conninfo.toUtf8().constData(), &message));
    PQfreemem(message);
    return options;
}

QString valueOf(const PQconninfoOption *options, const char *keyword)
{
    for (const PQconninfoOption *o = options; o && o->keyword; ++o) {
        if (qstrcmp(o->keyword, keyword) == 0 && o->val)
            return QString::fromUtf8(o->val);
    }
    return {};
}

bool isUri(const QString &text)
{
    return text.startsWith(QLatin1String("postgresql://"), Qt::CaseInsensitive)
        || text.startsWith(QLatin1String("postgres://"), Qt::CaseInsensitive);
}

// One field of a password file line: '*' matches anything; '\' escapes ':' and '\'.
QStringList passFileFields(const QString &line)
{
    QStringList fields(1);
    for (qsizetype i = 0; i < line.size(); ++i) {
        const QChar c = line.at(i);
        if (c == QLatin1Char('\\') && i + 1 < line.size())
            fields.last() += line.at(++i);
        else if (c == QLatin1Char(':') && fields.size() < 5)
            fields.append(QString());
        else
            fields.last() += c;
    }
    return fields;
}

// libpq's password file lookup: host (a socket folder counts as "localhost"), port, database,
// user; the first matching line wins.
bool passFileHasOne(const QString &conninfo, const Target &t)
{
    QString path = valueOf(parse(conninfo).get(), "passfile");
    if (path.isEmpty())
        path = qEnvironmentVariable("PGPASSFILE");
    if (path.isEmpty())
        path = QDir::home().filePath(QStringLiteral(".pgpass"));
    QFile file(path);
    // libpq ignores a password file that others may read or write.
    const QFileDevice::Permissions others = QFileDevice::ReadGroup | QFileDevice::WriteGroup
        | QFileDevice::ExeGroup | QFileDevice::ReadOther | QFileDevice::WriteOther | QFileDevice::ExeOther;
    if ((file.permissions() & others) || !file.open(QIODevice::ReadOnly | QIODevice::Text))
        return false;
    QString host = t.host.split(QLatin1Char(',')).first();
    if (host.isEmpty() || host.startsWith(QLatin1Char('/')) || host.startsWith(QLatin1Char('@')))
        host = QStringLiteral("localhost");
    const QString want[] = { host, t.port.split(QLatin1Char(',')).first(), t.dbname, t.user };
    QTextStream in(&file);
    while (!in.atEnd()) {
        const QString line = in.readLine();
        if (line.startsWith(QLatin1Char('#')))
            continue;
        const QStringList f = passFileFields(line);
        if (f.size() != 5 || f[4].isEmpty())
            continue;
        bool match = true;
        for (int i = 0; i < 4 && match; ++i)
            match = f[i] == QLatin1String("*") || f[i] == want[i];
        if (match)
            return true;
    }
    return false;
}

} // namespace

bool target(const QString &conninfo, Target *out)
{
    const Options given = parse(conninfo);
    if (!given)
        return false;
    const Options defaults(PQconndefaults());
    const auto pick = [&](const char *keyword) {
        const QString v = valueOf(given.get(), keyword);
        return v.isEmpty() ? valueOf(defaults.get(), keyword) : v;
    };
    out->user = pick("user");
    if (out->user.isEmpty())
        out->user = qEnvironmentVariable("USER");
    out->host = pick("host");
    if (out->host.isEmpty())
        out->host = pick("hostaddr");
    if (out->host.isEmpty())
        out->host = QStringLiteral("localhost");
    out->port = pick("port");
    if (out->port.isEmpty())
        out->port = QStringLiteral("5432");
    out->dbname = valueOf(given.get(), "dbname");
    if (out->dbname.isEmpty())
        out->dbname = qEnvironmentVariable("PGDATABASE");
    if (out->dbname.isEmpty())
        out->dbname = out->user;
    return true;
}

QString keychainAccount(const QString &conninfo)
{
    Target t;
    if (!target(conninfo, &t))
        return {};
    return QStringLiteral("postgresql/%1@%2:%3/%4").arg(t.user, t.host, t.port, t.dbname);
}

QString passwordOf(const QString &conninfo)
{
    return valueOf(parse(conninfo).get(), "password");
}

QString libpqSource(const QString &conninfo)
{
    if (!passwordOf(conninfo).isEmpty())
        return isUri(conninfo) ? QStringLiteral("URI") : QStringLiteral("connection string");
    if (!qEnvironmentVariableIsEmpty("PGPASSWORD"))
        return QStringLiteral("PGPASSWORD");
    Target t;
    if (target(conninfo, &t) && passFileHasOne(conninfo, t))
        return QStringLiteral("password file");
    return {};
}

QString withPassword(const QString &conninfo, const QString &password)
{
    if (password.isEmpty())
        return conninfo;
    if (isUri(conninfo)) {
        QUrl url(conninfo);
        QUrlQuery query(url);
        query.removeAllQueryItems(QStringLiteral("password"));
        url.setQuery(query);
        if (url.userName().isEmpty()) {
            // A URI without a user cannot carry a password before its host: a parameter can.
            query.addQueryItem(QStringLiteral("password"),
                               QString::fromLatin1(QUrl::toPercentEncoding(password)));
            url.setQuery(query);
        } else {
            url.setPassword(password);
        }
        return url.toString(QUrl::FullyEncoded);
    }
    QString quoted = password;
    quoted.replace(QLatin1Char('\\'), QStringLiteral("\\\\"))
        .replace(QLatin1Char('\''), QStringLiteral("\\'"));
    // libpq keeps the last value of a keyword given twice.
    return conninfo + QStringLiteral(" password='%1'").arg(quoted);
}

QString resolve(const QString &conninfo, QString *source)
{
    const QString own = libpqSource(conninfo);
    if (!own.isEmpty() || !SecretStore::keychainCompiledIn()) {
        if (source)
            *source = own;
        return conninfo;
    }
    SecretStore keychain(keychainAccount(conninfo), QString());
    const QString password = keychain.readKey();
    if (source)
        *source = password.isEmpty() ? QString() : QStringLiteral("keychain");
    return withPassword(conninfo, password);
}

bool store(const QString &conninfo, const QString &password, QString *error)
{
    const QString account = keychainAccount(conninfo);
    if (account.isEmpty()) {
        *error = QStringLiteral("not a PostgreSQL connection string libpq can read");
        return false;
    }
    if (!SecretStore::keychainCompiledIn()) {
        *error = QStringLiteral("built without a keychain: use ~/.pgpass or PGPASSWORD");
        return false;
    }
    SecretStore keychain(account, QString());
    return keychain.writeKey(password, error);
}

} // namespace PgPassword
