// Every exchange the server acknowledged (answered 200) is in the history after the server is
// killed with SIGKILL under load and started again on the same database: the group commit
// answers only after its transaction is committed to the WAL file.
#include "load/clientrecord.h"
#include "load/loadgenerator.h"
#include "load/loadsettings.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSet>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

namespace {

const QString kKey = QStringLiteral("crash-key");

quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

} // namespace

class TestCrashDurability : public QObject
{
    Q_OBJECT

private:
    bool startServer(QProcess &server, const QString &db, quint16 port)
    {
        server.setProgram(QStringLiteral(LOOPSCOPE_BINARY));
        server.setArguments({ QStringLiteral("serve"), QStringLiteral("--port"), QString::number(port),
                              QStringLiteral("--mode"), QStringLiteral("async"),
                              QStringLiteral("--llm-latency"), QStringLiteral("0.02"),
                              QStringLiteral("--db-read-latency"), QStringLiteral("0"),
                              QStringLiteral("--db-write-latency"), QStringLiteral("0"),
                              QStringLiteral("--api-key"), kKey, QStringLiteral("--db"), db });
        server.setProcessChannelMode(QProcess::MergedChannels);
        server.start();
        if (!server.waitForStarted(10000))
            return false;
        // Listening once it says so.
        for (int i = 0; i < 200 && !server.readAll().contains("serving"); ++i)
            server.waitForReadyRead(100);
        return server.state() == QProcess::Running;
    }

    QSet<quint64> storedRequestIds(quint16 port, const QStringList &sessions)
    {
        QNetworkAccessManager net;
        QSet<quint64> ids;
        for (const QString &session : sessions) {
            QNetworkRequest req(QUrl(
                QStringLiteral("http://127.0.0.1:%1/v1/conversations/%2/messages").arg(port).arg(session)));
            req.setRawHeader("X-API-Key", kKey.toUtf8());
            QNetworkReply *reply = net.get(req);
            QSignalSpy done(reply, &QNetworkReply::finished);
            if (!reply->isFinished())
                done.wait(10000);
            const QJsonArray messages = QJsonDocument::fromJson(reply->readAll())
                                            .object()
                                            .value(QStringLiteral("messages"))
                                            .toArray();
            for (const QJsonValue &m : messages) {
                if (m.toObject().value(QStringLiteral("role")).toString() == QLatin1String("assistant"))
                    ids.insert(m.toObject().value(QStringLiteral("request_id")).toString().toULongLong());
            }
            reply->deleteLater();
        }
        return ids;
    }

private slots:
    void acknowledgedExchangesSurviveKill9()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString db = dir.filePath(QStringLiteral("history.sqlite"));
        const quint16 port = freePort();
        QProcess server;
        QVERIFY(startServer(server, db, port));

        LoadSettings load;
        load.users = 40;
        load.durationSeconds = 60; // stopped long before: the kill ends it
        load.thinkSeconds = 0;
        load.sessionPrefix = QStringLiteral("crash-");
        load.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port));
        load.apiKey = kKey;
        load.timeoutSeconds = 10;
        LoadGenerator generator;
        generator.setSettings(load);
        QString error;
        QVERIFY2(generator.start(&error), qPrintable(error));
        // Under load: a few hundred exchanges answered, more in flight.
        QTRY_VERIFY_WITH_TIMEOUT(generator.snapshot().size() >= 400, 30000);
        server.kill(); // SIGKILL: no shutdown code runs
        QVERIFY(server.waitForFinished(10000));
        QCOMPARE(server.exitStatus(), QProcess::CrashExit);
        // The requests in flight at the kill fail (reset), and new ones are refused.
        auto failures = [&] {
            const QList<ClientRecord> records = generator.snapshot();
            return std::count_if(records.begin(), records.end(),
                                 [](const ClientRecord &r) { return r.status != 200; });
        };
        QTRY_VERIFY_WITH_TIMEOUT(failures() > 0, 15000);
        QSignalSpy finished(&generator, &LoadGenerator::finished);
        generator.stop();
        if (generator.isRunning())
            QVERIFY(finished.wait(15000));

        QSet<quint64> acknowledged;
        QStringList sessions;
        for (int u = 0; u < load.users; ++u)
            sessions << load.sessionPrefix + QString::number(u);
        int failedAfterKill = 0;
        for (const ClientRecord &r : generator.snapshot()) {
            if (r.status == 200 && r.serverId != 0)
                acknowledged.insert(r.serverId);
            else
                ++failedAfterKill;
        }
        QVERIFY2(acknowledged.size() >= 400, qPrintable(QString::number(acknowledged.size())));
        QVERIFY(failedAfterKill > 0); // the kill really interrupted requests in flight

        QProcess restarted;
        QVERIFY(startServer(restarted, db, port));
        const QSet<quint64> stored = storedRequestIds(port, sessions);
        restarted.terminate();
        restarted.waitForFinished(10000);
        QSet<quint64> missing = acknowledged;
        missing.subtract(stored);
        QVERIFY2(missing.isEmpty(),
                 qPrintable(QStringLiteral("%1 of %2 acknowledged exchanges missing after kill -9")
                                .arg(missing.size())
                                .arg(acknowledged.size())));
    }
};

QTEST_GUILESS_MAIN(TestCrashDurability)
#include "tst_crashdurability.moc"
