#include "fakeopenaiserver.h"

#include "http/httpstatus.h"
#include "llm/openaichunk.h"
#include "llm/ssedecoder.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

struct FakeOpenAiServer::Connection
{
    QPointer<QTcpSocket> socket;
    QByteArray buffer;
    FakeOpenAiScript script;
    bool responding = false;
    bool over = false; // the script has run to its end (or the server closed on purpose)
};

namespace {

const QString FakeId = QStringLiteral("chatcmpl-fake");
const QString FakeModel = QStringLiteral("fake-model");
constexpr qint64 FakeCreated = 1700000000;

} // namespace

QList<QByteArray> FakeOpenAiScript::chatEvents(const QStringList &deltas, const QStringList &reasoning,
                                               bool usage, bool done)
{
    QList<QByteArray> events;
    events << SseDecoder::encodeComment("keep-alive");
    for (const QString &r : reasoning) {
        // GLM's thinking models stream reasoning_content before the answer.
        const QJsonObject chunk {
            { QStringLiteral("id"), FakeId },
            { QStringLiteral("object"), QStringLiteral("chat.completion.chunk") },
            { QStringLiteral("created"), FakeCreated },
            { QStringLiteral("model"), FakeModel },
            { QStringLiteral("choices"),
              QJsonArray {
                  QJsonObject { { QStringLiteral("index"), 0 },
                                { QStringLiteral("delta"),
                                  QJsonObject { { QStringLiteral("role"), QStringLiteral("assistant") },
                                                { QStringLiteral("reasoning_content"), r } } },
                                { QStringLiteral("finish_reason"), QJsonValue::Null } } } }
        };
        events << SseDecoder::encode(QJsonDocument(chunk).toJson(QJsonDocument::Compact));
    }
    for (int i = 0; i < deltas.size(); ++i)
        events << SseDecoder::encode(
            OpenAiWire::makeChunk(FakeId, FakeModel, FakeCreated, deltas[i], {}, i == 0));
    events << SseDecoder::encode(
        OpenAiWire::makeChunk(FakeId, FakeModel, FakeCreated, {}, QStringLiteral("stop")));
    if (usage)
        events << SseDecoder::encode(
            OpenAiWire::makeUsageChunk(FakeId, FakeModel, FakeCreated, 12, int(deltas.size())));
    if (done)
        events << SseDecoder::encode(OpenAiWire::doneMarker());
    return events;
}

FakeOpenAiScript FakeOpenAiScript::chatStream(const QStringList &deltas, int delayMs,
                                              const QStringList &reasoning)
{
    FakeOpenAiScript script;
    for (const QByteArray &event : chatEvents(deltas, reasoning))
        script.steps.append({ delayMs, event });
    return script;
}

FakeOpenAiScript FakeOpenAiScript::split(const QByteArray &body, const QList<qsizetype> &cuts, int delayMs)
{
    FakeOpenAiScript script;
    qsizetype from = 0;
    for (qsizetype cut : cuts) {
        if (cut <= from || cut >= body.size())
            continue;
        script.steps.append({ delayMs, body.mid(from, cut - from) });
        from = cut;
    }
    script.steps.append({ delayMs, body.mid(from) });
    return script;
}

FakeOpenAiScript FakeOpenAiScript::error(int status, const QString &message, const QString &type,
                                         const QString &code)
{
    FakeOpenAiScript script;
    script.status = status;
    script.contentType = "application/json";
    script.framing = Framing::ContentLength;
    script.steps.append({ 0, OpenAiWire::makeError(message, type, code) });
    return script;
}

FakeOpenAiScript FakeOpenAiScript::completion(const QString &text)
{
    FakeOpenAiScript script;
    script.contentType = "application/json";
    script.framing = Framing::ContentLength;
    const QJsonObject body
        = OpenAiWire::makeCompletion(FakeId, FakeModel, FakeCreated, text, QStringLiteral("stop"), 12, 3);
    script.steps.append({ 0, QJsonDocument(body).toJson(QJsonDocument::Compact) });
    return script;
}

FakeOpenAiServer::FakeOpenAiServer(QObject *parent)
    : QObject(parent)
{
    m_defaultScript = FakeOpenAiScript::chatStream({ QStringLiteral("Hello") });
    m_thread.setObjectName(QStringLiteral("fake-openai"));
    m_server = new QTcpServer;
    m_server->moveToThread(&m_thread);
    m_thread.start();
    QMetaObject::invokeMethod(
        m_server,
        [this] {
            QObject::connect(m_server, &QTcpServer::newConnection, m_server, [this] { onNewConnection(); });
            if (m_server->listen(QHostAddress::LocalHost, 0))
                m_port = m_server->serverPort();
        },
        Qt::BlockingQueuedConnection);
    if (m_port == 0)
        qWarning("FakeOpenAiServer: cannot listen on 127.0.0.1");
}

