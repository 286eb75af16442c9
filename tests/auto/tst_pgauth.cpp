// The database password end to end, against a PostgreSQL server that really checks it
// (scram-sha-256 for TCP connections, db/pgpassword.h for where LoopScope looks): the real
// `loopscope serve` opens the history with the password from the URI, from PGPASSWORD and from a
// password file, serves a chat request whose exchange is stored, and writes its recording;
// `loopscope run` runs a scenario variant with the password from the URI; a wrong password (or a password
// file others may read, which libpq ignores) is a one-line error and exit status 2, for `serve` and `run`.
// The password, right or wrong, appears in no output: stdout, stderr, run.json or any other file of the run.
// The keychain's case runs only where a Secret Service answers.
#include "db/pgpassword.h"
#include "llm/secretstore.h"
#include "load/loadsettings.h"
#include "loadrun.h"
#include "pgtestcluster.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>

namespace {

const QString kRole = QStringLiteral("ann");
const QString kPassword = QStringLiteral("Scr4m-Pa55");
const QString kWrong = QStringLiteral("Wr0ng-Pa55");

struct Ran
{
    int exitCode = -1;
    QByteArray out, err;
};

} // namespace

class TestPgAuth : public QObject
{
    Q_OBJECT

    PgTestCluster m_pg;
    QTemporaryDir m_home; // HOME of the commands: no ~/.pgpass of the user running the tests
    QString m_db; // the superuser's connection string to the chat database

    // postgresql://ann[:password]@127.0.0.1:port/chat: TCP, where the server asks for the password.
    QString uri(const QString &password = QString()) const
    {
        return QStringLiteral("postgresql://%1%2@127.0.0.1:%3/chat?connect_timeout=10")
            .arg(kRole, password.isEmpty() ? QString() : QLatin1Char(':') + password)
            .arg(m_pg.server().port());
    }
    // The environment of the commands: nothing of libpq's from the caller, no keychain.
    QProcessEnvironment environment() const
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const QString &key : env.keys()) {
            if (key.startsWith(QLatin1String("PG")))
                env.remove(key);
        }
        env.remove(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"));
        env.insert(QStringLiteral("HOME"), m_home.path());
        env.insert(QStringLiteral("XDG_RUNTIME_DIR"), m_home.filePath(QStringLiteral("runtime")));
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        return env;
    }
    // A password file (libpq's ~/.pgpass format) for the chat database, with these permissions.
    QString passwordFile(const QString &name, const QString &password, QFile::Permissions permissions) const
    {
        const QString path = m_home.filePath(name);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return {};
        f.write(QStringLiteral("127.0.0.1:%1:chat:%2:%3\n")
                    .arg(m_pg.server().port())
                    .arg(kRole, password)
                    .toUtf8());
        f.close();
        f.setPermissions(permissions);
        return path;
    }
    qint64 storedExchanges() const
    {
        return PgTestCluster::query(m_db, "SELECT count(*) FROM messages WHERE role = 'assistant'")
            .integer(0, 0);
    }
    // The password is nowhere: not in the output, not in any file of the run in `dir`; run.json
    // names the database without it.
    void expectNoPassword(const Ran &ran, const QString &dir)
    {
        QVERIFY(!ran.out.contains(kPassword.toUtf8()) && !ran.err.contains(kPassword.toUtf8()));
        int files = 0;
        for (QDirIterator it(dir, QDir::Files, QDirIterator::Subdirectories); it.hasNext();) {
            QFile f(it.next());
            QVERIFY(f.open(QIODevice::ReadOnly));
            QVERIFY2(!f.readAll().contains(kPassword.toUtf8()), qPrintable(f.fileName()));
            ++files;
        }
        QVERIFY(files >= 2);
        QFile runJson(dir + QStringLiteral("/run.json"));
        QVERIFY(runJson.open(QIODevice::ReadOnly));
        QVERIFY(runJson.readAll().contains(
            QStringLiteral("127.0.0.1:%1/chat").arg(m_pg.server().port()).toUtf8()));
    }
    static Ran finish(QProcess &p)
    {
        Ran r;
        if (!p.waitForFinished(60000))
            p.kill();
        p.waitForFinished(5000);
        r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        r.out = p.readAllStandardOutput();
        r.err = p.readAllStandardError();
        return r;
    }

