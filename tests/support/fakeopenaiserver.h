#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QMutex>
#include <QObject>
#include <QQueue>
#include <QStringList>
#include <QThread>
#include <atomic>
#include <memory>

class QTcpServer;

// One piece of a scripted response body: wait delayMs, then write bytes (as one HTTP chunk when
// the body is chunked). Splitting a body into steps is how tests cut it at awkward places.
struct FakeOpenAiStep
{
    int delayMs = 0;
    QByteArray bytes;
};

// What the fake upstream answers to one request.
struct FakeOpenAiScript
{
    enum class Framing { Chunked, ContentLength, Close };
    enum class End { Finish, Cut, Hold }; // after the steps: end properly, drop the connection, keep it open

    int status = 200;
    QByteArray contentType = "text/event-stream";
    Framing framing = Framing::Chunked;
    int headerDelayMs = 0; // < 0: never answer at all (a stalled or TLS-expecting upstream)
    QList<FakeOpenAiStep> steps;
    End end = End::Finish;

    // The SSE body of a chat reply as providers send it: a keep-alive comment, reasoning_content
    // chunks, content chunks, a finish_reason chunk, a usage chunk (prompt 12 tokens, completion
    // one per delta) and [DONE]. One entry per event.
    static QList<QByteArray> chatEvents(const QStringList &deltas, const QStringList &reasoning = {},
                                        bool usage = true, bool done = true);
    // Each event its own step, delayMs apart.
    static FakeOpenAiScript chatStream(const QStringList &deltas, int delayMs = 0,
                                       const QStringList &reasoning = {});
    // A body written in pieces cut at the given byte offsets, delayMs apart.
    static FakeOpenAiScript split(const QByteArray &body, const QList<qsizetype> &cuts, int delayMs);
    // An error answer with an OpenAI-style body.
    static FakeOpenAiScript error(int status, const QString &message, const QString &type,
                                  const QString &code = {});
    // A non-streamed chat.completion body.
    static FakeOpenAiScript completion(const QString &text);
};

// What the fake received.
struct FakeOpenAiRequest
{
    QByteArray method;
    QByteArray path;
    QHash<QByteArray, QByteArray> headers; // names in lower case
    QByteArray body;
};

// A scriptable OpenAI-compatible upstream on 127.0.0.1 (ephemeral port) for the tests. It runs on
// its own thread, so a test thread blocked in OpenAiBackend::complete() still gets its answers.
// Each connection takes the next queued script (or the default one). It speaks raw HTTP/1.1 on a
// QTcpSocket, always "Connection: close", so that it controls every byte, every pause and every
// close, and it notices when a client goes away before its script is over (streamAborted).
// Signals are delivered on the thread that created the server.
class FakeOpenAiServer : public QObject
{
    Q_OBJECT
public:
    explicit FakeOpenAiServer(QObject *parent = nullptr);
    ~FakeOpenAiServer() override;

    quint16 port() const { return m_port; }
    QString baseUrl() const; // http://127.0.0.1:PORT/v1

    void enqueue(const FakeOpenAiScript &script);
    void setDefaultScript(const FakeOpenAiScript &script);

    QList<FakeOpenAiRequest> requests() const;
    int connectionCount() const { return m_connections.load(); }
    int abortedStreams() const { return m_aborted.load(); }

Q_SIGNALS:
    void requestReceived();
    void clientDisconnected();
    void streamAborted(); // the client closed the connection before the script was over

private:
    struct Connection;
    void onNewConnection();
    void onReadyRead(const std::shared_ptr<Connection> &c);
    void startResponse(const std::shared_ptr<Connection> &c);
    void runStep(const std::shared_ptr<Connection> &c, int index);
    void endResponse(const std::shared_ptr<Connection> &c);
    FakeOpenAiScript takeScript();
    void notify(void (FakeOpenAiServer::*signal)());

    QThread m_thread;
    QTcpServer *m_server = nullptr; // lives on m_thread, as do its sockets
    quint16 m_port = 0;
    mutable QMutex m_mutex;
    QQueue<FakeOpenAiScript> m_scripts;
    FakeOpenAiScript m_defaultScript;
    QList<FakeOpenAiRequest> m_requests;
    std::atomic<int> m_connections { 0 };
    std::atomic<int> m_aborted { 0 };
};
