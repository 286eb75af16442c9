#include "serverfixture.h"

#include "base/traceclock.h"

#include <QEventLoop>
#include <QJsonDocument>
#include <QNetworkReply>
#include <QTimer>

ServerFixture::ServerFixture() = default;
ServerFixture::~ServerFixture()
{
    server.stop(2000);
}

ServerConfig ServerFixture::quickConfig()
{
    ServerConfig c;
    c.port = 0;
    c.dbReadSeconds = 0.0;
    c.dbWriteSeconds = 0.0;
    c.llm.latency.mean = 0.2;
    c.llm.firstTokenSeconds = 0.02;
    return c;
}

bool ServerFixture::start(const ServerConfig &config)
{
    ServerConfig c = config;
    c.apiKey = QString::fromUtf8(apiKey);
    if (!c.usesPostgres())
        c.dbPath = dbPath();
    QString error;
    const bool ok = server.start(c, &error);
    if (!ok)
        qWarning("server did not start: %s", qPrintable(error));
    return ok;
}

QByteArray ServerFixture::Reply::header(const QByteArray &name) const
{
    for (const QByteArray &h : headers) {
        if (h.startsWith(name.toLower() + ':'))
            return h.mid(name.size() + 1).trimmed();
    }
    return {};
}

namespace {
QNetworkRequest makeRequest(const QUrl &url, const QByteArray &key)
{
    QNetworkRequest r(url);
    r.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
    if (!key.isEmpty())
        r.setRawHeader("X-API-Key", key);
    return r;
}

void fill(ServerFixture::Reply &out, QNetworkReply *reply)
{
    out.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    out.body += reply->readAll();
    out.json = QJsonDocument::fromJson(out.body).object();
    out.finishedNs = TraceClock::nowNs();
    for (const auto &pair : reply->rawHeaderPairs())
        out.headers.append(pair.first.toLower() + ": " + pair.second);
}
} // namespace

ServerFixture::Reply ServerFixture::request(const QByteArray &method, const QString &path,
                                            const QByteArray &body, const QByteArray &key, int timeoutMs)
{
    QUrl url = server.url();
    url.setPath(path.section(QLatin1Char('?'), 0, 0));
    if (path.contains(QLatin1Char('?')))
        url.setQuery(path.section(QLatin1Char('?'), 1));
    const QByteArray k = key == "__default__" ? apiKey : key;
    QNetworkReply *reply = m_nam.sendCustomRequest(makeRequest(url, k), method, body);
    Reply out;
    QObject::connect(reply, &QNetworkReply::readyRead, reply, [&out] {
        if (!out.firstByteNs)
            out.firstByteNs = TraceClock::nowNs();
    });
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    loop.exec();
    if (reply->isFinished())
        fill(out, reply);
    reply->abort();
    reply->deleteLater();
    return out;
}

QNetworkReply *ServerFixture::startPost(QNetworkAccessManager &nam, const QString &path,
                                        const QByteArray &body)
{
    QUrl url = server.url();
    url.setPath(path);
    return nam.post(makeRequest(url, apiKey), body);
}

QList<ServerFixture::Reply> ServerFixture::concurrent(int count, const QString &path,
                                                      const std::function<QByteArray(int)> &body,
                                                      int timeoutMs)
{
    QUrl url = server.url();
    url.setPath(path);
    QList<Reply> out(count);
    int remaining = count;
    QEventLoop loop;
    QList<QNetworkReply *> replies;
    for (int i = 0; i < count; ++i) {
        QNetworkReply *reply = m_nam.post(makeRequest(url, apiKey), body(i));
        replies.append(reply);
        QObject::connect(reply, &QNetworkReply::finished, &loop, [&, i, reply] {
            fill(out[i], reply);
            if (--remaining == 0)
                loop.quit();
        });
    }
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    loop.exec();
    for (QNetworkReply *r : replies) {
        r->abort();
        r->deleteLater();
    }
    return out;
}
