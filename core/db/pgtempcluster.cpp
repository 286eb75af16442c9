#include "pgtempcluster.h"

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QTcpServer>
#include <QUuid>
#include <QVersionNumber>
#include <pwd.h>
#include <unistd.h>

namespace {

constexpr const char *kUser = "loopscope"; // the cluster's superuser

// Hands a path to the postgres user (the server refuses to run as root).
bool giveToPostgres(const QString &path)
{
    const passwd *pw = ::getpwnam("postgres");
    return pw && ::chown(QFile::encodeName(path).constData(), pw->pw_uid, pw->pw_gid) == 0;
}

} // namespace

PgTempCluster::~PgTempCluster()
{
    if (m_running)
        stopServer(QStringLiteral("immediate"));
    removeAll();
}

QString PgTempCluster::serverBinDir(QString *why)
{
    const QDir lib(QStringLiteral("/usr/lib/postgresql"));
    QStringList versions = lib.entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    std::sort(versions.begin(), versions.end(), [](const QString &a, const QString &b) {
        return QVersionNumber::fromString(a) > QVersionNumber::fromString(b);
    });
    for (const QString &v : versions) {
        const QString bin = lib.filePath(v + QStringLiteral("/bin"));
        if (QFileInfo(bin + QStringLiteral("/initdb")).isExecutable()
            && QFileInfo(bin + QStringLiteral("/pg_ctl")).isExecutable())
            return bin;
    }
    if (why)
        *why = QStringLiteral("the PostgreSQL server is not installed (no /usr/lib/postgresql/*/bin/initdb): "
                              "install it with `apt-get install postgresql`, or pass --db postgresql://... "
                              "for a server of your own");
    return {};
}

bool PgTempCluster::run(const QString &program, const QStringList &arguments, QString *error, int timeoutMs)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    if (m_asPostgresUser) {
        // runuser (util-linux) switches user without asking for a password; root only.
        p.start(
            QStringLiteral("runuser"),
            QStringList { QStringLiteral("-u"), QStringLiteral("postgres"), QStringLiteral("--"), program }
                + arguments);
    } else {
        p.start(program, arguments);
    }
    if (!p.waitForStarted(10'000) || !p.waitForFinished(timeoutMs) || p.exitStatus() != QProcess::NormalExit
        || p.exitCode() != 0) {
        if (p.state() != QProcess::NotRunning) {
            p.kill();
            p.waitForFinished(2000);
        }
        if (error) {
            const QString out = QString::fromLocal8Bit(p.readAll()).trimmed();
            *error
                = QStringLiteral("%1 failed: %2")
                      .arg(QFileInfo(program).fileName(), out.isEmpty() ? p.errorString() : out.right(600));
        }
        return false;
    }
    return true;
}

bool PgTempCluster::start(const QString &parent, QString *error)
{
    m_bin = serverBinDir(error);
    if (m_bin.isEmpty())
        return false;
    m_asPostgresUser = ::geteuid() == 0;
    const QString name = QStringLiteral("pg-") + QUuid::createUuid().toString(QUuid::Id128).left(8);
    QString base = QDir(parent).absoluteFilePath(name);
    const auto prepare = [&](const QString &dir) {
        if (!QDir().mkpath(dir))
            return false;
        if (!m_asPostgresUser)
            return true;
        if (!giveToPostgres(dir))
            return false;
        // Every folder above must let the postgres user through (a run under /root does not).
        QProcess probe;
        probe.start(QStringLiteral("runuser"),
                    { QStringLiteral("-u"), QStringLiteral("postgres"), QStringLiteral("--"),
                      QStringLiteral("test"), QStringLiteral("-w"), dir });
        return probe.waitForFinished(10'000) && probe.exitCode() == 0;
    };
    if (!prepare(base)) {
        QDir(base).removeRecursively();
        base = QDir::temp().absoluteFilePath(QStringLiteral("loopscope-") + name);
        if (!prepare(base)) {
            if (error)
                *error = QStringLiteral("cannot prepare a folder for the temporary PostgreSQL cluster at %1")
                             .arg(base);
            QDir(base).removeRecursively();
            return false;
        }
    }
    m_root = base;
    m_dataDir = base + QStringLiteral("/data");
    // A Unix socket path is at most 107 bytes: a deep run folder uses TCP only.
    m_socketDir = (base + QStringLiteral("/.s.PGSQL.65535")).toUtf8().size() < 100 ? base : QString();
    {
        QTcpServer probe; // a free loopback port, given back at once for the server to take
        if (!probe.listen(QHostAddress::LocalHost, 0)) {
            if (error)
                *error = QStringLiteral("no free loopback port for the temporary PostgreSQL cluster");
            return false;
        }
        m_port = probe.serverPort();
    }
    if (!run(m_bin + QStringLiteral("/initdb"),
             { QStringLiteral("-D"), m_dataDir, QStringLiteral("-U"), QLatin1String(kUser),
               QStringLiteral("--auth=trust"), QStringLiteral("--encoding=UTF8"),
               QStringLiteral("--locale=C"), QStringLiteral("--no-sync") },
             error, 120'000))
        return false;
    return startServer(error);
}

bool PgTempCluster::startServer(QString *error)
{
    QString options = QStringLiteral("-c listen_addresses=127.0.0.1 -p %1 -k '%2' -c max_connections=200")
                          .arg(m_port)
                          .arg(m_socketDir);
    if (m_commitWithoutFlush)
        options += QStringLiteral(" -c synchronous_commit=off");
    if (!run(m_bin + QStringLiteral("/pg_ctl"),
             { QStringLiteral("-D"), m_dataDir, QStringLiteral("-l"), m_root + QStringLiteral("/server.log"),
               QStringLiteral("-o"), options, QStringLiteral("-w"), QStringLiteral("-t"),
               QStringLiteral("60"), QStringLiteral("start") },
             error, 90'000))
        return false;
    m_running = true;
    return true;
}

bool PgTempCluster::stopServer(const QString &mode, QString *error)
{
    if (!m_running)
        return true;
    const bool ok = run(m_bin + QStringLiteral("/pg_ctl"),
                        { QStringLiteral("-D"), m_dataDir, QStringLiteral("-m"), mode, QStringLiteral("-w"),
                          QStringLiteral("-t"), QStringLiteral("60"), QStringLiteral("stop") },
                        error, 90'000);
    m_running = !ok;
    return ok;
}

void PgTempCluster::removeAll()
{
    if (!m_root.isEmpty())
        QDir(m_root).removeRecursively();
    m_root.clear();
}

QString PgTempCluster::conninfo() const
{
    QString host = m_socketDir.isEmpty() ? QStringLiteral("127.0.0.1") : m_socketDir;
    host.replace(QLatin1Char('\\'), QLatin1String("\\\\")).replace(QLatin1Char('\''), QLatin1String("\\'"));
    return QStringLiteral("host='%1' port=%2 user=%3 dbname=postgres connect_timeout=5")
        .arg(host)
        .arg(m_port)
        .arg(QLatin1String(kUser));
}
