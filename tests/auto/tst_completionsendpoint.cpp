// Our server as an OpenAI-compatible endpoint: POST /v1/chat/completions (whole and streamed) and
// GET /v1/models, in every dispatch mode, read back with the project's own SSE decoder and chunk
// parser; key check, admission limit, tracing, and `serve --llm openai` relaying a fake upstream,
// whose failures reach our client as 502/504.
#include "cli/serveroptions.h"
#include "fakeopenaiserver.h"
#include "http/chatserver.h"
#include "llm/openaichunk.h"
#include "llm/ssedecoder.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTemporaryDir>
#include <QTest>

namespace {

const QString ServerKey = QStringLiteral("test-server-key");
const char *UpstreamKeyVar = "LOOPSCOPE_TEST_UPSTREAM_KEY";
const QByteArray UpstreamKey = "sk-upstream-secret-42";

struct HttpResult
{
    bool finished = false;
    int status = 0;
    QByteArray contentType;
    QByteArray body;

    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
    QJsonObject error() const { return json().value(QLatin1String("error")).toObject(); }
};

struct StreamResult
{
    QList<OpenAiChunk> chunks; // every data event, [DONE] included
    QList<QJsonObject> objects; // the JSON of each chunk (not [DONE])
    QString text;
    bool parsedAll = true;
};

// Decodes an SSE body fed in awkward pieces (3 bytes at a time: mid-line, mid-character).
StreamResult decodeStream(const QByteArray &body)
{
    StreamResult r;
    SseDecoder decoder;
    QList<SseEvent> events;
    for (qsizetype i = 0; i < body.size(); i += 3)
        events += decoder.feed(QByteArrayView(body).sliced(i, std::min<qsizetype>(3, body.size() - i)));
    events += decoder.finish();
    for (const SseEvent &e : events) {
        const std::optional<OpenAiChunk> chunk = OpenAiChunk::parse(e.data);
        if (!chunk) {
            r.parsedAll = false;
            continue;
        }
        r.chunks << *chunk;
        if (!chunk->done)
            r.objects << QJsonDocument::fromJson(e.data).object();
        r.text += chunk->content;
    }
    return r;
}

QByteArray completionBody(const QString &message, bool stream, bool includeUsage = false,
                          const QJsonObject &extra = {})
{
    QJsonObject o { { QStringLiteral("model"), QStringLiteral("test-model") },
                    { QStringLiteral("messages"),
                      QJsonArray {
                          QJsonObject { { QStringLiteral("role"), QStringLiteral("system") },
                                        { QStringLiteral("content"), QStringLiteral("Be brief.") } },
                          QJsonObject { { QStringLiteral("role"), QStringLiteral("user") },
                                        { QStringLiteral("content"), QStringLiteral("earlier question") } },
                          QJsonObject { { QStringLiteral("role"), QStringLiteral("assistant") },
                                        { QStringLiteral("content"), QStringLiteral("earlier answer") } },
                          QJsonObject { { QStringLiteral("role"), QStringLiteral("user") },
                                        { QStringLiteral("content"), message } } } },
                    { QStringLiteral("stream"), stream } };
    if (includeUsage)
        o.insert(QStringLiteral("stream_options"), QJsonObject { { QStringLiteral("include_usage"), true } });
    for (auto it = extra.begin(); it != extra.end(); ++it)
        o.insert(it.key(), it.value());
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

void addModes()
{
    QTest::addColumn<DispatchMode>("mode");
    QTest::addRow("blocking") << DispatchMode::Blocking;
    QTest::addRow("executor") << DispatchMode::Executor;
    QTest::addRow("async") << DispatchMode::Async;
}

} // namespace

class TestCompletionsEndpoint : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<ChatServer> m_server;
    std::unique_ptr<FakeOpenAiServer> m_fake;
    QNetworkAccessManager m_nam;

    ServerConfig config(DispatchMode mode) const
    {
        ServerConfig c;
        c.port = 0;
        c.mode = mode;
        c.apiKey = ServerKey;
        c.dbPath = m_dir.filePath(QStringLiteral("history.db"));
        c.timeScale = 0.01; // the simulated 2 s call takes 20 ms
        return c;
    }

    bool startServer(const ServerConfig &c, std::shared_ptr<LlmBackend> backend = nullptr)
    {
        m_server = std::make_unique<ChatServer>();
        m_server->setLlmBackend(std::move(backend));
        QString error;
        const bool ok = m_server->start(c, &error);
        if (!ok)
            qWarning("%s", qPrintable(error));
        return ok;
    }

