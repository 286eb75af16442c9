// OpenAiBackend against a fake OpenAI-compatible upstream on loopback: whole text through any
// split, time to first token, timeouts, HTTP errors, cut streams, Stop aborting the upstream, and
// the blocking and non-blocking entry points agreeing. Timing checks are on shape only.
#include "base/traceclock.h"
#include "fakeopenaiserver.h"
#include "llm/openaibackend.h"
#include "llm/openaichunk.h"
#include "llm/ssedecoder.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QSslSocket>
#include <QTcpServer>
#include <QTest>
#include <QThreadPool>
#include <QTimer>
#include <QtConcurrent>
#include <limits>

namespace {

const QString TestKey = QStringLiteral("sk-test-secret-123456");

struct CallResult
{
    LlmReply reply;
    QStringList deltas;
    qint64 startNs = 0;
    qint64 endNs = 0;

    double elapsedMs() const { return TraceClock::nsToMs(endNs - startNs); }
};

LlmRequest chatRequest(bool stream = true)
{
    LlmRequest request;
    request.messages = { { QStringLiteral("user"), QStringLiteral("你好") } };
    request.requestId = 1;
    request.stream = stream;
    return request;
}

// The upstream's answer in compact chunks (as llama.cpp sends them), multi-byte UTF-8 throughout.
QByteArray compactStream(const QStringList &deltas)
{
    QByteArray body = SseDecoder::encodeComment("keep-alive");
    for (const QString &d : deltas) {
        const QJsonObject chunk {
            { QStringLiteral("choices"),
              QJsonArray { QJsonObject {
                  { QStringLiteral("delta"), QJsonObject { { QStringLiteral("content"), d } } } } } }
        };
        body += SseDecoder::encode(QJsonDocument(chunk).toJson(QJsonDocument::Compact));
    }
    return body + SseDecoder::encode(OpenAiWire::doneMarker());
}

} // namespace

class TestOpenAiBackend : public QObject
{
    Q_OBJECT

    std::unique_ptr<FakeOpenAiServer> m_fake;
    QThreadPool m_pool;

    OpenAiConfig config() const
    {
        OpenAiConfig c;
        c.provider = QStringLiteral("custom");
        c.baseUrl = m_fake->baseUrl();
        c.model = QStringLiteral("fake-model");
        c.apiKey = TestKey;
        c.connectTimeoutMs = 5000;
        c.firstTokenTimeoutMs = 5000;
        c.totalTimeoutMs = 20000;
        return c;
    }

    static CallResult call(OpenAiBackend &backend, bool blocking, const LlmRequest &request = chatRequest(),
                           const CancelToken &cancel = {})
    {
        CallResult r;
        const TokenSink sink = [&r](const QString &d) { r.deltas << d; };
        r.startNs = TraceClock::nowNs();
        if (blocking)
            r.reply = backend.complete(request, sink, cancel);
        else
            r.reply = QCoro::waitFor(backend.completeAsync(request, sink, cancel));
        r.endNs = TraceClock::nowNs();
        return r;
    }

    static void addModes()
    {
        QTest::addColumn<bool>("blocking");
        QTest::addRow("blocking") << true;
        QTest::addRow("async") << false;
    }

private Q_SLOTS:
    void initTestCase() { m_pool.setMaxThreadCount(12); }

    void init()
    {
        m_fake = std::make_unique<FakeOpenAiServer>();
        QVERIFY(m_fake->port() != 0);
    }

    void cleanup() { m_fake.reset(); }

    void streamsWholeText_data()
    {
        QTest::addColumn<bool>("blocking");
        QTest::addColumn<int>("split"); // 0: one event per write; n: n-byte writes
        for (bool blocking : { true, false }) {
            const char *mode = blocking ? "blocking" : "async";
            QTest::addRow("%s, event per write", mode) << blocking << 0;
            QTest::addRow("%s, 1-byte writes", mode) << blocking << 1;
            QTest::addRow("%s, 7-byte writes", mode) << blocking << 7;
        }
    }

