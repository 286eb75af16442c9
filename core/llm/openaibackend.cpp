#include "openaibackend.h"

#include "base/readystamp.h"
#include "base/traceclock.h"
#include "openaichunk.h"
#include "openairesponsereader.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QThread>
#include <QTimer>
#include <condition_variable>
#include <limits>
#include <qcoro/qcorotimer.h>

namespace {

// Where complete() waits: the I/O thread posts deltas and, last, the reply; the caller's thread
// sleeps on the condition variable and passes the deltas to its own TokenSink.
struct Mailbox
{
    std::mutex mutex;
    std::condition_variable wakeUp;
    QStringList deltas;
    std::optional<LlmReply> reply;

    void post(const QString &delta)
    {
        {
            std::lock_guard lock(mutex);
            deltas.append(delta);
        }
        wakeUp.notify_one();
    }
    void close(LlmReply r)
    {
        {
            std::lock_guard lock(mutex);
            reply = std::move(r);
        }
        wakeUp.notify_one();
    }
    LlmReply drainInto(const TokenSink &onToken)
    {
        std::unique_lock lock(mutex);
        for (;;) {
            wakeUp.wait(lock, [this] { return !deltas.isEmpty() || reply.has_value(); });
            const QStringList batch = std::exchange(deltas, {});
            if (!batch.isEmpty() && onToken) {
                lock.unlock(); // the sink may be slow (it writes to a client); never hold the lock
                for (const QString &delta : batch)
                    onToken(delta);
                lock.lock();
            }
            if (reply && deltas.isEmpty())
                return std::move(*reply);
        }
    }
};

QString timeoutMessage(const char *what, int ms)
{
    return QStringLiteral("%1 within %2 ms").arg(QLatin1String(what)).arg(ms);
}

} // namespace

OpenAiBackend::OpenAiBackend(OpenAiConfig config)
    : m_config(std::move(config))
{ }

OpenAiBackend::~OpenAiBackend()
{
    if (m_ioThread) {
        m_ioThread->quit(); // m_ioContext goes with the thread (finished -> deleteLater)
        m_ioThread->wait();
    }
}

QUrl OpenAiBackend::endpoint(const QString &baseUrl)
{
    QString url = baseUrl.trimmed();
    while (url.endsWith(QLatin1Char('/')))
        url.chop(1);
    if (!url.endsWith(QLatin1String("/chat/completions")))
        url += QLatin1String("/chat/completions");
    return QUrl(url);
}

QNetworkRequest OpenAiBackend::networkRequest(const OpenAiConfig &config, bool stream)
{
    QNetworkRequest request(endpoint(config.baseUrl));
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setRawHeader("Accept", stream ? "text/event-stream" : "application/json");
    request.setRawHeader("User-Agent", "LoopScope/" LOOPSCOPE_VERSION);
    if (!config.apiKey.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + config.apiKey.toUtf8());
    // Our own deadlines decide; QNAM's transfer timeout would only blur which one fired.
    request.setTransferTimeout(0);
    return request;
}

QList<ChatMessage> OpenAiBackend::messagesFor(const OpenAiConfig &config, const LlmRequest &request)
{
    QList<ChatMessage> messages = request.messages;
    const bool hasSystem = std::any_of(messages.cbegin(), messages.cend(), [](const ChatMessage &m) {
        return m.role == QLatin1String("system");
    });
    if (!config.systemPrompt.isEmpty() && !hasSystem)
        messages.prepend(ChatMessage { QStringLiteral("system"), config.systemPrompt });
    return messages;
}

