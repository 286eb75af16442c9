#pragma once

#include <QString>
#include <QStringList>

// A throwaway PostgreSQL server for the tests and the database scenarios: initdb and pg_ctl
// (Debian's postgresql package, /usr/lib/postgresql/<version>/bin) on a data folder of its own,
// listening on a free loopback port and a Unix socket in that folder, trusting local connections
// only. Stopped and deleted when this object ends.
//
// PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user (runuser);
// the folder is then handed to that user (or, when it cannot reach the folder, a folder under
// /tmp is used instead).
class PgTempCluster
{
public:
    PgTempCluster() = default;
    ~PgTempCluster();
    PgTempCluster(const PgTempCluster &) = delete;
    PgTempCluster &operator=(const PgTempCluster &) = delete;

    // Debian's server binaries, newest version first; empty, with what to install in `why`,
    // when the server is not installed.
    static QString serverBinDir(QString *why = nullptr);

    // For the scenarios: commits are acknowledged before their WAL reaches the disk
    // (synchronous_commit=off), so a figure follows the scenario's delays, not this machine's fsync
    // time. The data goes away with the cluster anyway. Off by default (the tests keep PostgreSQL's
    // durable commits). Call before start().
    void setCommitWithoutFlush(bool on) { m_commitWithoutFlush = on; }

    // Creates the cluster in a new folder inside `parent` and starts it (a few seconds).
    bool start(const QString &parent, QString *error);
    // Stops the server (mode: fast, or immediate for the crash tests), keeping the data.
    bool stopServer(const QString &mode = QStringLiteral("fast"), QString *error = nullptr);
    bool startServer(QString *error = nullptr);
    bool isRunning() const { return m_running; }

    // A libpq connection string for the cluster (trust authentication: no password).
    QString conninfo() const;
    QString dataDir() const { return m_dataDir; }
    quint16 port() const { return m_port; }

private:
    bool run(const QString &program, const QStringList &arguments, QString *error, int timeoutMs = 60'000);
    void removeAll();

    QString m_bin;
    QString m_root; // the folder this object created; removed at the end
    QString m_dataDir;
    QString m_socketDir; // empty when the path would be too long for a Unix socket
    quint16 m_port = 0;
    bool m_asPostgresUser = false;
    bool m_running = false;
    bool m_commitWithoutFlush = false;
};