    void streamsWholeText()
    {
        QFETCH(bool, blocking);
        QFETCH(int, split);
        const QStringList deltas { QStringLiteral("你好"), QStringLiteral("，"), QStringLiteral("世界 🚀"),
                                   QStringLiteral("!") };
        if (split == 0) {
            m_fake->enqueue(
                FakeOpenAiScript::chatStream(deltas, 1, { QStringLiteral("先想"), QStringLiteral("一想") }));
        } else {
            const QByteArray body
                = FakeOpenAiScript::chatEvents(deltas, { QStringLiteral("先想"), QStringLiteral("一想") })
                      .join();
            QList<qsizetype> cuts;
            for (qsizetype i = split; i < body.size(); i += split)
                cuts << i;
            m_fake->enqueue(FakeOpenAiScript::split(body, cuts, 0));
        }
        OpenAiBackend backend(config());
        const CallResult r = call(backend, blocking);
        QVERIFY2(r.reply.ok(), qPrintable(r.reply.errorMessage));
        QCOMPARE(r.reply.text, QStringLiteral("你好，世界 🚀!"));
        QCOMPARE(r.deltas, deltas);
        QCOMPARE(r.reply.reasoning, QStringLiteral("先想一想"));
        QCOMPARE(r.reply.promptTokens, 12); // from the usage chunk
        QCOMPARE(r.reply.completionTokens, 4);
        QCOMPARE(r.reply.tokens, 4);
        QCOMPARE(r.reply.upstreamStatus, 200);
    }

    void everySplitPosition_data() { addModes(); }

    void everySplitPosition()
    {
        // Each position of the body, cut into two writes 2 ms apart: inside "data:", between
        // '\r' and '\n', inside a 3- or 4-byte UTF-8 character, inside "[DONE]".
        QFETCH(bool, blocking);
        const QStringList deltas { QStringLiteral("你好"), QStringLiteral("，世界"), QStringLiteral("🚀✓") };
        QByteArray body = compactStream(deltas);
        body.replace("\n", "\r\n");
        OpenAiBackend backend(config());
        for (qsizetype cut = 1; cut < body.size(); ++cut) {
            m_fake->enqueue(FakeOpenAiScript::split(body, { cut }, 2));
            const CallResult r = call(backend, blocking);
            QVERIFY2(r.reply.ok(),
                     qPrintable(QStringLiteral("cut at %1: %2").arg(cut).arg(r.reply.errorMessage)));
            QCOMPARE(r.reply.text, QStringLiteral("你好，世界🚀✓"));
            QCOMPARE(r.deltas, deltas);
        }
    }

    void timeToFirstToken_data() { addModes(); }