QCoro::Task<LlmReply> OpenAiBackend::exchange(OpenAiConfig config, LlmRequest request, TokenSink onToken,
                                              CancelToken cancel)
{
    const qint64 start = TraceClock::nowNs();
    // A conversation's own settings take the place of the configured ones.
    if (!request.model.isEmpty())
        config.model = request.model;
    if (request.temperature >= 0)
        config.temperature = request.temperature;
    OpenAiResponseReader reader(request.stream, config.apiKey);
    const QUrl url = endpoint(config.baseUrl);
    if (!url.isValid() || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")))
        co_return reader.fail(LlmReply::Error::BadRequest,
                              QStringLiteral("invalid base URL \"%1\"").arg(config.baseUrl));
    if (config.model.isEmpty())
        co_return reader.fail(LlmReply::Error::BadRequest, QStringLiteral("no model configured"));
    const auto preset = ProviderPreset::find(config.provider);
    if (preset && preset->requiresKey && config.apiKey.isEmpty())
        co_return reader.fail(LlmReply::Error::Unauthorized,
                              QStringLiteral("no API key configured for %1").arg(preset->displayName));

    // One QNetworkAccessManager per call: QNAM opens at most six HTTP/1.1 connections per host and
    // queues the rest, which would cap concurrency exactly where LoopScope measures it. Each call
    // pays for its own connection instead, as a client without a session pool would.
    QNetworkAccessManager nam;
    QNetworkReply *reply
        = nam.post(networkRequest(config, request.stream),
                   OpenAiWire::requestBody(config.model, messagesFor(config, request), request.stream,
                                           config.temperature, request.maxTokens));

    // One timer wakes the loop below: after a poll interval (cancel flag, deadlines), or at once
    // when the reply has news. It resumes the coroutine from a timer event, never from inside one
    // of the reply's own signals.
    QTimer wake;
    wake.setSingleShot(true);
    wake.setTimerType(Qt::PreciseTimer);
    bool connected = false; // the request is on the wire: the connect deadline no longer applies
    // When the reply's latest news was ready, as the loop's dispatcher stamped the event that
    // brought it (base/readystamp.h); the wake-up timer below runs later when the loop is busy.
    qint64 newsReadyNs = 0;
    const auto poke = [&wake, &newsReadyNs] {
        newsReadyNs = ReadyStamp::current() > 0 ? ReadyStamp::current() : TraceClock::nowNs();
        wake.start(0);
    };
    const auto onConnected = [&connected, poke] {
        connected = true;
        poke();
    };
    QObject::connect(reply, &QNetworkReply::requestSent, &wake, onConnected);
    QObject::connect(reply, &QNetworkReply::encrypted, &wake, onConnected);
    QObject::connect(reply, &QNetworkReply::metaDataChanged, &wake, onConnected);
    QObject::connect(reply, &QNetworkReply::readyRead, &wake, poke);
    QObject::connect(reply, &QNetworkReply::finished, &wake, poke);

    const auto deadline = [start](int ms) {
        return ms > 0 ? start + qint64(ms) * 1'000'000 : std::numeric_limits<qint64>::max();
    };
    const qint64 connectDeadline = deadline(config.connectTimeoutMs);
    const qint64 firstTokenDeadline = deadline(config.firstTokenTimeoutMs);
    const qint64 totalDeadline = deadline(config.totalTimeoutMs);
    const auto stop = [reply, &reader](LlmReply::Error error, const QString &message) {
        reply->abort(); // closes the connection: the provider stops generating for us
        return reader.fail(error, message);
    };

    LlmReply result;
    for (;;) {
        if (!reader.hasStatus()) {
            const QVariant status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
            if (status.isValid()) {
                connected = true;
                reader.setStatus(status.toInt(),
                                 reply->header(QNetworkRequest::ContentTypeHeader).toByteArray());
            }
        }
        if (reader.hasStatus() && reply->bytesAvailable() > 0)
            reader.feed(reply->readAll(), onToken);
        if (reader.isComplete()) { // [DONE], or the stream itself reported an error
            result = reader.finish();
            break;
        }
        if (reply->isFinished()) {
            const bool transportOk = reply->error() == QNetworkReply::NoError
                || (reader.hasStatus() && reply->error() > QNetworkReply::UnknownProxyError);
            if (!reader.hasStatus()) { // refused, reset, DNS, TLS: no HTTP answer at all
                result = reader.fail(reply->error() == QNetworkReply::TimeoutError ? LlmReply::Error::Timeout
                                                                                   : LlmReply::Error::Network,
                                     QStringLiteral("cannot reach %1: %2")
                                         .arg(url.toDisplayString(QUrl::RemovePath), reply->errorString()));
            } else {
                result = reader.finish(transportOk ? QString() : reply->errorString());
            }
            break;
        }
        if (cancel.isCancelled()) {
            result = stop(LlmReply::Error::Cancelled, QStringLiteral("cancelled"));
            break;
        }
        const qint64 now = TraceClock::nowNs();
        if (!connected && now >= connectDeadline) {
            result = stop(LlmReply::Error::Timeout,
                          timeoutMessage("no connection to the upstream", config.connectTimeoutMs));
            break;
        }
        if (request.stream && !reader.hasFirstToken() && now >= firstTokenDeadline) {
            result = stop(LlmReply::Error::Timeout,
                          timeoutMessage("no first token from the upstream", config.firstTokenTimeoutMs));
            break;
        }
        if (now >= totalDeadline) {
            result = stop(LlmReply::Error::Timeout,
                          timeoutMessage("upstream reply not complete", config.totalTimeoutMs));
            break;
        }
        if (!wake.isActive()) {
            qint64 next = std::min(totalDeadline, now + qint64(PollIntervalMs) * 1'000'000);
            if (!connected)
                next = std::min(next, connectDeadline);
            if (request.stream && !reader.hasFirstToken())
                next = std::min(next, firstTokenDeadline);
            wake.start(int(std::max<qint64>(0, (next - now + 999'999) / 1'000'000)));
        }
        co_await wake;
    }
    if (!reply->isFinished())
        reply->abort(); // after [DONE] or a stream error: nothing more to read from this connection
    result.readyNs = newsReadyNs;
    co_return result;
}

QCoro::Task<LlmReply> OpenAiBackend::completeAsync(LlmRequest request, TokenSink onToken, CancelToken cancel)
{
    // The call itself, on this thread's event loop: every wait in exchange() is a co_await.
    return exchange(m_config, std::move(request), std::move(onToken), std::move(cancel));
}

LlmReply OpenAiBackend::complete(const LlmRequest &request, const TokenSink &onToken,
                                 const CancelToken &cancel)
{
    // Why an I/O thread rather than the two obvious alternatives:
    // - a private QEventLoop on the calling thread would re-enter that thread's event loop. In the
    //   blocking dispatch mode the caller IS the server's event loop: the nested loop would accept
    //   and run other requests inside this call (LIFO, one inside the other), hiding exactly the
    //   blocking the mode is there to show, and it would run foreign slots on a pool thread;
    // - raw QTcpSocket/QSslSocket with waitFor*() would block honestly, but needs our own HTTP/1.1
    //   client (chunked bodies, TLS, proxies) and cannot be cancelled during DNS and connect.
    // So the same exchange() coroutine as completeAsync() runs on an event loop of our own, and
    // this thread sleeps on a condition variable until the reply is whole, as a thread blocked in
    // a synchronous SDK's recv() would. The thread's own event loop (if any) never runs meanwhile.
    auto mailbox = std::make_shared<Mailbox>();
    TokenSink relay;
    if (onToken)
        relay = [mailbox](const QString &delta) { mailbox->post(delta); };
    QObject *context = ioContext();
    QMetaObject::invokeMethod(context, [context, config = m_config, request, relay, cancel, mailbox] {
        QCoro::connect(exchange(config, request, relay, cancel), context,
                       [mailbox](const LlmReply &reply) { mailbox->close(reply); });
    });
    return mailbox->drainInto(onToken);
}

QObject *OpenAiBackend::ioContext()
{
    std::call_once(m_ioStarted, [this] {
        m_ioThread = std::make_unique<QThread>();
        m_ioThread->setObjectName(QStringLiteral("llm-io"));
        m_ioContext = new QObject;
        m_ioContext->moveToThread(m_ioThread.get());
        QObject::connect(m_ioThread.get(), &QThread::finished, m_ioContext, &QObject::deleteLater);
        m_ioThread->start();
    });
    return m_ioContext;
}
