#pragma once

#include "db/pgresult.h"
#include "db/pgtempcluster.h"

#include <QString>
#include <QTemporaryDir>

// The PostgreSQL suites' throwaway server (db/pgtempcluster.h) in a temporary folder of its own,
// with what every suite does with it: a fresh database per test, one statement at a time, and,
// for the password tests, a server that really checks passwords.
class PgTestCluster
{
public:
    // initdb + pg_ctl; false, with why, when the server is not installed (scripts/setup.sh
    // installs it) or does not start.
    bool start(QString *why);
    PgTempCluster &server() { return m_cluster; }
    const PgTempCluster &server() const { return m_cluster; }
    // The superuser's connection string (the Unix socket when the path allows, trusted).
    QString conninfo() const { return m_cluster.conninfo(); }

    // A new, empty database (dropped first if an earlier test left one), owned by `owner` when
    // given; its connection string for the superuser, empty when it could not be created.
    QString createDatabase(const QString &name, const QString &owner = QString());
    // Connects to `conninfo` and runs `sql`; a failure to connect is a failed result.
    static PgResult query(const QString &conninfo, const char *sql);

    // From now on TCP connections (host 127.0.0.1) must give a password (scram-sha-256), and
    // `role` may log in with `password`. Unix-socket connections stay trusted, for the suites'
    // own set-up. False, with why, when the server refused.
    bool requirePasswords(const QString &role, const QString &password, QString *why);

private:
    QTemporaryDir m_dir;
    PgTempCluster m_cluster;
};