FakeOpenAiServer::~FakeOpenAiServer()
{
    QMetaObject::invokeMethod(
        m_server,
        [this] {
            // Quietly: no signal about our own sockets going away.
            for (QTcpSocket *socket : m_server->findChildren<QTcpSocket *>())
                socket->disconnect();
            delete m_server;
            m_server = nullptr;
        },
        Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

QString FakeOpenAiServer::baseUrl() const
{
    return QStringLiteral("http://127.0.0.1:%1/v1").arg(m_port);
}

void FakeOpenAiServer::enqueue(const FakeOpenAiScript &script)
{
    QMutexLocker lock(&m_mutex);
    m_scripts.enqueue(script);
}

void FakeOpenAiServer::setDefaultScript(const FakeOpenAiScript &script)
{
    QMutexLocker lock(&m_mutex);
    m_defaultScript = script;
}

QList<FakeOpenAiRequest> FakeOpenAiServer::requests() const
{
    QMutexLocker lock(&m_mutex);
    return m_requests;
}

FakeOpenAiScript FakeOpenAiServer::takeScript()
{
    QMutexLocker lock(&m_mutex);
    return m_scripts.isEmpty() ? m_defaultScript : m_scripts.dequeue();
}

void FakeOpenAiServer::notify(void (FakeOpenAiServer::*signal)())
{
    // Emitted on the owner's thread: QSignalSpy and the tests' slots stay single-threaded.
    QMetaObject::invokeMethod(
        this,
        [this, signal] {
            Q_EMIT(this->*signal)
            ();
        },
        Qt::QueuedConnection);
}

void FakeOpenAiServer::onNewConnection()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        ++m_connections;
        auto c = std::make_shared<Connection>();
        c->socket = socket;
        QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, c] { onReadyRead(c); });
        QObject::connect(socket, &QTcpSocket::disconnected, socket, [this, c] {
            if (!c->over) {
                c->over = true;
                ++m_aborted;
                notify(&FakeOpenAiServer::streamAborted);
            }
            notify(&FakeOpenAiServer::clientDisconnected);
            c->socket->deleteLater();
        });
    }
}

void FakeOpenAiServer::onReadyRead(const std::shared_ptr<Connection> &c)
{
    c->buffer.append(c->socket->readAll());
    if (c->responding)
        return;
    const qsizetype headerEnd = c->buffer.indexOf("\r\n\r\n");
    if (headerEnd < 0)
        return; // not all headers yet (or not HTTP at all, e.g. a TLS hello: stall, as scripted)
    FakeOpenAiRequest request;
    const QList<QByteArray> lines = c->buffer.left(headerEnd).split('\n');
    const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
    request.method = requestLine.value(0);
    request.path = requestLine.value(1);
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const qsizetype colon = lines[i].indexOf(':');
        if (colon > 0)
            request.headers.insert(lines[i].left(colon).trimmed().toLower(),
                                   lines[i].mid(colon + 1).trimmed());
    }
    const qsizetype length = request.headers.value("content-length", "0").toLongLong();
    if (c->buffer.size() < headerEnd + 4 + length)
        return; // the body is still coming
    request.body = c->buffer.mid(headerEnd + 4, length);
    {
        QMutexLocker lock(&m_mutex);
        m_requests.append(request);
    }
    c->responding = true;
    c->script = takeScript();
    notify(&FakeOpenAiServer::requestReceived);
    if (c->script.headerDelayMs < 0)
        return; // stalled: never answers
    QTimer::singleShot(c->script.headerDelayMs, c->socket, [this, c] { startResponse(c); });
}

void FakeOpenAiServer::startResponse(const std::shared_ptr<Connection> &c)
{
    const FakeOpenAiScript &s = c->script;
    QByteArray head = "HTTP/1.1 " + QByteArray::number(s.status) + ' '
        + HttpStatus::reasonPhrase(s.status).toByteArray() + "\r\n";
    head += "Content-Type: " + s.contentType + "\r\n";
    head += "Cache-Control: no-cache\r\nConnection: close\r\n";
    if (s.framing == FakeOpenAiScript::Framing::Chunked) {
        head += "Transfer-Encoding: chunked\r\n";
    } else if (s.framing == FakeOpenAiScript::Framing::ContentLength) {
        qsizetype total = 0;
        for (const FakeOpenAiStep &step : s.steps)
            total += step.bytes.size();
        head += "Content-Length: " + QByteArray::number(total) + "\r\n";
    }
    head += "\r\n";
    c->socket->write(head);
    c->socket->flush();
    runStep(c, 0);
}

void FakeOpenAiServer::runStep(const std::shared_ptr<Connection> &c, int index)
{
    if (!c->socket)
        return;
    if (index >= c->script.steps.size()) {
        endResponse(c);
        return;
    }
    const FakeOpenAiStep &step = c->script.steps[index];
    QTimer::singleShot(step.delayMs, c->socket, [this, c, index] {
        const QByteArray &bytes = c->script.steps[index].bytes;
        if (c->script.framing == FakeOpenAiScript::Framing::Chunked) {
            if (!bytes.isEmpty()) // an empty chunk would end the body
                c->socket->write(QByteArray::number(bytes.size(), 16) + "\r\n" + bytes + "\r\n");
        } else {
            c->socket->write(bytes);
        }
        c->socket->flush(); // one step, one write on the wire: that is where the split happens
        runStep(c, index + 1);
    });
}

void FakeOpenAiServer::endResponse(const std::shared_ptr<Connection> &c)
{
    switch (c->script.end) {
    case FakeOpenAiScript::End::Finish:
        if (c->script.framing == FakeOpenAiScript::Framing::Chunked)
            c->socket->write("0\r\n\r\n");
        c->over = true;
        c->socket->disconnectFromHost();
        break;
    case FakeOpenAiScript::End::Cut:
        c->over = true;
        c->socket->disconnectFromHost(); // no terminating chunk, no [DONE]
        break;
    case FakeOpenAiScript::End::Hold:
        break; // keep the connection open until the client gives up
    }
}
