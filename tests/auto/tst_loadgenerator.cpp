// The simulated users: real concurrency, the naive serial client, the open model's late sends,
// error kinds and the record formats.
#include "http/chatserver.h"
#include "load/loadgenerator.h"
#include "loadrun.h"

#include <QSet>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

class TestLoadGenerator : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    int m_dbCount = 0;

    std::unique_ptr<ChatServer> startServer(DispatchMode mode, double llmSeconds)
    {
        ServerConfig c;
        c.port = 0;
        c.mode = mode;
        c.llm.latency.mean = llmSeconds;
        c.dbReadSeconds = 0;
        c.dbWriteSeconds = 0;
        c.apiKey = QStringLiteral("test-key");
        c.dbPath = m_dir.filePath(QStringLiteral("h%1.sqlite").arg(++m_dbCount));
        auto server = std::make_unique<ChatServer>();
        QString error;
        if (!server->start(c, &error))
            qWarning() << error;
        return server;
    }

    static qint64 makespan(const QList<ClientRecord> &records)
    {
        qint64 first = std::numeric_limits<qint64>::max(), last = 0;
        for (const ClientRecord &r : records) {
            first = std::min(first, r.intendedNs);
            last = std::max(last, r.completeNs);
        }
        return last - first;
    }

private slots:
    void concurrentUsersOverlap()
    {
        auto server = startServer(DispatchMode::Async, 0.3);
        LoadSettings s;
        s.users = 300;
        s.baseUrl = server->url();
        s.apiKey = server->apiKey();
        const QList<ClientRecord> records = runLoad(s);
        QCOMPARE(records.size(), 300);
        QSet<quint64> tags, ids;
        for (const ClientRecord &r : records) {
            QVERIFY2(r.ok(), qPrintable(clientErrorName(r.error)));
            QVERIFY(r.intendedNs <= r.connectNs && r.connectNs <= r.sentNs && r.sentNs <= r.firstByteNs
                    && r.firstByteNs <= r.completeNs);
            QVERIFY(r.serverId > 0);
            tags.insert(r.tag);
            ids.insert(r.serverId);
        }
        QCOMPARE(tags.size(), 300);
        QCOMPARE(ids.size(), 300);
        // 300 concurrent 0.3 s calls on an async server: far less than 300 * 0.3 s.
        QVERIFY2(makespan(records) < 3'000'000'000LL, qPrintable(QString::number(makespan(records))));
        // The server saw the client tags.
        const QList<RequestRecord> serverRecords = server->recorder()->readFrom(0);
        QSet<quint64> seen;
        for (const RequestRecord &r : serverRecords)
            seen.insert(r.clientTag);
        for (const ClientRecord &r : records)
            QVERIFY(seen.contains(r.tag));
        server->stop(1000);
    }

    void naiveClientSerializes()
    {
        auto server = startServer(DispatchMode::Async, 0.2);
        LoadSettings s;
        s.users = 5;
        s.naive = true;
        s.baseUrl = server->url();
        s.apiKey = server->apiKey();
        QList<ClientRecord> records = runLoad(s);
        QCOMPARE(records.size(), 5);
        std::sort(records.begin(), records.end(),
                  [](const ClientRecord &a, const ClientRecord &b) { return a.sentNs < b.sentNs; });
        for (int i = 1; i < records.size(); ++i)
            QVERIFY2(records[i].sentNs >= records[i - 1].completeNs,
                     "a naive request overlapped the previous one");
        // All were "started" together (gather): latency grows by one call per position.
        QVERIFY(records.last().latencyNs() >= 4 * 200'000'000LL);
        QVERIFY(makespan(records) >= 5 * 200'000'000LL);

        s.naive = false;
        const QList<ClientRecord> concurrent = runLoad(s);
        QCOMPARE(concurrent.size(), 5);
        QVERIFY(makespan(concurrent) < 3 * 200'000'000LL);
        server->stop(1000);
    }

    void openModelCountsLateSends()
    {
        // A blocking server answers one 0.2 s request at a time; 20 arrivals a second with two
        // connections cannot all leave on time. None may be dropped.
        auto server = startServer(DispatchMode::Blocking, 0.2);
        LoadSettings s;
        s.model = LoadSettings::Model::Open;
        s.arrivalRate = 20;
        s.durationSeconds = 1.0;
        s.maxConnections = 2;
        s.baseUrl = server->url();
        s.apiKey = server->apiKey();
        const QList<ClientRecord> records = runLoad(s);
        QCOMPARE(records.size(), 20);
        int late = 0;
        qint64 worst = 0;
        for (const ClientRecord &r : records) {
            QVERIFY(r.ok());
            late += r.late ? 1 : 0;
            worst = std::max(worst, r.latencyNs());
            QVERIFY(r.latencyNs() >= r.completeNs - r.sentNs); // measured from the intended time
        }
        QVERIFY2(late >= 10, qPrintable(QString::number(late)));
        // 20 requests of 0.2 s served one at a time: the last intended at ~0.95 s ends at ~4 s.
        QVERIFY2(worst > 2'000'000'000LL, qPrintable(QString::number(worst)));
        server->stop(1000);
    }

    void poissonArrivalsAreRecorded()
    {
        auto server = startServer(DispatchMode::Async, 0.05);
        LoadSettings s;
        s.model = LoadSettings::Model::Open;
        s.arrival = LoadSettings::Arrival::Poisson;
        s.arrivalRate = 100;
        s.durationSeconds = 1.0;
        s.baseUrl = server->url();
        s.apiKey = server->apiKey();
        const QList<ClientRecord> records = runLoad(s);
        QVERIFY2(records.size() > 50 && records.size() < 170, qPrintable(QString::number(records.size())));
        for (const ClientRecord &r : records)
            QVERIFY(r.ok());
        server->stop(1000);
    }

    void refusedConnectionsAreCounted()
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        const quint16 port = probe.serverPort();
        probe.close(); // nobody listens there now
        LoadSettings s;
        s.users = 3;
        s.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port));
        s.apiKey = QStringLiteral("x");
        const QList<ClientRecord> records = runLoad(s);
        QCOMPARE(records.size(), 3);
        for (const ClientRecord &r : records)
            QCOMPARE(r.error, ClientError::Refused);
    }

    void wrongKeyIs4xx()
    {
        auto server = startServer(DispatchMode::Async, 0.01);
        LoadSettings s;
        s.users = 2;
        s.baseUrl = server->url();
        s.apiKey = QStringLiteral("wrong");
        const QList<ClientRecord> records = runLoad(s);
        QCOMPARE(records.size(), 2);
        for (const ClientRecord &r : records) {
            QCOMPARE(r.error, ClientError::Http4xx);
            QCOMPARE(r.status, quint16(401));
        }
        server->stop(1000);
    }

    void streamingSeesFirstToken()
    {
        auto server = startServer(DispatchMode::Async, 0.5);
        LoadSettings s;
        s.users = 3;
        s.stream = true;
        s.baseUrl = server->url();
        s.apiKey = server->apiKey();
        const QList<ClientRecord> records = runLoad(s);
        QCOMPARE(records.size(), 3);
        for (const ClientRecord &r : records) {
            QVERIFY(r.ok());
            QVERIFY(r.firstTokenNs > 0);
            QVERIFY(r.serverId > 0);
            // the first token long before the end of a 0.5 s reply
            QVERIFY(r.completeNs - r.firstTokenNs > 200'000'000LL);
        }
        server->stop(1000);
    }

    // The stream is read as events (SseDecoder), not by searching the bytes for "event: token":
    // fields without the optional space, CRLF line ends and an event split across two network
    // writes all count, and the first token is stamped when its event is complete.
    void streamIsReadAsEvents()
    {
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost));
        const auto chunk = [](const QByteArray &data) {
            return QByteArray::number(data.size(), 16) + "\r\n" + data + "\r\n";
        };
        connect(&server, &QTcpServer::newConnection, this, [&] {
            while (QTcpSocket *s = server.nextPendingConnection()) {
                connect(s, &QTcpSocket::readyRead, s, [s, chunk] {
                    if (!s->readAll().contains("\r\n\r\n{"))
                        return;
                    s->write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                             "Transfer-Encoding: chunked\r\n\r\n");
                    s->write(chunk("event:start\r\ndata:{\"request_id\":\"42\"}\r\n\r\nevent:tok"));
                    QTimer::singleShot(300, s, [s, chunk] {
                        s->write(chunk("en\r\ndata:{\"text\":\"hi\"}\r\n\r\n"));
                        QTimer::singleShot(300, s, [s, chunk] {
                            s->write(chunk("event:done\ndata:{}\n\n") + chunk(QByteArray()));
                        });
                    });
                });
            }
        });
        LoadSettings s;
        s.users = 1;
        s.requestsPerUser = 1;
        s.stream = true;
        s.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(server.serverPort()));
        s.apiKey = QStringLiteral("x");
        const QList<ClientRecord> records = runLoad(s);
        QCOMPARE(records.size(), 1);
        const ClientRecord &r = records.first();
        QVERIFY2(r.ok(), qPrintable(clientErrorName(r.error)));
        QCOMPARE(r.serverId, quint64(42));
        QVERIFY(r.firstTokenNs > 0);
        // Not at "event:tok" (the first write), but when the rest of the event came 300 ms later.
        QVERIFY2(r.firstTokenNs - r.sentNs >= 250'000'000,
                 qPrintable(QString::number(r.firstTokenNs - r.sentNs)));
        QVERIFY(r.completeNs - r.firstTokenNs >= 250'000'000);
    }

    void serverClosingIdleConnectionsIsNotAnError()
    {
        // Like uvicorn's keep-alive timeout: the server answers, then closes the idle connection.
        QTcpServer server;
        QVERIFY(server.listen(QHostAddress::LocalHost));
        int connections = 0;
        connect(&server, &QTcpServer::newConnection, this, [&] {
            while (QTcpSocket *s = server.nextPendingConnection()) {
                ++connections;
                connect(s, &QTcpSocket::readyRead, s, [s] {
                    if (!s->readAll().contains("\r\n\r\n{"))
                        return;
                    s->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 18\r\n\r\n"
                             "{\"request_id\":\"7\"}");
                    QTimer::singleShot(50, s, [s] { s->disconnectFromHost(); });
                });
            }
        });
        LoadSettings s;
        s.users = 2;
        s.requestsPerUser = 3;
        s.thinkSeconds = 0.2;
        s.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(server.serverPort()));
        s.apiKey = QStringLiteral("x");
        const QList<ClientRecord> records = runLoad(s);
        QCOMPARE(records.size(), 6);
        for (const ClientRecord &r : records) {
            QVERIFY2(r.ok(),
                     qPrintable(QStringLiteral("%1 user %2 #%3 reused %4 status %5 firstbyte %6")
                                    .arg(clientErrorName(r.error))
                                    .arg(r.user)
                                    .arg(r.sequence)
                                    .arg(r.reused)
                                    .arg(r.status)
                                    .arg(r.firstByteNs)));
            QCOMPARE(r.serverId, quint64(7));
        }
        QCOMPARE(connections, 6);
    }

    void recordRoundTrip()
    {
        ClientRecord r;
        r.tag = 123456789012345ULL;
        r.serverId = 42;
        r.user = 7;
        r.sequence = 3;
        const qint64 o = 1'000'000'000'000LL;
        r.intendedNs = o + 1'234'567;
        r.connectNs = o + 2'000'000;
        r.connectedNs = o + 2'500'000;
        r.sentNs = o + 3'000'001;
        r.firstByteNs = o + 500'000'000;
        r.completeNs = o + 2'150'000'999;
        r.status = 503;
        r.error = ClientError::Http5xx;
        r.late = true;
        r.bytes = 99;
        const ClientRecord j = ClientRecord::fromJson(r.toJson(o), o);
        QCOMPARE(j.tag, r.tag);
        QCOMPARE(j.completeNs, r.completeNs);
        QCOMPARE(j.firstTokenNs, qint64(0));
        QCOMPARE(j.error, r.error);
        QCOMPARE(j.late, true);
        ClientRecord c;
        QVERIFY(ClientRecord::fromCsvRow(r.toCsvRow(o), o, &c));
        QCOMPARE(c.tag, r.tag);
        QVERIFY(std::abs(c.completeNs - r.completeNs) <= 1000); // microsecond decimals
        QVERIFY(std::abs(c.intendedNs - r.intendedNs) <= 1000);
        QCOMPARE(c.firstTokenNs, qint64(0));
        QCOMPARE(c.status, r.status);
        QCOMPARE(c.error, r.error);
    }
};

QTEST_GUILESS_MAIN(TestLoadGenerator)
#include "tst_loadgenerator.moc"