    void timeToFirstToken()
    {
        QFETCH(bool, blocking);
        // keep-alive, then 4 content chunks, finish, usage, [DONE]: 60 ms apart.
        m_fake->enqueue(FakeOpenAiScript::chatStream(
            { QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c"), QStringLiteral("d") }, 60));
        OpenAiBackend backend(config());
        const CallResult r = call(backend, blocking);
        QVERIFY2(r.reply.ok(), qPrintable(r.reply.errorMessage));
        QVERIFY(r.reply.firstTokenNs > r.startNs);
        QVERIFY(r.reply.firstTokenNs < r.endNs);
        // First content after ~120 ms, the end ~300 ms later: generous bounds, shape only.
        QVERIFY2(r.reply.firstTokenNs - r.startNs >= 60'000'000,
                 qPrintable(QString::number(TraceClock::nsToMs(r.reply.firstTokenNs - r.startNs))));
        QVERIFY2(r.endNs - r.reply.firstTokenNs >= 120'000'000,
                 qPrintable(QString::number(TraceClock::nsToMs(r.endNs - r.reply.firstTokenNs))));
    }

    void timeouts_data()
    {
        QTest::addColumn<bool>("blocking");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("messagePart");
        for (bool blocking : { true, false }) {
            const char *mode = blocking ? "blocking" : "async";
            QTest::addRow("%s, no response at all", mode)
                << blocking << QStringLiteral("no-headers") << QStringLiteral("no first token");
            QTest::addRow("%s, headers then silence", mode)
                << blocking << QStringLiteral("silence") << QStringLiteral("no first token");
            QTest::addRow("%s, slow stream", mode)
                << blocking << QStringLiteral("slow") << QStringLiteral("not complete");
            QTest::addRow("%s, TLS never completes", mode)
                << blocking << QStringLiteral("tls") << QStringLiteral("no connection");
        }
    }

    void timeouts()
    {
        QFETCH(bool, blocking);
        QFETCH(QString, kind);
        QFETCH(QString, messagePart);
        OpenAiConfig c = config();
        c.connectTimeoutMs = 300;
        c.firstTokenTimeoutMs = 300;
        c.totalTimeoutMs = 700;
        if (kind == QLatin1String("no-headers")) {
            FakeOpenAiScript s;
            s.headerDelayMs = -1;
            m_fake->enqueue(s);
        } else if (kind == QLatin1String("silence")) {
            FakeOpenAiScript s;
            s.steps = { { 0, SseDecoder::encodeComment("keep-alive") } };
            s.end = FakeOpenAiScript::End::Hold;
            m_fake->enqueue(s);
        } else if (kind == QLatin1String("slow")) {
            QStringList many;
            for (int i = 0; i < 40; ++i)
                many << QStringLiteral("词");
            m_fake->enqueue(FakeOpenAiScript::chatStream(many, 100));
            c.firstTokenTimeoutMs = 5000;
        } else if (kind == QLatin1String("tls")) {
            if (!QSslSocket::supportsSsl())
                QSKIP("no TLS backend");
            // A plain-HTTP server never answers the TLS hello: the connection never completes.
            c.baseUrl.replace(QStringLiteral("http://"), QStringLiteral("https://"));
            c.firstTokenTimeoutMs = 5000;
        }
        OpenAiBackend backend(c);
        const CallResult r = call(backend, blocking);
        QCOMPARE(r.reply.error, LlmReply::Error::Timeout);
        QVERIFY2(r.reply.errorMessage.contains(messagePart), qPrintable(r.reply.errorMessage));
        // The deadline passed (it never fires early) and the call gave up before upstream ended.
        QVERIFY2(r.elapsedMs() >= 250, qPrintable(QString::number(r.elapsedMs())));
        if (kind == QLatin1String("slow"))
            QVERIFY(!r.reply.text.isEmpty()); // what came before the deadline is kept
        // Giving up closes the upstream connection.
        QTRY_COMPARE_WITH_TIMEOUT(m_fake->abortedStreams(), 1, 5000);
    }

    void httpErrors_data()
    {
        QTest::addColumn<bool>("blocking");
        QTest::addColumn<int>("status");
        QTest::addColumn<LlmReply::Error>("error");
        QTest::addColumn<QString>("providerMessage");
        for (bool blocking : { true, false }) {
            const char *mode = blocking ? "blocking" : "async";
            QTest::addRow("%s, 401", mode) << blocking << 401 << LlmReply::Error::Unauthorized
                                           << QStringLiteral("Incorrect API key provided");
            QTest::addRow("%s, 403", mode)
                << blocking << 403 << LlmReply::Error::Unauthorized << QStringLiteral("Forbidden region");
            QTest::addRow("%s, 429", mode) << blocking << 429 << LlmReply::Error::RateLimited
                                           << QStringLiteral("Rate limit reached for requests");
            QTest::addRow("%s, 500", mode)
                << blocking << 500 << LlmReply::Error::Upstream << QStringLiteral("The server had an error");
            QTest::addRow("%s, 400", mode)
                << blocking << 400 << LlmReply::Error::BadRequest << QStringLiteral("model not found");
        }
    }

    void httpErrors()
    {
        QFETCH(bool, blocking);
        QFETCH(int, status);
        QFETCH(LlmReply::Error, error);
        QFETCH(QString, providerMessage);
        // The provider echoes the key it rejected: it must not come back out of the backend.
        m_fake->enqueue(FakeOpenAiScript::error(status, providerMessage + QStringLiteral(": ") + TestKey,
                                                QStringLiteral("invalid_request_error"),
                                                QStringLiteral("code_x")));
        OpenAiBackend backend(config());
        const CallResult r = call(backend, blocking);
        QCOMPARE(r.reply.error, error);
        QCOMPARE(r.reply.upstreamStatus, status);
        QVERIFY2(r.reply.errorMessage.contains(providerMessage), qPrintable(r.reply.errorMessage));
        QVERIFY2(r.reply.errorMessage.contains(QStringLiteral("HTTP %1").arg(status)),
                 qPrintable(r.reply.errorMessage));
        QVERIFY(r.reply.errorMessage.contains(QStringLiteral("code_x")));
        QVERIFY(!r.reply.errorMessage.contains(TestKey));
    }

    void streamCut_data()
    {
        QTest::addColumn<bool>("blocking");
        QTest::addColumn<FakeOpenAiScript::Framing>("framing");
        for (bool blocking : { true, false }) {
            const char *mode = blocking ? "blocking" : "async";
            QTest::addRow("%s, chunked body cut", mode) << blocking << FakeOpenAiScript::Framing::Chunked;
            QTest::addRow("%s, close-delimited body cut", mode)
                << blocking << FakeOpenAiScript::Framing::Close;
        }
    }

    void streamCut()
    {
        QFETCH(bool, blocking);
        QFETCH(FakeOpenAiScript::Framing, framing);
        FakeOpenAiScript s = FakeOpenAiScript::chatStream({ QStringLiteral("半"), QStringLiteral("句") }, 5);
        s.steps.resize(3); // keep-alive and the two content chunks: no finish, no [DONE]
        s.framing = framing;
        s.end = FakeOpenAiScript::End::Cut;
        m_fake->enqueue(s);
        OpenAiBackend backend(config());
        const CallResult r = call(backend, blocking);
        QCOMPARE(r.reply.error, LlmReply::Error::Upstream);
        QVERIFY2(r.reply.errorMessage.contains(QStringLiteral("[DONE]")), qPrintable(r.reply.errorMessage));
        QCOMPARE(r.reply.text, QStringLiteral("半句"));
        QCOMPARE(r.deltas.size(), 2);
    }

    void connectionRefused_data() { addModes(); }

    void connectionRefused()
    {
        QFETCH(bool, blocking);
        quint16 port = 0;
        {
            QTcpServer probe; // a port that was free a moment ago and is closed now
            QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
            port = probe.serverPort();
        }
        OpenAiConfig c = config();
        c.baseUrl = QStringLiteral("http://127.0.0.1:%1/v1").arg(port);
        OpenAiBackend backend(c);
        const CallResult r = call(backend, blocking);
        QCOMPARE(r.reply.error, LlmReply::Error::Network);
        QVERIFY2(r.reply.errorMessage.startsWith(QStringLiteral("cannot reach http://127.0.0.1:")),
                 qPrintable(r.reply.errorMessage));
        QCOMPARE(r.reply.upstreamStatus, 0);
    }

    void cancelAbortsUpstream_data() { addModes(); }

    void cancelAbortsUpstream()
    {
        QFETCH(bool, blocking);
        QStringList many;
        for (int i = 0; i < 100; ++i)
            many << QStringLiteral("字");
        m_fake->enqueue(FakeOpenAiScript::chatStream(many, 50)); // ~5 s if nobody stops it
        QSignalSpy aborted(m_fake.get(), &FakeOpenAiServer::streamAborted);
        OpenAiBackend backend(config());
        CancelToken cancel;
        auto firstToken = std::make_shared<std::atomic<bool>>(false);
        const TokenSink sink = [firstToken](const QString &) { firstToken->store(true); };
        auto result = std::make_shared<std::optional<LlmReply>>();
        QFuture<LlmReply> future;
        if (blocking) {
            // The blocking call holds a pool thread, as in the executor mode; Stop comes from here.
            future = QtConcurrent::run(
                &m_pool, [&backend, sink, cancel] { return backend.complete(chatRequest(), sink, cancel); });
        } else {
            QCoro::connect(backend.completeAsync(chatRequest(), sink, cancel), this,
                           [result](const LlmReply &reply) { *result = reply; });
        }
        QTRY_VERIFY_WITH_TIMEOUT(firstToken->load(), 5000);
        cancel.cancel();
        if (blocking) {
            QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), 5000);
            *result = future.result();
        } else {
            QTRY_VERIFY_WITH_TIMEOUT(result->has_value(), 5000);
        }
        QCOMPARE((*result)->error, LlmReply::Error::Cancelled);
        // Stopped mid-stream: fewer than the 100 tokens upstream had to send.
        QVERIFY2((*result)->text.size() < 100, qPrintable((*result)->text));
        // The fake upstream sees its client go away in the middle of the stream.
        QVERIFY(aborted.count() == 1 || aborted.wait(5000));
        QCOMPARE(m_fake->abortedStreams(), 1);
    }

    void blockingAndAsyncAgree()
    {
        const QStringList deltas { QStringLiteral("同一个"), QStringLiteral("回答"), QStringLiteral(" ✓") };
        m_fake->setDefaultScript(FakeOpenAiScript::chatStream(deltas, 3, { QStringLiteral("思考") }));
        OpenAiBackend backend(config());
        const CallResult b = call(backend, true);
        const CallResult a = call(backend, false);
        QVERIFY(b.reply.ok());
        QVERIFY(a.reply.ok());
        QCOMPARE(b.reply.text, a.reply.text);
        QCOMPARE(b.deltas, a.deltas);
        QCOMPARE(b.reply.reasoning, a.reply.reasoning);
        QCOMPARE(b.reply.tokens, a.reply.tokens);
        QCOMPARE(b.reply.promptTokens, a.reply.promptTokens);
        // And the two sent the same request.
        const QList<FakeOpenAiRequest> requests = m_fake->requests();
        QCOMPARE(requests.size(), 2);
        QCOMPARE(requests[0].body, requests[1].body);
        QCOMPARE(requests[0].headers.value("authorization"), requests[1].headers.value("authorization"));
    }

    void requestFormat()
    {
        OpenAiConfig c = config();
        c.systemPrompt = QStringLiteral("你是助手");
        c.temperature = 0.25;
        c.baseUrl += QLatin1Char('/'); // a trailing slash is forgiven
        OpenAiBackend backend(c);
        QVERIFY(call(backend, true).reply.ok());
        const FakeOpenAiRequest request = m_fake->requests().value(0);
        QCOMPARE(request.method, QByteArray("POST"));
        QCOMPARE(request.path, QByteArray("/v1/chat/completions"));
        QCOMPARE(request.headers.value("authorization"), "Bearer " + TestKey.toUtf8());
        QVERIFY(request.headers.value("content-type").startsWith("application/json"));
        QCOMPARE(request.headers.value("accept"), QByteArray("text/event-stream"));
        const QJsonObject body = QJsonDocument::fromJson(request.body).object();
        QCOMPARE(body.value("model").toString(), QStringLiteral("fake-model"));
        QCOMPARE(body.value("stream").toBool(), true);
        QCOMPARE(body.value("temperature").toDouble(), 0.25);
        QCOMPARE(body.value("stream_options").toObject().value("include_usage").toBool(), true);
        const QJsonArray messages = body.value("messages").toArray();
        QCOMPARE(messages.size(), 2);
        QCOMPARE(messages[0].toObject().value("role").toString(), QStringLiteral("system"));
        QCOMPARE(messages[0].toObject().value("content").toString(), QStringLiteral("你是助手"));
        QCOMPARE(messages[1].toObject().value("content").toString(), QStringLiteral("你好"));
    }

    void noKeyNoHeader()
    {
        OpenAiConfig c = config();
        c.apiKey.clear(); // local servers (Ollama, llama.cpp, LM Studio) take no key
        OpenAiBackend backend(c);
        QVERIFY(call(backend, false).reply.ok());
        QVERIFY(!m_fake->requests().value(0).headers.contains("authorization"));
    }

    void missingKeyFailsBeforeConnecting()
    {
        OpenAiConfig c = config();
        c.provider = QStringLiteral("glm");
        c.apiKey.clear();
        OpenAiBackend backend(c);
        const CallResult r = call(backend, true);
        QCOMPARE(r.reply.error, LlmReply::Error::Unauthorized);
        QVERIFY(r.reply.errorMessage.contains(QStringLiteral("no API key")));
        QCOMPARE(m_fake->connectionCount(), 0);
    }

    void nonStreamedCompletion_data() { addModes(); }

    void nonStreamedCompletion()
    {
        QFETCH(bool, blocking);
        m_fake->enqueue(FakeOpenAiScript::completion(QStringLiteral("一次性的回答")));
        OpenAiBackend backend(config());
        const CallResult r = call(backend, blocking, chatRequest(false));
        QVERIFY2(r.reply.ok(), qPrintable(r.reply.errorMessage));
        QCOMPARE(r.reply.text, QStringLiteral("一次性的回答"));
        QVERIFY(r.deltas.isEmpty() || r.deltas.join(QString()) == r.reply.text);
        QCOMPARE(r.reply.completionTokens, 3);
        QVERIFY(r.reply.firstTokenNs > r.startNs && r.reply.firstTokenNs <= r.endNs);
        const QJsonObject body = QJsonDocument::fromJson(m_fake->requests().value(0).body).object();
        QCOMPARE(body.value("stream").toBool(true), false);
    }

    void blockingWorksOnPoolThreadAndDeliversThere()
    {
        OpenAiBackend backend(config());
        m_fake->enqueue(FakeOpenAiScript::chatStream({ QStringLiteral("x"), QStringLiteral("y") }, 5));
        QFuture<bool> future = QtConcurrent::run(&m_pool, [&backend] {
            QThread *self = QThread::currentThread();
            bool sameThread = true;
            const LlmReply reply = backend.complete(
                chatRequest(),
                [&](const QString &) { sameThread = sameThread && QThread::currentThread() == self; }, {});
            return reply.ok() && reply.text == QLatin1String("xy") && sameThread;
        });
        QTRY_VERIFY_WITH_TIMEOUT(future.isFinished(), 10000);
        QVERIFY(future.result());
    }

    void blockingDoesNotRunCallersEventLoop()
    {
        // In the blocking dispatch mode the caller is the server's event loop: while complete()
        // holds it, nothing else queued on that thread may run (no nested event loop).
        m_fake->enqueue(FakeOpenAiScript::chatStream({ QStringLiteral("a"), QStringLiteral("b") }, 20));
        OpenAiBackend backend(config());
        bool ran = false;
        QMetaObject::invokeMethod(
            this, [&ran] { ran = true; }, Qt::QueuedConnection);
        QVERIFY(call(backend, true).reply.ok());
        QVERIFY(!ran);
        QTRY_VERIFY(ran);
    }

    void asyncLeavesThreadFree()
    {
        m_fake->enqueue(FakeOpenAiScript::chatStream(
            { QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c") }, 60));
        OpenAiBackend backend(config());
        int ticks = 0;
        QTimer ticker;
        connect(&ticker, &QTimer::timeout, this, [&ticks] { ++ticks; });
        ticker.start(10);
        const CallResult r = call(backend, false);
        ticker.stop();
        QVERIFY(r.reply.ok());
        QVERIFY2(ticks >= 5, qPrintable(QString::number(ticks))); // ~40 possible in ~400 ms
    }

    void concurrentCallsAreNotCapped_data() { addModes(); }

    void concurrentCallsAreNotCapped()
    {
        // Ten calls of ~400 ms at once overlap fully: no per-host connection limit queues them.
        // Shape, not speed: some instant lies inside every call (the last to start started before
        // the first to end ended); queued calls would run one after another.
        QFETCH(bool, blocking);
        constexpr int N = 10;
        m_fake->setDefaultScript(
            FakeOpenAiScript::chatStream({ QStringLiteral("a"), QStringLiteral("b") }, 80));
        OpenAiBackend backend(config());
        auto done = std::make_shared<std::atomic<int>>(0);
        auto ok = std::make_shared<std::atomic<int>>(0);
        auto lastStart = std::make_shared<std::atomic<qint64>>(0);
        auto firstEnd = std::make_shared<std::atomic<qint64>>(std::numeric_limits<qint64>::max());
        const auto finished = [done, ok, firstEnd](bool replyOk) {
            qint64 now = TraceClock::nowNs(), seen = firstEnd->load();
            while (now < seen && !firstEnd->compare_exchange_weak(seen, now)) { }
            if (replyOk)
                ++*ok;
            ++*done;
        };
        const auto started = [lastStart] {
            qint64 now = TraceClock::nowNs(), seen = lastStart->load();
            while (now > seen && !lastStart->compare_exchange_weak(seen, now)) { }
        };
        QList<QFuture<void>> futures;
        for (int i = 0; i < N; ++i) {
            if (blocking) {
                futures << QtConcurrent::run(&m_pool, [&backend, started, finished] {
                    started();
                    finished(backend.complete(chatRequest(), {}, {}).ok());
                });
            } else {
                started();
                QCoro::connect(backend.completeAsync(chatRequest(), {}, {}), this,
                               [finished](const LlmReply &r) { finished(r.ok()); });
            }
        }
        QTRY_COMPARE_WITH_TIMEOUT(done->load(), N, 20000);
        QCOMPARE(ok->load(), N);
        QCOMPARE(m_fake->connectionCount(), N);
        QVERIFY2(lastStart->load() < firstEnd->load(),
                 qPrintable(QStringLiteral("the last call started %1 ms after the first ended")
                                .arg(TraceClock::nsToMs(lastStart->load() - firstEnd->load()))));
    }
};

QTEST_GUILESS_MAIN(TestOpenAiBackend)
#include "tst_openaibackend.moc"