    QNetworkReply *send(const QByteArray &verb, const QString &path, const QByteArray &body = {},
                        const QList<std::pair<QByteArray, QByteArray>> &headers
                        = { { "Authorization", "Bearer " + ServerKey.toUtf8() } })
    {
        QNetworkRequest request(QUrl(m_server->url().toString() + path));
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        for (const auto &[name, value] : headers)
            request.setRawHeader(name, value);
        return m_nam.sendCustomRequest(request, verb, body);
    }

    static HttpResult collect(QNetworkReply *reply, int timeoutMs = 15000)
    {
        HttpResult r;
        r.finished = QTest::qWaitFor([reply] { return reply->isFinished(); }, timeoutMs);
        r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        r.contentType = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
        r.body = reply->readAll();
        reply->deleteLater();
        return r;
    }

    HttpResult request(const QByteArray &verb, const QString &path, const QByteArray &body = {},
                       const QList<std::pair<QByteArray, QByteArray>> &headers
                       = { { "Authorization", "Bearer " + ServerKey.toUtf8() } })
    {
        return collect(send(verb, path, body, headers));
    }

    // OpenAI's error shape: {"error": {"message", "type", "param", "code"}}.
    static void checkErrorShape(const HttpResult &r, int status, const QString &type)
    {
        QCOMPARE(r.status, status);
        QVERIFY2(r.contentType.startsWith("application/json"), r.contentType.constData());
        const QJsonObject e = r.error();
        QVERIFY2(!e.isEmpty(), r.body.constData());
        QVERIFY(!e.value(QLatin1String("message")).toString().isEmpty());
        QCOMPARE(e.value(QLatin1String("type")).toString(), type);
        QVERIFY(e.contains(QLatin1String("param")));
        QVERIFY(e.contains(QLatin1String("code")));
    }

    // `loopscope serve --llm openai ...` pointed at the fake upstream, read as the command reads it.
    std::shared_ptr<LlmBackend> upstreamBackend(const QStringList &extra = {})
    {
        QCommandLineParser parser;
        ServerOptions::add(parser);
        QStringList args { QStringLiteral("loopscope"),
                           QStringLiteral("--llm"),
                           QStringLiteral("openai"),
                           QStringLiteral("--llm-base-url"),
                           m_fake->baseUrl(),
                           QStringLiteral("--llm-model"),
                           QStringLiteral("fake-model"),
                           QStringLiteral("--llm-api-key-env"),
                           QString::fromLatin1(UpstreamKeyVar),
                           QStringLiteral("--llm-first-token-timeout"),
                           QStringLiteral("0.4"),
                           QStringLiteral("--llm-timeout"),
                           QStringLiteral("3") };
        if (!parser.parse(args + extra))
            return nullptr;
        LlmChoice choice;
        QString error;
        if (!ServerOptions::readLlm(parser, &choice, &error)) {
            qWarning("%s", qPrintable(error));
            return nullptr;
        }
        return makeLlmBackend(choice);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        qputenv(UpstreamKeyVar, UpstreamKey);
    }

    void cleanup()
    {
        if (m_server)
            m_server->stop(2000);
        m_server.reset();
        m_fake.reset();
    }