private slots:
    void initTestCase()
    {
        QString why;
        QVERIFY2(m_pg.start(&why), qPrintable(why));
        QVERIFY(m_home.isValid());
        QVERIFY(QDir(m_home.path()).mkdir(QStringLiteral("runtime")));
        QVERIFY(QFile::setPermissions(m_home.filePath(QStringLiteral("runtime")),
                                      QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
        QVERIFY2(m_pg.requirePasswords(kRole, kPassword, &why), qPrintable(why));
        m_db = m_pg.createDatabase(QStringLiteral("chat"), kRole);
        QVERIFY(!m_db.isEmpty());
        // The server really checks: over TCP, no password and a wrong one are refused (once the
        // reloaded rules are in force), the right one is let in.
        QTRY_VERIFY_WITH_TIMEOUT(
            PgTestCluster::query(uri(), "SELECT 1").error().contains(QLatin1String("no password supplied")),
            10000);
        QVERIFY2(PgTestCluster::query(uri(kWrong), "SELECT 1")
                     .error()
                     .contains(QLatin1String("password authentication failed")),
                 qPrintable(PgTestCluster::query(uri(kWrong), "SELECT 1").error()));
        QVERIFY(PgTestCluster::query(uri(kPassword), "SELECT 1").ok());
    }

    void serveFindsThePassword_data()
    {
        QTest::addColumn<QString>("where");
        QTest::addRow("in the URI") << QStringLiteral("uri");
        QTest::addRow("PGPASSWORD") << QStringLiteral("env");
        QTest::addRow("password file (PGPASSFILE, 0600)") << QStringLiteral("file");
    }
    // `serve --record`: it starts, a chat request is answered and stored in PostgreSQL (by the
    // pool's own connections, which need the password too), and Ctrl+C writes the run.
    void serveFindsThePassword()
    {
        QFETCH(QString, where);
        QProcessEnvironment env = environment();
        QString db = uri();
        if (where == QLatin1String("uri"))
            db = uri(kPassword);
        else if (where == QLatin1String("env"))
            env.insert(QStringLiteral("PGPASSWORD"), kPassword);
        else
            env.insert(
                QStringLiteral("PGPASSFILE"),
                passwordFile(QStringLiteral("pgpass-ok"), kPassword, QFile::ReadOwner | QFile::WriteOwner));
        QTemporaryDir out;
        QVERIFY(out.isValid());
        const QString recordDir = out.filePath(QStringLiteral("run"));
        const qint64 storedBefore = storedExchanges();

        QProcess serve;
        serve.setProcessEnvironment(env);
        serve.start(QStringLiteral(LOOPSCOPE_BINARY),
                    { QStringLiteral("serve"), QStringLiteral("--port"), QStringLiteral("0"),
                      QStringLiteral("--api-key"), QStringLiteral("auth-key"), QStringLiteral("--db"), db,
                      QStringLiteral("--db-pool"), QStringLiteral("2"), QStringLiteral("--llm-latency"),
                      QStringLiteral("0.01"), QStringLiteral("--record"), recordDir,
                      QStringLiteral("--duration"), QStringLiteral("120") });
        QVERIFY(serve.waitForStarted(10000));
        QByteArray banner;
        const QRegularExpression url(QStringLiteral("serving (http://127\\.0\\.0\\.1:\\d+)/v1/chat"));
        QRegularExpressionMatch m;
        for (int i = 0; i < 300 && !(m = url.match(QString::fromUtf8(banner))).hasMatch(); ++i) {
            if (serve.state() != QProcess::Running)
                break;
            serve.waitForReadyRead(100);
            banner += serve.readAllStandardOutput();
        }
        QVERIFY2(m.hasMatch(), serve.readAllStandardError().constData());

        LoadSettings l;
        l.baseUrl = QUrl(m.captured(1));
        l.apiKey = QStringLiteral("auth-key");
        l.users = 1;
        l.requestsPerUser = 2;
        l.sessionPrefix = QStringLiteral("auth-%1-").arg(where);
        l.timeoutSeconds = 30;
        const QList<ClientRecord> records = runLoad(l);
        QCOMPARE(records.size(), 2);
        for (const ClientRecord &r : records)
            QCOMPARE(r.status, 200);
        QCOMPARE(storedExchanges(), storedBefore + 2);

        serve.terminate(); // Ctrl+C: the recording is written, then serve exits
        Ran ran = finish(serve);
        ran.out.prepend(banner);
        QCOMPARE(ran.exitCode, 0);
        QVERIFY2(QFile::exists(recordDir + QStringLiteral("/run.json")), ran.err.constData());
        expectNoPassword(ran, recordDir);
    }

    // `run` with the password in the URI: the variant's server opens the database and serves the
    // scenario's users, and the run it writes holds no password.
    void runFindsThePassword()
    {
        QTemporaryDir out;
        QVERIFY(out.isValid());
        const QString runDir = out.filePath(QStringLiteral("run"));
        const qint64 storedBefore = storedExchanges();
        QProcess run;
        run.setProcessEnvironment(environment());
        run.start(QStringLiteral(LOOPSCOPE_BINARY),
                  { QStringLiteral("run"), QStringLiteral("--scenario"), QStringLiteral("sync_db_driver"),
                    QStringLiteral("--variant"), QStringLiteral("C"), QStringLiteral("--time-scale"),
                    QStringLiteral("0.1"), QStringLiteral("--requests-per-user"), QStringLiteral("1"),
                    QStringLiteral("--db"), uri(kPassword), QStringLiteral("--out"), runDir });
        QVERIFY(run.waitForStarted(10000));
        const Ran ran = finish(run);
        QVERIFY2(ran.exitCode == 0, ran.err.constData());
        QVERIFY2(storedExchanges() > storedBefore, ran.err.constData()); // its users' exchanges
        expectNoPassword(ran, runDir);
    }

    // The keychain entry the window's Save button writes, read by `serve` when libpq has no
    // password: only where a Secret Service answers (the session's D-Bus, not the test's HOME).
    void serveFindsThePasswordInTheKeychain()
    {
        if (!SecretStore::keychainCompiledIn())
            QSKIP("built without qtkeychain");
        QString error;
        if (!PgPassword::store(uri(), kPassword, &error))
            QSKIP(qPrintable(QStringLiteral("no keychain service answers here: %1").arg(error)));
        auto forget
            = qScopeGuard([this] { SecretStore(PgPassword::keychainAccount(uri()), QString()).removeKey(); });
        QProcessEnvironment env = environment();
        env.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"),
                   qEnvironmentVariable("DBUS_SESSION_BUS_ADDRESS"));
        env.insert(QStringLiteral("HOME"), QDir::homePath());
        QProcess serve;
        serve.setProcessEnvironment(env);
        serve.start(QStringLiteral(LOOPSCOPE_BINARY),
                    { QStringLiteral("serve"), QStringLiteral("--port"), QStringLiteral("0"),
                      QStringLiteral("--api-key"), QStringLiteral("k"), QStringLiteral("--db"), uri() });
        QVERIFY(serve.waitForStarted(10000));
        QByteArray out;
        for (int i = 0; i < 300 && !out.contains("serving") && serve.state() == QProcess::Running; ++i) {
            serve.waitForReadyRead(100);
            out += serve.readAllStandardOutput();
        }
        serve.terminate();
        Ran ran = finish(serve);
        ran.out.prepend(out);
        QVERIFY2(ran.out.contains("serving"), ran.err.constData());
        QVERIFY(!ran.out.contains(kPassword.toUtf8()) && !ran.err.contains(kPassword.toUtf8()));
    }

    void wrongPasswordExitsTwo_data()
    {
        QTest::addColumn<QString>("command");
        QTest::addColumn<QString>("where");
        QTest::addColumn<QString>("says");
        for (const char *command : { "serve", "run" }) {
            QTest::addRow("%s: wrong password in the URI", command)
                << QString::fromLatin1(command) << QStringLiteral("uri")
                << QStringLiteral("password authentication failed");
            QTest::addRow("%s: wrong PGPASSWORD", command)
                << QString::fromLatin1(command) << QStringLiteral("env")
                << QStringLiteral("password authentication failed");
        }
        // libpq ignores a password file that others may read: no password is sent at all.
        QTest::addRow("serve: password file readable by others")
            << QStringLiteral("serve") << QStringLiteral("file") << QStringLiteral("no password supplied");
    }
    void wrongPasswordExitsTwo()
    {
        QFETCH(QString, command);
        QFETCH(QString, where);
        QFETCH(QString, says);
        QProcessEnvironment env = environment();
        QString db = uri();
        QString secret = kWrong;
        if (where == QLatin1String("uri")) {
            db = uri(kWrong);
        } else if (where == QLatin1String("env")) {
            env.insert(QStringLiteral("PGPASSWORD"), kWrong);
        } else {
            secret = kPassword; // the right password, in a file libpq must not read
            env.insert(
                QStringLiteral("PGPASSFILE"),
                passwordFile(QStringLiteral("pgpass-open"), kPassword,
                             QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther));
        }
        QTemporaryDir out;
        QVERIFY(out.isValid());
        const QString runDir = out.filePath(QStringLiteral("run"));
        QStringList arguments { command, QStringLiteral("--db"), db };
        if (command == QLatin1String("serve"))
            arguments << QStringLiteral("--port") << QStringLiteral("0") << QStringLiteral("--api-key")
                      << QStringLiteral("k") << QStringLiteral("--record") << runDir;
        else
            arguments << QStringLiteral("--scenario") << QStringLiteral("sync_db_driver")
                      << QStringLiteral("--variant") << QStringLiteral("C") << QStringLiteral("--out")
                      << runDir;
        QProcess p;
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(LOOPSCOPE_BINARY), arguments);
        QVERIFY(p.waitForStarted(10000));
        const Ran ran = finish(p);
        QCOMPARE(ran.exitCode, 2);
        // One line of LoopScope's; libpq itself warns about a password file others may read.
        QList<QByteArray> lines = ran.err.trimmed().split('\n');
        if (where == QLatin1String("file")) {
            QVERIFY2(lines.size() == 2 && lines[0].contains("has group or world access"),
                     ran.err.constData());
            lines.removeFirst();
        }
        QCOMPARE(lines.size(), 1);
        QVERIFY2(lines[0].contains(says.toUtf8()), ran.err.constData());
        QVERIFY2(lines[0].startsWith(QStringLiteral("loopscope %1: ").arg(command).toUtf8()),
                 ran.err.constData());
        QVERIFY(!ran.out.contains(secret.toUtf8()) && !ran.err.contains(secret.toUtf8()));
        QVERIFY(!QFile::exists(runDir + QStringLiteral("/run.json"))); // nothing ran
    }
};

QTEST_GUILESS_MAIN(TestPgAuth)
#include "tst_pgauth.moc"
