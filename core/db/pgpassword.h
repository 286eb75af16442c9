#pragma once

#include <QString>

// Where the password of a PostgreSQL connection comes from, in libpq's order and then one more
// place: the URI or connection string itself, PGPASSWORD, the password file (~/.pgpass, or
// PGPASSFILE, or passfile=), and, only when none of those has one, the system keychain entry named
// after the server it opens (keychainAccount). The password is never shown, logged or written
// anywhere but the keychain; callers show PgConnInfo::redacted() instead.
namespace PgPassword {

// What libpq will connect to, with its defaults filled in (environment, then built-in).
struct Target
{
    QString user;
    QString host; // as given: a name, an address or a socket folder
    QString port;
    QString dbname;
};
// False when libpq cannot read `conninfo`.
bool target(const QString &conninfo, Target *out);

// The keychain entry for `conninfo`: "postgresql/user@host:port/db".
QString keychainAccount(const QString &conninfo);

// Where libpq finds a password by itself: "URI", "PGPASSWORD", "password file"; empty: nowhere.
QString libpqSource(const QString &conninfo);

// The password of `conninfo` itself (empty when it has none).
QString passwordOf(const QString &conninfo);
// `conninfo` with `password` in it (a URI's password, or a password= pair); unchanged when
// `password` is empty.
QString withPassword(const QString &conninfo, const QString &password);

// `conninfo`, with the keychain's password added when libpq has none of its own and the keychain
// has one. `source` (optional): where the password comes from ("keychain", libpqSource(), or
// empty: none, and the server may not need one).
QString resolve(const QString &conninfo, QString *source = nullptr);
// Stores `password` as the keychain entry of `conninfo`. False, with why, without a keychain.
bool store(const QString &conninfo, const QString &password, QString *error);

} // namespace PgPassword