    void wholeCompletion_data() { addModes(); }
    void wholeCompletion()
    {
        QFETCH(DispatchMode, mode);
        QVERIFY(startServer(config(mode)));
        const HttpResult r = request("POST", QStringLiteral("/v1/chat/completions"),
                                     completionBody(QStringLiteral("你好, whole"), false));
        QVERIFY(r.finished);
        QCOMPARE(r.status, 200);
        QVERIFY(r.contentType.startsWith("application/json"));
        const QJsonObject o = r.json();
        QCOMPARE(o.value(QLatin1String("object")).toString(), QStringLiteral("chat.completion"));
        QVERIFY(o.value(QLatin1String("id")).toString().startsWith(QLatin1String("chatcmpl-")));
        QCOMPARE(o.value(QLatin1String("model")).toString(), QStringLiteral("test-model"));
        QVERIFY(o.value(QLatin1String("created")).toInteger() > 1'600'000'000);
        const QJsonObject choice = o.value(QLatin1String("choices")).toArray().at(0).toObject();
        QCOMPARE(choice.value(QLatin1String("index")).toInt(-1), 0);
        QCOMPARE(choice.value(QLatin1String("finish_reason")).toString(), QStringLiteral("stop"));
        const QJsonObject message = choice.value(QLatin1String("message")).toObject();
        QCOMPARE(message.value(QLatin1String("role")).toString(), QStringLiteral("assistant"));
        QVERIFY(message.value(QLatin1String("content")).toString().contains(QStringLiteral("你好, whole")));
        const QJsonObject usage = o.value(QLatin1String("usage")).toObject();
        QVERIFY(usage.value(QLatin1String("completion_tokens")).toInt() > 0);
        QVERIFY(usage.value(QLatin1String("prompt_tokens")).toInt() > 0);
        QCOMPARE(usage.value(QLatin1String("total_tokens")).toInt(),
                 usage.value(QLatin1String("prompt_tokens")).toInt()
                     + usage.value(QLatin1String("completion_tokens")).toInt());
        // The project's own parser reads it as a provider's reply.
        const std::optional<OpenAiChunk> parsed = OpenAiChunk::parseCompletion(r.body);
        QVERIFY(parsed);
        QCOMPARE(parsed->content, message.value(QLatin1String("content")).toString());
        QCOMPARE(parsed->finishReason, QStringLiteral("stop"));
        // Where it ran, for the timeline: an extension clients ignore.
        const QJsonObject where = o.value(QLatin1String("loopscope")).toObject();
        QCOMPARE(where.value(QLatin1String("mode")).toString(), dispatchModeName(mode));
        QCOMPARE(where.value(QLatin1String("thread")).toString().startsWith(QLatin1String("pool-")),
                 mode == DispatchMode::Executor);
    }

    // The whole reply is written without QJsonObject: it parses, every member is there with the
    // right value (quotes, backslashes, newlines, tabs, control characters, Chinese and emoji
    // escaped or kept as JSON wants), nothing else is, and the bytes are what QJsonDocument writes
    // for the same members.
    void wholeCompletionEscapes()
    {
        QVERIFY(startServer(config(DispatchMode::Async)));
        const QString said
            = QStringLiteral("say \"hi\" \\ back\nline two\ttab \u0001\u001f 你好 🚀 é </script>");
        const HttpResult r
            = request("POST", QStringLiteral("/v1/chat/completions"), completionBody(said, false));
        QVERIFY(r.finished);
        QCOMPARE(r.status, 200);
        QVERIFY(r.body.endsWith("}\n"));
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(r.body, &parseError);
        QVERIFY2(parseError.error == QJsonParseError::NoError, qPrintable(parseError.errorString()));
        const QJsonObject o = doc.object();
        const QString content = o.value(QLatin1String("choices"))
                                    .toArray()
                                    .at(0)
                                    .toObject()
                                    .value(QLatin1String("message"))
                                    .toObject()
                                    .value(QLatin1String("content"))
                                    .toString();
        QVERIFY2(content.contains(said), qPrintable(content)); // the simulated model quotes the message
        QVERIFY(r.body.contains(R"(say \"hi\" \\ back\nline two\ttab \u0001\u001f )"));
        QVERIFY(r.body.contains("你好 🚀 é"));
        const QJsonObject usage = o.value(QLatin1String("usage")).toObject();
        QJsonObject expected = OpenAiWire::makeCompletion(
            o.value(QLatin1String("id")).toString(), QStringLiteral("test-model"),
            o.value(QLatin1String("created")).toInteger(), content, QStringLiteral("stop"),
            usage.value(QLatin1String("prompt_tokens")).toInt(),
            usage.value(QLatin1String("completion_tokens")).toInt());
        const QJsonObject where = o.value(QLatin1String("loopscope")).toObject();
        QCOMPARE(
            where.keys(),
            (QStringList { QStringLiteral("mode"), QStringLiteral("request_id"), QStringLiteral("session_id"),
                           QStringLiteral("thread"), QStringLiteral("worker") }));
        QCOMPARE(where.value(QLatin1String("mode")).toString(), QStringLiteral("async"));
        QVERIFY(where.value(QLatin1String("request_id")).toString().toULongLong() > 0);
        QVERIFY(where.value(QLatin1String("worker")).isDouble());
        expected.insert(QStringLiteral("loopscope"), where);
        QCOMPARE(o, expected);
        QCOMPARE(r.body, QJsonDocument(expected).toJson(QJsonDocument::Compact) + '\n');
    }

    void streamMatchesWhole_data() { addModes(); }
    void streamMatchesWhole()
    {
        QFETCH(DispatchMode, mode);
        QVERIFY(startServer(config(mode)));
        const QString message = QStringLiteral("流式 stream ✓");
        const HttpResult whole
            = request("POST", QStringLiteral("/v1/chat/completions"), completionBody(message, false));
        QCOMPARE(whole.status, 200);
        const QString wholeText = OpenAiChunk::parseCompletion(whole.body)->content;

        const HttpResult r
            = request("POST", QStringLiteral("/v1/chat/completions"), completionBody(message, true, true));
        QVERIFY(r.finished);
        QCOMPARE(r.status, 200);
        QVERIFY2(r.contentType.startsWith("text/event-stream"), r.contentType.constData());
        QVERIFY2(r.body.endsWith("data: [DONE]\n\n"), r.body.right(80).constData());
        const StreamResult s = decodeStream(r.body);
        QVERIFY(s.parsedAll);
        QVERIFY(s.chunks.size() >= 4);
        QCOMPARE(s.text, wholeText);
        QVERIFY(s.chunks.last().done);

        // First chunk: the assistant role; then content deltas; then finish_reason; then usage.
        const QJsonObject first = s.objects.first();
        QCOMPARE(first.value(QLatin1String("choices"))
                     .toArray()
                     .at(0)
                     .toObject()
                     .value(QLatin1String("delta"))
                     .toObject()
                     .value(QLatin1String("role"))
                     .toString(),
                 QStringLiteral("assistant"));
        const QString id = s.chunks.first().id;
        QVERIFY(id.startsWith(QLatin1String("chatcmpl-")));
        for (const QJsonObject &o : s.objects) {
            QCOMPARE(o.value(QLatin1String("object")).toString(), QStringLiteral("chat.completion.chunk"));
            QCOMPARE(o.value(QLatin1String("id")).toString(), id);
            QCOMPARE(o.value(QLatin1String("model")).toString(), QStringLiteral("test-model"));
        }
        const OpenAiChunk &usage = s.chunks[s.chunks.size() - 2];
        QVERIFY(usage.hasUsage);
        QVERIFY(s.objects.last().value(QLatin1String("choices")).toArray().isEmpty());
        QCOMPARE(usage.completionTokens, OpenAiChunk::parseCompletion(whole.body)->completionTokens);
        QCOMPARE(s.chunks[s.chunks.size() - 3].finishReason, QStringLiteral("stop"));
        int finishes = 0;
        for (const OpenAiChunk &c : s.chunks)
            finishes += c.finishReason.isEmpty() ? 0 : 1;
        QCOMPARE(finishes, 1);
    }

    void streamWithoutUsage()
    {
        QVERIFY(startServer(config(DispatchMode::Async)));
        const HttpResult r = request("POST", QStringLiteral("/v1/chat/completions"),
                                     completionBody(QStringLiteral("hi"), true, false));
        QCOMPARE(r.status, 200);
        const StreamResult s = decodeStream(r.body);
        for (const OpenAiChunk &c : s.chunks)
            QVERIFY(!c.hasUsage);
        QVERIFY(s.chunks.last().done);
    }

    void models()
    {
        QVERIFY(startServer(config(DispatchMode::Async)));
        HttpResult r = request("GET", QStringLiteral("/v1/models"));
        QCOMPARE(r.status, 200);
        QJsonObject o = r.json();
        QCOMPARE(o.value(QLatin1String("object")).toString(), QStringLiteral("list"));
        const QJsonArray data = o.value(QLatin1String("data")).toArray();
        QCOMPARE(data.size(), 1);
        const QJsonObject model = data.at(0).toObject();
        QCOMPARE(model.value(QLatin1String("id")).toString(), QStringLiteral("loopscope"));
        QCOMPARE(model.value(QLatin1String("object")).toString(), QStringLiteral("model"));
        QVERIFY(model.contains(QLatin1String("owned_by")));
        QCOMPARE(model.value(QLatin1String("backend")).toString(), QStringLiteral("simulated"));

        r = request("GET", QStringLiteral("/v1/models/loopscope"));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.json().value(QLatin1String("id")).toString(), QStringLiteral("loopscope"));
        checkErrorShape(request("GET", QStringLiteral("/v1/models/nope")), 404,
                        QStringLiteral("not_found_error"));
        checkErrorShape(request("GET", QStringLiteral("/v1/models"), {}, {}), 401,
                        QStringLiteral("authentication_error"));
    }

