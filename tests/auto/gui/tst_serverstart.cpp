// Starting the server from the window opens its database off the GUI thread: a PostgreSQL server
// that accepts the connection and never answers (a listening socket that takes the startup packet
// and says nothing) keeps the start pending for its connect_timeout, while the window goes on
// running its timers; the panel then says why it did not start, without the password. Closing or
// destroying the window while such a connect is pending ends it at once and closes its socket.
#include "gui/mainwindow.h"
#include "guitest.h"
#include "http/chatserver.h"
#include "server/servercontrolpanel.h"

#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QElapsedTimer>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

namespace {

// A "PostgreSQL server" that accepts connections, reads what the client sends and never answers.
class SilentServer : public QTcpServer
{
public:
    SilentServer()
    {
        connect(this, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = nextPendingConnection()) {
                connect(s, &QTcpSocket::readyRead, s, [s] { s->readAll(); });
                m_sockets.append(s);
            }
        });
    }
    int accepted() const { return int(m_sockets.size()); }
    // Connections the client has closed (its socket is not left open behind it).
    int closedByClient() const
    {
        int n = 0;
        for (const QTcpSocket *s : m_sockets)
            n += s->state() == QAbstractSocket::UnconnectedState ? 1 : 0;
        return n;
    }

private:
    QList<QTcpSocket *> m_sockets;
};

// The window's database rows set to `uri` (PostgreSQL).
void choosePostgres(ServerControlPanel *panel, const QString &uri)
{
    auto *database = panel->findChild<QComboBox *>(QStringLiteral("database"));
    auto *field = panel->findChild<QLineEdit *>(QStringLiteral("dbUri"));
    QVERIFY(database && field);
    database->setCurrentIndex(database->findData(QStringLiteral("postgresql")));
    field->setText(uri);
    emit field->editingFinished(); // the password moves to the password field
    ServerConfig c = panel->config();
    c.port = 0;
    panel->setConfig(c);
}

const QString kPassword = QStringLiteral("S1lentPw");

} // namespace

