#pragma once

#include "http/chatserver.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTemporaryDir>

// Starts a ChatServer on a free loopback port with its history in a temporary folder,
// and sends real HTTP requests to it from the test thread.
class ServerFixture
{
public:
    ServerFixture();
    ~ServerFixture();

    // Short delays by default so suites stay quick; tests override what they measure.
    static ServerConfig quickConfig();
    bool start(const ServerConfig &config);
    void stop() { server.stop(); }
    QString dbPath() const { return m_dir.filePath(QStringLiteral("history.sqlite")); }

    struct Reply
    {
        int status = 0;
        QByteArray body;
        QJsonObject json;
        qint64 finishedNs = 0;
        qint64 firstByteNs = 0;
        QList<QByteArray> headers;
        QByteArray header(const QByteArray &name) const;
    };

    // One request; waits (on the event loop) for the answer.
    Reply request(const QByteArray &method, const QString &path, const QByteArray &body = {},
                  const QByteArray &key = QByteArray("__default__"), int timeoutMs = 30000);
    // Starts a POST and returns at once (the caller waits on the reply).
    QNetworkReply *startPost(QNetworkAccessManager &nam, const QString &path, const QByteArray &body);
    // `count` requests sent at once; returns when all are answered.
    QList<Reply> concurrent(int count, const QString &path, const std::function<QByteArray(int)> &body,
                            int timeoutMs = 60000);

    ChatServer server;
    QByteArray apiKey = "test-key";

private:
    QTemporaryDir m_dir;
    QNetworkAccessManager m_nam;
};
