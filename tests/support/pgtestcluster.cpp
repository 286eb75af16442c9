#include "pgtestcluster.h"

#include "base/traceclock.h"
#include "db/pgconnection.h"

#include <QFile>

namespace {

constexpr qint64 kTimeoutNs = 10'000'000'000;

} // namespace

bool PgTestCluster::start(QString *why)
{
    if (PgTempCluster::serverBinDir(why).isEmpty())
        return false;
    if (!m_dir.isValid()) {
        *why = QStringLiteral("no temporary folder: %1").arg(m_dir.errorString());
        return false;
    }
    return m_cluster.start(m_dir.path(), why);
}

PgResult PgTestCluster::query(const QString &conninfo, const char *sql)
{
    PgConnection::Opened c = PgConnection::connect(conninfo.toUtf8(), TraceClock::nowNs() + kTimeoutNs);
    if (!c.connection)
        return PgResult::failure(c.error, true);
    return c.connection->exec(sql, {}, TraceClock::nowNs() + kTimeoutNs);
}

QString PgTestCluster::createDatabase(const QString &name, const QString &owner)
{
    PgConnection::Opened c = PgConnection::connect(conninfo().toUtf8(), TraceClock::nowNs() + kTimeoutNs);
    if (!c.connection)
        return {};
    c.connection->exec(QStringLiteral("DROP DATABASE IF EXISTS %1").arg(name).toUtf8().constData(), {},
                       TraceClock::nowNs() + kTimeoutNs);
    const QString create = owner.isEmpty() ? QStringLiteral("CREATE DATABASE %1").arg(name)
                                           : QStringLiteral("CREATE DATABASE %1 OWNER %2").arg(name, owner);
    if (!c.connection->exec(create.toUtf8().constData(), {}, TraceClock::nowNs() + kTimeoutNs).ok())
        return {};
    return conninfo().replace(QStringLiteral("dbname=postgres"), QStringLiteral("dbname=") + name);
}

bool PgTestCluster::requirePasswords(const QString &role, const QString &password, QString *why)
{
    PgConnection::Opened c = PgConnection::connect(conninfo().toUtf8(), TraceClock::nowNs() + kTimeoutNs);
    if (!c.connection) {
        *why = c.error;
        return false;
    }
    const auto exec = [&](const QString &sql, const PgParams &params = {}) {
        return c.connection->exec(sql.toUtf8().constData(), params, TraceClock::nowNs() + kTimeoutNs);
    };
    // The password as scram-sha-256 (PostgreSQL 14's default; said here so an older default
    // cannot make the test pass with md5).
    if (const PgResult r = exec(QStringLiteral("SET password_encryption = 'scram-sha-256'")); !r.ok()) {
        *why = r.error();
        return false;
    }
    // CREATE ROLE takes no parameters: the password is quoted as a literal by the server's rules.
    QString literal = password;
    literal.replace(QLatin1Char('\''), QLatin1String("''"));
    if (const PgResult r = exec(QStringLiteral("CREATE ROLE %1 LOGIN PASSWORD '%2'").arg(role, literal));
        !r.ok()) {
        *why = r.error();
        return false;
    }
    const PgResult hba = exec(QStringLiteral("SHOW hba_file"));
    if (!hba.ok() || hba.rows() != 1) {
        *why = QStringLiteral("SHOW hba_file: %1").arg(hba.error());
        return false;
    }
    QFile file(hba.text(0, 0));
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        *why = QStringLiteral("%1: %2").arg(file.fileName(), file.errorString());
        return false;
    }
    file.write("local all all trust\n"
               "host all all 127.0.0.1/32 scram-sha-256\n"
               "host all all ::1/128 scram-sha-256\n");
    file.close();
    const PgResult reloaded = exec(QStringLiteral("SELECT pg_reload_conf()"));
    if (!reloaded.ok()) {
        *why = reloaded.error();
        return false;
    }
    // The new rules apply to connections that start after the reload has been read.
    const PgResult rules = exec(QStringLiteral("SELECT count(*) FROM pg_hba_file_rules "
                                               "WHERE auth_method = 'scram-sha-256' AND error IS NULL"));
    if (!rules.ok() || rules.integer(0, 0) != 2) {
        *why = QStringLiteral("pg_hba.conf not taken: %1").arg(rules.error());
        return false;
    }
    return true;
}