class TestServerStart : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    // LOOPSCOPE_SERVERSTART_SHOTS=DIR: the panel as it looks at each step, to look at.
    static void shoot(QWidget *panel, const QString &name)
    {
        const QString dir = qEnvironmentVariable("LOOPSCOPE_SERVERSTART_SHOTS");
        if (dir.isEmpty())
            return;
        QDir().mkpath(dir);
        QCoreApplication::sendPostedEvents(); // the layout follows the new texts first
        QVERIFY(panel->grab().save(QDir(dir).filePath(name + QStringLiteral(".png"))));
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        useSettingsIn(m_dir.path(), QStringLiteral("LoopScopeServerStartTest"));
    }

    void unansweredConnectKeepsTheWindowResponsive()
    {
        SilentServer silent;
        QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
        ChatServer server;
        MainWindow w(&server);
        w.show();
        ServerControlPanel *panel = w.serverPanel();
        choosePostgres(panel,
                       QStringLiteral("postgresql://ann:%1@127.0.0.1:%2/chat?connect_timeout=3")
                           .arg(kPassword)
                           .arg(silent.serverPort()));
        auto *status = panel->findChild<QLabel *>(QStringLiteral("serverStatus"));
        auto *startStop = panel->findChild<QPushButton *>(QStringLiteral("startStop"));
        QVERIFY(status && startStop);
        QSignalSpy messages(panel, &ServerControlPanel::message);
        QSignalSpy failed(panel, &ServerControlPanel::startFailed);
        GuiTicker ticker([panel] { return panel->isBusy(); });

        QVERIFY(panel->startServer());
        // The call returned with the connect still pending, and says so.
        QVERIFY(panel->isBusy());
        QVERIFY2(status->text().contains(QLatin1String("Starting")), qPrintable(status->text()));
        QCOMPARE(startStop->text(), QStringLiteral("Cancel start")); // no second start meanwhile
        // The connect reached the silent server and waits there, while the GUI thread runs its
        // timers (a start on the GUI thread would hold them for the whole connect_timeout).
        QTRY_VERIFY_WITH_TIMEOUT(silent.accepted() >= 1, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(ticker.ticksWhileBusy >= 20, 10000);
        QCOMPARE(failed.count(), 0);
        QVERIFY(panel->isBusy());
        shoot(panel, QStringLiteral("starting"));

        // connect_timeout (3 s) ends it: the panel says why, in one line, without the password.
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 20000); // it may have come while the checks above ran
        QVERIFY(!panel->isBusy());
        QVERIFY(!server.isRunning());
        const QString why = failed.at(0).at(0).toString();
        QVERIFY2(why.startsWith(QLatin1String("cannot connect to PostgreSQL")), qPrintable(why));
        QVERIFY2(why.contains(QLatin1String("timed out connecting")), qPrintable(why));
        QVERIFY(!why.contains(QLatin1Char('\n')));
        QVERIFY2(status->text().contains(QLatin1String("Not started")), qPrintable(status->text()));
        QVERIFY2(status->text().contains(QLatin1String("timed out connecting")), qPrintable(status->text()));
        QVERIFY(!status->text().contains(kPassword));
        for (const QList<QVariant> &m : std::as_const(messages))
            QVERIFY2(!m.at(0).toString().contains(kPassword), qPrintable(m.at(0).toString()));
        QVERIFY(startStop->isEnabled());
        shoot(panel, QStringLiteral("not-started"));
        // libpq's socket was closed, not left behind.
        QTRY_COMPARE_WITH_TIMEOUT(silent.closedByClient(), silent.accepted(), 10000);
    }

    // Cancel start, closing the window or destroying it while the connect is pending: it ends now
    // (not at the connect's limit), its socket is closed, and the server can start again afterwards.
    void endingTheWindowWhileConnecting_data()
    {
        QTest::addColumn<QString>("how");
        QTest::addRow("Cancel start") << QStringLiteral("cancel");
        QTest::addRow("close the window") << QStringLiteral("close");
        QTest::addRow("destroy the window") << QStringLiteral("destroy");
    }
    void endingTheWindowWhileConnecting()
    {
        QFETCH(QString, how);
        SilentServer silent;
        QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
        ChatServer server;
        auto *w = new MainWindow(&server);
        w->show();
        ServerControlPanel *panel = w->serverPanel();
        choosePostgres(panel,
                       QStringLiteral("postgresql://ann:%1@127.0.0.1:%2/chat?connect_timeout=30")
                           .arg(kPassword)
                           .arg(silent.serverPort()));
        ServerConfig c = panel->config();
        QVERIFY(panel->startServer());
        QTRY_VERIFY_WITH_TIMEOUT(silent.accepted() >= 1, 10000);
        QVERIFY(panel->isBusy());

        QSignalSpy failed(panel, &ServerControlPanel::startFailed);
        QElapsedTimer ending;
        ending.start();
        if (how == QLatin1String("cancel")) {
            panel->findChild<QPushButton *>(QStringLiteral("startStop"))->click();
            QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 10000);
            QVERIFY2(failed.at(0).at(0).toString().endsWith(QLatin1String("cancelled")),
                     qPrintable(failed.at(0).at(0).toString()));
            QVERIFY(!failed.at(0).at(0).toString().contains(kPassword));
            QVERIFY(!panel->isBusy());
        } else if (how == QLatin1String("close")) {
            w->close();
            QVERIFY(!panel->isBusy());
        }
        delete w;
        // Shape: the window did not wait for the connect to give up (dbTimeoutSeconds, 10 s by
        // default, is the earlier of the two limits); it asked it to stop, which takes a poll slice.
        const qint64 tookMs = ending.elapsed();
        QVERIFY2(tookMs < qint64(c.dbTimeoutSeconds * 1000) / 2, qPrintable(QString::number(tookMs)));
        QVERIFY(!server.isRunning());
        QTRY_COMPARE_WITH_TIMEOUT(silent.closedByClient(), silent.accepted(), 10000);

        // Nothing of the cancelled start is left: the same server starts on SQLite.
        MainWindow again(&server);
        ServerControlPanel *next = again.serverPanel();
        QVERIFY(startOnSqlite(next, m_dir.filePath(QStringLiteral("history-%1.sqlite").arg(how))));
        QVERIFY(server.isRunning());
        next->stopServerNow();
        QVERIFY(!server.isRunning());
    }
};

LOOPSCOPE_GUI_TEST_MAIN(TestServerStart, 1600, 1000)
#include "tst_serverstart.moc"