    void keyCheck_data()
    {
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<QByteArray>("value");
        QTest::addColumn<int>("status");
        QTest::addRow("bearer") << QByteArray("Authorization") << "Bearer " + ServerKey.toUtf8() << 200;
        QTest::addRow("x-api-key") << QByteArray("X-API-Key") << ServerKey.toUtf8() << 200;
        QTest::addRow("wrong bearer") << QByteArray("Authorization") << QByteArray("Bearer nope") << 401;
        QTest::addRow("not bearer") << QByteArray("Authorization") << "Basic " + ServerKey.toUtf8() << 401;
        QTest::addRow("no key") << QByteArray("X-Nothing") << QByteArray("x") << 401;
    }
    void keyCheck()
    {
        QFETCH(QByteArray, header);
        QFETCH(QByteArray, value);
        QFETCH(int, status);
        QVERIFY(startServer(config(DispatchMode::Async)));
        const HttpResult r = request("POST", QStringLiteral("/v1/chat/completions"),
                                     completionBody(QStringLiteral("hi"), false), { { header, value } });
        if (status == 200) {
            QCOMPARE(r.status, 200);
        } else {
            checkErrorShape(r, 401, QStringLiteral("authentication_error"));
        }
    }

    void badRequests_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("messagePart");
        QTest::addRow("malformed JSON") << QByteArray("{\"messages\": [") << QStringLiteral("malformed JSON");
        QTest::addRow("not an object") << QByteArray("[1, 2]") << QStringLiteral("JSON object");
        QTest::addRow("missing messages") << QByteArray("{\"model\":\"m\"}") << QStringLiteral("messages");
        QTest::addRow("empty messages") << QByteArray("{\"messages\":[]}") << QStringLiteral("messages");
        QTest::addRow("messages not an array")
            << QByteArray("{\"messages\":\"hi\"}") << QStringLiteral("messages");
        QTest::addRow("no user message")
            << QByteArray("{\"messages\":[{\"role\":\"system\",\"content\":\"x\"}]}")
            << QStringLiteral("role 'user'");
        QTest::addRow("message without role")
            << QByteArray("{\"messages\":[{\"content\":\"x\"}]}") << QStringLiteral("role");
        QTest::addRow("stream not a bool")
            << QByteArray("{\"stream\":\"yes\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")
            << QStringLiteral("stream");
        QTest::addRow("n = 2") << QByteArray("{\"n\":2,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}")
                               << QStringLiteral("n = 1");
        QTest::addRow("lone surrogate in content")
            << QByteArray(R"({"messages":[{"role":"user","content":"\ud800"}]})")
            << QStringLiteral("Unicode");
        QTest::addRow("lone surrogate in an earlier message") << QByteArray(
            R"({"messages":[{"role":"system","content":"a\udc00"},{"role":"user","content":"x"}]})")
                                                              << QStringLiteral("messages[0]");
        QTest::addRow("lone surrogate in a content part")
            << QByteArray(R"({"messages":[{"role":"user","content":[{"type":"text","text":"\ud83d"}]}]})")
            << QStringLiteral("Unicode");
        QTest::addRow("lone surrogate in user")
            << QByteArray(R"({"user":"\ud800","messages":[{"role":"user","content":"x"}]})")
            << QStringLiteral("'user'");
    }
    void badRequests()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, messagePart);
        QVERIFY(startServer(config(DispatchMode::Async)));
        const HttpResult r = request("POST", QStringLiteral("/v1/chat/completions"), body);
        checkErrorShape(r, 400, QStringLiteral("invalid_request_error"));
        QVERIFY2(r.error().value(QLatin1String("message")).toString().contains(messagePart),
                 r.body.constData());
        QCOMPARE(m_server->counters()->inFlight.load(), 0);
    }

    void contentParts()
    {
        // content as an array of parts, as newer clients send it
        QVERIFY(startServer(config(DispatchMode::Async)));
        const QByteArray body
            = R"({"messages":[{"role":"user","content":[{"type":"text","text":"part one"}]}]})";
        const HttpResult r = request("POST", QStringLiteral("/v1/chat/completions"), body);
        QCOMPARE(r.status, 200);
        QVERIFY(OpenAiChunk::parseCompletion(r.body)->content.contains(QStringLiteral("part one")));
    }

    void admissionLimit()
    {
        ServerConfig c = config(DispatchMode::Async);
        c.maxInFlight = 1;
        c.llm.latency.mean = 100; // 1 s at this time scale
        QVERIFY(startServer(c));
        QNetworkReply *first = send("POST", QStringLiteral("/v1/chat/completions"),
                                    completionBody(QStringLiteral("a"), false));
        QTRY_COMPARE_WITH_TIMEOUT(m_server->counters()->inFlight.load(), 1, 5000);
        const HttpResult second = request("POST", QStringLiteral("/v1/chat/completions"),
                                          completionBody(QStringLiteral("b"), true));
        checkErrorShape(second, 503, QStringLiteral("server_error"));
        QCOMPARE(second.error().value(QLatin1String("code")).toString(), QStringLiteral("over_capacity"));
        QCOMPARE(collect(first).status, 200);
    }

    void traced_data() { addModes(); }
    void traced()
    {
        QFETCH(DispatchMode, mode);
        QVERIFY(startServer(config(mode)));
        const quint64 before = m_server->recorder()->count();
        QCOMPARE(
            request("POST", QStringLiteral("/v1/chat/completions"), completionBody(QStringLiteral("t"), true))
                .status,
            200);
        QCOMPARE(request("POST", QStringLiteral("/v1/chat/completions"),
                         completionBody(QStringLiteral("t"), false, false,
                                        { { QStringLiteral("user"), QStringLiteral("alice") } }))
                     .status,
                 200);
        QList<RequestRecord> records;
        QTRY_VERIFY_WITH_TIMEOUT(
            (records = m_server->recorder()->readFrom(before)).size() == 2 && records[1].finished(), 5000);
        for (const RequestRecord &r : records) {
            QCOMPARE(r.endpoint, Endpoint::Completions);
            QCOMPARE(r.mode, mode);
            QCOMPARE(int(r.status), 200);
            QVERIFY(r.spanCount > 0);
            QVERIFY(r.responseBytes > 0);
        }
        QVERIFY(records[0].firstTokenNs > 0); // streamed
        QCOMPARE(records[0].userId(), QStringLiteral("openai-client"));
        QCOMPARE(records[1].userId(), QStringLiteral("alice"));
    }

    void sessionExtension()
    {
        // session_id keeps the exchange in a conversation the native API can list.
        QVERIFY(startServer(config(DispatchMode::Async)));
        const QJsonObject extra { { QStringLiteral("user"), QStringLiteral("bob") },
                                  { QStringLiteral("session_id"), QStringLiteral("sess-openai-1") } };
        QCOMPARE(request("POST", QStringLiteral("/v1/chat/completions"),
                         completionBody(QStringLiteral("remember me"), false, false, extra))
                     .status,
                 200);
        const HttpResult r = request("GET", QStringLiteral("/v1/conversations/sess-openai-1/messages"));
        QCOMPARE(r.status, 200);
        const QJsonArray messages = r.json().value(QLatin1String("messages")).toArray();
        QCOMPARE(messages.size(), 2);
        QCOMPARE(messages.at(0).toObject().value(QLatin1String("content")).toString(),
                 QStringLiteral("remember me"));
    }

    // --- relaying a real (fake) upstream -------------------------------------------------------

    void relaysUpstream_data()
    {
        QTest::addColumn<DispatchMode>("mode");
        QTest::addColumn<bool>("stream");
        for (auto [name, mode] : { std::pair { "blocking", DispatchMode::Blocking },
                                   std::pair { "executor", DispatchMode::Executor },
                                   std::pair { "async", DispatchMode::Async } }) {
            QTest::addRow("%s, whole", name) << mode << false;
            QTest::addRow("%s, stream", name) << mode << true;
        }
    }
    void relaysUpstream()
    {
        QFETCH(DispatchMode, mode);
        QFETCH(bool, stream);
        m_fake = std::make_unique<FakeOpenAiServer>();
        const QStringList deltas { QStringLiteral("Hel"), QStringLiteral("lo, "), QStringLiteral("wörld"),
                                   QStringLiteral(" 上游") };
        m_fake->enqueue(stream ? FakeOpenAiScript::chatStream(deltas, 5)
                               : FakeOpenAiScript::completion(deltas.join(QString())));
        auto backend = upstreamBackend();
        QVERIFY(backend);
        QCOMPARE(backend->name(), QStringLiteral("openai"));
        QVERIFY(startServer(config(mode), backend));

        const HttpResult r = request("POST", QStringLiteral("/v1/chat/completions"),
                                     completionBody(QStringLiteral("relay"), stream, true));
        QCOMPARE(r.status, 200);
        const QString text
            = stream ? decodeStream(r.body).text : OpenAiChunk::parseCompletion(r.body)->content;
        QCOMPARE(text, deltas.join(QString()));
        if (stream)
            QVERIFY(r.body.endsWith("data: [DONE]\n\n"));

        // The upstream saw our model, the key from the environment variable, and the user's message.
        const QList<FakeOpenAiRequest> seen = m_fake->requests();
        QCOMPARE(seen.size(), 1);
        QCOMPARE(seen[0].path, QByteArray("/v1/chat/completions"));
        QCOMPARE(seen[0].headers.value("authorization"), "Bearer " + UpstreamKey);
        const QJsonObject upstreamBody = QJsonDocument::fromJson(seen[0].body).object();
        QCOMPARE(upstreamBody.value(QLatin1String("model")).toString(), QStringLiteral("fake-model"));
        const QJsonArray sent = upstreamBody.value(QLatin1String("messages")).toArray();
        QCOMPARE(sent.last().toObject().value(QLatin1String("content")).toString(), QStringLiteral("relay"));

        const HttpResult models = request("GET", QStringLiteral("/v1/models"));
        QCOMPARE(models.json()
                     .value(QLatin1String("data"))
                     .toArray()
                     .at(0)
                     .toObject()
                     .value(QLatin1String("backend"))
                     .toString(),
                 QStringLiteral("openai"));
    }

    void upstreamFailures_data()
    {
        QTest::addColumn<DispatchMode>("mode");
        QTest::addColumn<bool>("stream");
        QTest::addColumn<QString>("failure");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("code");
        for (auto [name, mode] : { std::pair { "blocking", DispatchMode::Blocking },
                                   std::pair { "executor", DispatchMode::Executor },
                                   std::pair { "async", DispatchMode::Async } }) {
            for (bool stream : { false, true }) {
                const char *how = stream ? "stream" : "whole";
                QTest::addRow("%s, %s, upstream 500", name, how)
                    << mode << stream << QStringLiteral("500") << 502 << QStringLiteral("llm_upstream_error");
                QTest::addRow("%s, %s, upstream stalls", name, how)
                    << mode << stream << QStringLiteral("stall") << 504 << QStringLiteral("llm_timeout");
            }
        }
    }
    void upstreamFailures()
    {
        QFETCH(DispatchMode, mode);
        QFETCH(bool, stream);
        QFETCH(QString, failure);
        QFETCH(int, status);
        QFETCH(QString, code);
        m_fake = std::make_unique<FakeOpenAiServer>();
        if (failure == QLatin1String("500")) {
            m_fake->enqueue(FakeOpenAiScript::error(500, QStringLiteral("the model crashed"),
                                                    QStringLiteral("server_error")));
        } else {
            FakeOpenAiScript s;
            s.headerDelayMs = -1; // never answers
            m_fake->enqueue(s);
        }
        auto backend = upstreamBackend();
        QVERIFY(backend);
        QVERIFY(startServer(config(mode), backend));
        // No token came before the failure, so even a streamed request gets a real status.
        const HttpResult r = request("POST", QStringLiteral("/v1/chat/completions"),
                                     completionBody(QStringLiteral("x"), stream));
        checkErrorShape(r, status, QStringLiteral("server_error"));
        QCOMPARE(r.error().value(QLatin1String("code")).toString(), code);
        if (failure == QLatin1String("500"))
            QVERIFY2(r.error()
                         .value(QLatin1String("message"))
                         .toString()
                         .contains(QStringLiteral("the model crashed")),
                     r.body.constData());
        QTRY_COMPARE_WITH_TIMEOUT(m_server->counters()->inFlight.load(), 0, 5000);
    }

    void upstreamCutMidStream()
    {
        // Tokens already went out with a 200: the failure arrives as an OpenAI "error" event, no [DONE].
        m_fake = std::make_unique<FakeOpenAiServer>();
        FakeOpenAiScript s
            = FakeOpenAiScript::chatStream({ QStringLiteral("partial "), QStringLiteral("answer") }, 5);
        s.steps = s.steps.mid(0, 3); // keep-alive and two content chunks, then the connection drops
        s.end = FakeOpenAiScript::End::Cut;
        m_fake->enqueue(s);
        auto backend = upstreamBackend();
        QVERIFY(backend);
        QVERIFY(startServer(config(DispatchMode::Async), backend));
        const HttpResult r = request("POST", QStringLiteral("/v1/chat/completions"),
                                     completionBody(QStringLiteral("x"), true));
        QCOMPARE(r.status, 200);
        const StreamResult d = decodeStream(r.body);
        for (const OpenAiChunk &c : d.chunks)
            QVERIFY(!c.done);
        QCOMPARE(d.text, QStringLiteral("partial answer"));
        const QJsonObject last = d.objects.isEmpty() ? QJsonObject() : d.objects.last();
        QVERIFY2(last.contains(QLatin1String("error")), r.body.constData());
        QCOMPARE(last.value(QLatin1String("error")).toObject().value(QLatin1String("type")).toString(),
                 QStringLiteral("server_error"));
    }

    void clientGoneAbortsUpstream_data()
    {
        // Blocking mode is left out on purpose: its loop is inside the call and cannot see the
        // disconnect until the call returns (the seeds' pseudo-async, shown as it is).
        QTest::addColumn<DispatchMode>("mode");
        QTest::addRow("executor") << DispatchMode::Executor;
        QTest::addRow("async") << DispatchMode::Async;
    }
    void clientGoneAbortsUpstream()
    {
        QFETCH(DispatchMode, mode);
        m_fake = std::make_unique<FakeOpenAiServer>();
        QStringList many;
        for (int i = 0; i < 50; ++i)
            many << QStringLiteral("tok ");
        m_fake->enqueue(FakeOpenAiScript::chatStream(many, 100)); // 5 s in all
        auto backend = upstreamBackend({ QStringLiteral("--llm-timeout"), QStringLiteral("20") });
        QVERIFY(backend);
        QVERIFY(startServer(config(mode), backend));
        QNetworkReply *reply
            = send("POST", QStringLiteral("/v1/chat/completions"), completionBody(QStringLiteral("x"), true));
        QByteArray got;
        connect(reply, &QNetworkReply::readyRead, this, [&] { got += reply->readAll(); });
        QTRY_VERIFY_WITH_TIMEOUT(got.contains("tok"), 5000);
        reply->abort();
        reply->deleteLater();
        QTRY_COMPARE_WITH_TIMEOUT(m_fake->abortedStreams(), 1, 3000);
        QTRY_COMPARE_WITH_TIMEOUT(m_server->counters()->inFlight.load(), 0, 3000);
    }

    // --- the command line ----------------------------------------------------------------------

    void commandLine_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QString>("messagePart");
        QTest::addRow("default simulated") << QStringList {} << true << QString();
        QTest::addRow("provider option without --llm openai")
            << QStringList { QStringLiteral("--llm-base-url"), QStringLiteral("http://x/v1") } << false
            << QStringLiteral("--llm openai");
        QTest::addRow("unknown kind") << QStringList { QStringLiteral("--llm"), QStringLiteral("gpt") }
                                      << false << QStringLiteral("provider one of");
        QTest::addRow("custom without URL")
            << QStringList { QStringLiteral("--llm"), QStringLiteral("openai") } << false
            << QStringLiteral("--llm-base-url");
        QTest::addRow("bad URL") << QStringList { QStringLiteral("--llm"),          QStringLiteral("openai"),
                                                  QStringLiteral("--llm-base-url"), QStringLiteral("ftp://x"),
                                                  QStringLiteral("--llm-model"),    QStringLiteral("m") }
                                 << false << QStringLiteral("http(s)");
        QTest::addRow("glm without its key") << QStringList { QStringLiteral("--llm"),
                                                              QStringLiteral("openai"),
                                                              QStringLiteral("--llm-provider"),
                                                              QStringLiteral("glm"),
                                                              QStringLiteral("--llm-api-key-env"),
                                                              QStringLiteral("LOOPSCOPE_TEST_UNSET_VAR") }
                                             << false << QStringLiteral("LOOPSCOPE_TEST_UNSET_VAR");
        QTest::addRow("glm with its key")
            << QStringList { QStringLiteral("--llm"), QStringLiteral("glm"),
                             QStringLiteral("--llm-api-key-env"), QString::fromLatin1(UpstreamKeyVar) }
            << true << QString();
        QTest::addRow("ollama needs no key")
            << QStringList { QStringLiteral("--llm"), QStringLiteral("openai"),
                             QStringLiteral("--llm-provider"), QStringLiteral("ollama") }
            << true << QString();
    }
    void commandLine()
    {
        QFETCH(QStringList, args);
        QFETCH(bool, ok);
        QFETCH(QString, messagePart);
        QCommandLineParser parser;
        ServerOptions::add(parser);
        QVERIFY2(parser.parse(QStringList { QStringLiteral("loopscope") } + args),
                 qPrintable(parser.errorText()));
        LlmChoice choice;
        QString error;
        QCOMPARE(ServerOptions::readLlm(parser, &choice, &error), ok);
        if (!ok) {
            QVERIFY2(error.contains(messagePart), qPrintable(error));
            return;
        }
        const QString described = choice.describe();
        QVERIFY(!described.contains(QString::fromLatin1(UpstreamKey)));
        if (args.contains(QStringLiteral("glm"))) {
            QVERIFY(!choice.simulated);
            QCOMPARE(choice.openai.baseUrl, QStringLiteral("https://open.bigmodel.cn/api/paas/v4"));
            QCOMPARE(choice.openai.apiKey, QString::fromLatin1(UpstreamKey));
            QVERIFY2(described.contains(QStringLiteral("$%1 (set)").arg(QString::fromLatin1(UpstreamKeyVar))),
                     qPrintable(described));
        }
        QCOMPARE(makeLlmBackend(choice) == nullptr, choice.simulated);
    }

    void keyNeverOnTheCommandLine()
    {
        QCommandLineParser parser;
        ServerOptions::add(parser);
        QVERIFY(!parser.parse(
            { QStringLiteral("loopscope"), QStringLiteral("--llm-api-key"), QStringLiteral("sk-x") }));
    }
};

QTEST_GUILESS_MAIN(TestCompletionsEndpoint)
#include "tst_completionsendpoint.moc"
