// The OpenAI wire format without a network: chunk and error parsing, the request body, our
// server's chunk/completion builders read back through the same parser, the response reader
// fed with awkward splits, presets and the config's JSON (which must never hold the key).
#include "fakeopenaiserver.h"
#include "llm/openaichunk.h"
#include "llm/openairesponsereader.h"
#include "llm/providerpreset.h"
#include "llm/ssedecoder.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

class TestOpenAiChunk : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parseChunk()
    {
        const auto c = OpenAiChunk::parse(
            R"({"id":"x","object":"chat.completion.chunk","model":"glm-4-flash","choices":[{"index":0,"delta":{"content":"你好"},"finish_reason":null}]})");
        QVERIFY(c);
        QVERIFY(!c->done);
        QCOMPARE(c->content, QStringLiteral("你好"));
        QCOMPARE(c->model, QStringLiteral("glm-4-flash"));
        QVERIFY(c->finishReason.isEmpty());
        QVERIFY(!c->hasUsage);
    }

    void parseReasoningFinishUsageDone()
    {
        const auto r = OpenAiChunk::parse(R"({"choices":[{"delta":{"reasoning_content":"think"}}]})");
        QVERIFY(r);
        QCOMPARE(r->reasoning, QStringLiteral("think"));
        QVERIFY(r->content.isEmpty());

        const auto f = OpenAiChunk::parse(R"({"choices":[{"delta":{},"finish_reason":"length"}]})");
        QCOMPARE(f->finishReason, QStringLiteral("length"));

        const auto u = OpenAiChunk::parse(
            R"({"choices":[],"usage":{"prompt_tokens":11,"completion_tokens":"7","total_tokens":18}})");
        QVERIFY(u->hasUsage);
        QCOMPARE(u->promptTokens, 11);
        QCOMPARE(u->completionTokens, 7);
        QCOMPARE(u->totalTokens, 18);

        QVERIFY(OpenAiChunk::parse("[DONE]")->done);
        QVERIFY(OpenAiChunk::parse(" [DONE] ")->done);
        QVERIFY(!OpenAiChunk::parse("{\"choi"));
        QVERIFY(!OpenAiChunk::parse("[1,2]"));
    }

    void parseError_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("described");

        QTest::addRow("openai") << QByteArray(
            R"({"error":{"message":"Incorrect API key","type":"invalid_request_error","param":null,"code":"invalid_api_key"}})")
                                << QStringLiteral("Incorrect API key (type: invalid_request_error, code: "
                                                  "invalid_api_key)");
        QTest::addRow("glm numeric-string code")
            << QByteArray(R"({"error":{"code":"1113","message":"余额不足"}})")
            << QStringLiteral("余额不足 (code: 1113)");
        QTest::addRow("llama.cpp numeric code")
            << QByteArray(R"({"error":{"code":500,"message":"boom","type":"server_error"}})")
            << QStringLiteral("boom (type: server_error, code: 500)");
        QTest::addRow("bare string") << QByteArray(R"({"error":"model not found"})")
                                     << QStringLiteral("model not found");
        QTest::addRow("detail") << QByteArray(R"({"detail":"Not authenticated"})")
                                << QStringLiteral("Not authenticated");
    }

    void parseError()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, described);
        const auto e = OpenAiError::parse(body);
        QVERIFY(e);
        QCOMPARE(e->describe(), described);
    }

    void notAnError()
    {
        QVERIFY(!OpenAiError::parse("Bad Gateway"));
        QVERIFY(!OpenAiError::parse(R"({"choices":[]})"));
    }

    void requestBody()
    {
        const QList<ChatMessage> messages { { QStringLiteral("system"), QStringLiteral("be brief") },
                                            { QStringLiteral("user"), QStringLiteral("你好") } };
        const QJsonObject streamed
            = QJsonDocument::fromJson(OpenAiWire::requestBody(QStringLiteral("m"), messages, true, 0.3))
                  .object();
        QCOMPARE(streamed.value("model").toString(), QStringLiteral("m"));
        QCOMPARE(streamed.value("stream").toBool(), true);
        QCOMPARE(streamed.value("temperature").toDouble(), 0.3);
        QCOMPARE(streamed.value("stream_options").toObject().value("include_usage").toBool(), true);
        const QJsonArray list = streamed.value("messages").toArray();
        QCOMPARE(list.size(), 2);
        QCOMPARE(list[1].toObject().value("role").toString(), QStringLiteral("user"));
        QCOMPARE(list[1].toObject().value("content").toString(), QStringLiteral("你好"));

        const QJsonObject plain
            = QJsonDocument::fromJson(OpenAiWire::requestBody(QStringLiteral("m"), messages, false, -1))
                  .object();
        QCOMPARE(plain.value("stream").toBool(true), false);
        QVERIFY(!plain.contains("stream_options")); // OpenAI rejects it without stream
        QVERIFY(!plain.contains("temperature"));
    }

    void ourStreamReadBack()
    {
        // What our /v1/chat/completions will send, through the same decoder and parser.
        QByteArray wire;
        wire += SseDecoder::encode(OpenAiWire::makeChunk("id1", "loopscope", 1700000000, "你", {}, true));
        wire += SseDecoder::encode(OpenAiWire::makeChunk("id1", "loopscope", 1700000000, "好 🚀"));
        wire += SseDecoder::encode(OpenAiWire::makeChunk("id1", "loopscope", 1700000000, {}, "stop"));
        wire += SseDecoder::encode(OpenAiWire::makeUsageChunk("id1", "loopscope", 1700000000, 5, 2));
        wire += SseDecoder::encode(OpenAiWire::doneMarker());

        SseDecoder decoder;
        QString text;
        QString finish;
        bool done = false;
        int completionTokens = -1;
        for (const SseEvent &event : decoder.feed(wire)) {
            const auto c = OpenAiChunk::parse(event.data);
            QVERIFY(c);
            if (c->done) {
                done = true;
                continue;
            }
            const QJsonObject o = QJsonDocument::fromJson(event.data).object();
            QCOMPARE(o.value("object").toString(), QStringLiteral("chat.completion.chunk"));
            QCOMPARE(o.value("id").toString(), QStringLiteral("id1"));
            QVERIFY(o.value("created").isDouble());
            QVERIFY(o.value("choices").isArray());
            text += c->content;
            if (!c->finishReason.isEmpty())
                finish = c->finishReason;
            if (c->hasUsage)
                completionTokens = c->completionTokens;
        }
        QCOMPARE(text, QStringLiteral("你好 🚀"));
        QCOMPARE(finish, QStringLiteral("stop"));
        QCOMPARE(completionTokens, 2);
        QVERIFY(done);

        // The first chunk announces the role, later ones are bare deltas, finish_reason is null.
        const QJsonObject first
            = QJsonDocument::fromJson(OpenAiWire::makeChunk("i", "m", 1, "a", {}, true)).object();
        const QJsonObject choice = first.value("choices").toArray().first().toObject();
        QCOMPARE(choice.value("delta").toObject().value("role").toString(), QStringLiteral("assistant"));
        QVERIFY(choice.value("finish_reason").isNull());
    }

    void ourCompletionReadBack()
    {
        const QJsonObject o
            = OpenAiWire::makeCompletion("id2", "loopscope", 1700000000, "完整的回答", "stop", 9, 4);
        QCOMPARE(o.value("object").toString(), QStringLiteral("chat.completion"));
        const auto c = OpenAiChunk::parseCompletion(QJsonDocument(o).toJson());
        QVERIFY(c);
        QCOMPARE(c->content, QStringLiteral("完整的回答"));
        QCOMPARE(c->finishReason, QStringLiteral("stop"));
        QCOMPARE(c->promptTokens, 9);
        QCOMPARE(c->completionTokens, 4);
        QCOMPARE(c->totalTokens, 13);
        QVERIFY(!OpenAiChunk::parseCompletion(OpenAiWire::makeError("x", "y")));
        const auto e = OpenAiError::parse(
            OpenAiWire::makeError("bad key", "invalid_request_error", "invalid_api_key"));
        QCOMPARE(e->code, QStringLiteral("invalid_api_key"));
    }

    void readerSurvivesEverySplit()
    {
        const QByteArray body = FakeOpenAiScript::chatEvents(
                                    { QStringLiteral("你好"), QStringLiteral("，"), QStringLiteral("世界🚀") },
                                    { QStringLiteral("嗯") })
                                    .join();
        for (qsizetype cut = 0; cut <= body.size(); ++cut) {
            OpenAiResponseReader reader(true);
            reader.setStatus(200, "text/event-stream; charset=utf-8");
            QString streamed;
            const TokenSink sink = [&streamed](const QString &d) { streamed += d; };
            reader.feed(QByteArrayView(body).first(cut), sink);
            reader.feed(QByteArrayView(body).sliced(cut), sink);
            QVERIFY(reader.isComplete());
            const LlmReply reply = reader.finish();
            QVERIFY2(reply.ok(), qPrintable(reply.errorMessage));
            QCOMPARE(reply.text, QStringLiteral("你好，世界🚀"));
            QCOMPARE(streamed, reply.text);
            QCOMPARE(reply.reasoning, QStringLiteral("嗯"));
            QCOMPARE(reply.promptTokens, 12);
            QCOMPARE(reply.completionTokens, 3);
            QCOMPARE(reply.tokens, 3);
            QVERIFY(reply.firstTokenNs > 0);
        }
    }

    void readerOutcomes_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("contentType");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("transportError");
        QTest::addColumn<int>("error");
        QTest::addColumn<QString>("messagePart");

        const QByteArray json = "application/json";
        const QByteArray sse = "text/event-stream";
        QTest::addRow("401") << 401 << json
                             << OpenAiWire::makeError("Incorrect API key provided: sk-sec***",
                                                      "invalid_request_error", "invalid_api_key")
                             << QString() << int(LlmReply::Error::Unauthorized)
                             << QStringLiteral("HTTP 401: Incorrect API key");
        QTest::addRow("403") << 403 << json << QByteArray("{}") << QString()
                             << int(LlmReply::Error::Unauthorized) << QStringLiteral("HTTP 403");
        QTest::addRow("429") << 429 << json << OpenAiWire::makeError("Rate limit reached", "requests")
                             << QString() << int(LlmReply::Error::RateLimited)
                             << QStringLiteral("Rate limit reached");
        QTest::addRow("500 plain text")
            << 500 << QByteArray("text/plain") << QByteArray("upstream exploded") << QString()
            << int(LlmReply::Error::Upstream) << QStringLiteral("HTTP 500: upstream exploded");
        QTest::addRow("400") << 400 << json
                             << OpenAiWire::makeError("model not found", "invalid_request_error") << QString()
                             << int(LlmReply::Error::BadRequest) << QStringLiteral("model not found");
        QTest::addRow("cut cleanly") << 200 << sse
                                     << SseDecoder::encode(OpenAiWire::makeChunk("i", "m", 1, "par"))
                                     << QString() << int(LlmReply::Error::Upstream)
                                     << QStringLiteral("ended before [DONE]");
        QTest::addRow("cut by reset")
            << 200 << sse << SseDecoder::encode(OpenAiWire::makeChunk("i", "m", 1, "par"))
            << QStringLiteral("Connection closed") << int(LlmReply::Error::Upstream)
            << QStringLiteral("cut before [DONE]: Connection closed");
        QTest::addRow("cut inside a chunk")
            << 200 << sse << QByteArray("data: {\"choices\":[{\"delta\":{\"cont") << QString()
            << int(LlmReply::Error::Upstream) << QStringLiteral("malformed");
        QTest::addRow("error mid-stream")
            << 200 << sse
            << SseDecoder::encode(OpenAiWire::makeChunk("i", "m", 1, "a"))
                + SseDecoder::encode(OpenAiWire::makeError("overloaded", "server_error"))
            << QString() << int(LlmReply::Error::Upstream) << QStringLiteral("mid-stream: overloaded");
        QTest::addRow("finish_reason without DONE")
            << 200 << sse
            << SseDecoder::encode(OpenAiWire::makeChunk("i", "m", 1, "a"))
                + SseDecoder::encode(OpenAiWire::makeChunk("i", "m", 1, {}, "stop"))
            << QString() << int(LlmReply::Error::None) << QString();
        QTest::addRow("DONE without blank line")
            << 200 << sse << SseDecoder::encode(OpenAiWire::makeChunk("i", "m", 1, "a")) + "data: [DONE]"
            << QString() << int(LlmReply::Error::None) << QString();
        QTest::addRow("JSON where a stream was asked")
            << 200 << json
            << QJsonDocument(OpenAiWire::makeCompletion("i", "m", 1, "whole", "stop", 1, 1)).toJson()
            << QString() << int(LlmReply::Error::None) << QString();
        QTest::addRow("garbage 200") << 200 << json << QByteArray("<html>") << QString()
                                     << int(LlmReply::Error::Upstream)
                                     << QStringLiteral("not a chat completion");
    }

    void readerOutcomes()
    {
        QFETCH(int, status);
        QFETCH(QByteArray, contentType);
        QFETCH(QByteArray, body);
        QFETCH(QString, transportError);
        QFETCH(int, error);
        QFETCH(QString, messagePart);
        OpenAiResponseReader reader(true, QStringLiteral("sk-secret-key"));
        reader.setStatus(status, contentType);
        reader.feed(body, {});
        const LlmReply reply = reader.finish(transportError);
        QCOMPARE(int(reply.error), error);
        QCOMPARE(reply.upstreamStatus, status);
        QVERIFY2(reply.errorMessage.contains(messagePart), qPrintable(reply.errorMessage));
    }

    void readerScrubsTheKey()
    {
        OpenAiResponseReader reader(true, QStringLiteral("sk-secret-key"));
        reader.setStatus(401, "application/json");
        reader.feed(
            OpenAiWire::makeError("Incorrect API key provided: sk-secret-key", "invalid_request_error"), {});
        const LlmReply reply = reader.finish();
        QVERIFY(!reply.errorMessage.contains(QStringLiteral("sk-secret-key")));
        QVERIFY(reply.errorMessage.contains(QStringLiteral("***")));
    }

    void presets()
    {
        QCOMPARE(ProviderPreset::all().size(), 6);
        const auto glm = ProviderPreset::find(QStringLiteral("GLM"));
        QVERIFY(glm);
        QCOMPARE(glm->baseUrl, QStringLiteral("https://open.bigmodel.cn/api/paas/v4"));
        QCOMPARE(glm->model, QStringLiteral("glm-4-flash"));
        QVERIFY(glm->requiresKey);
        QCOMPARE(ProviderPreset::find(QStringLiteral("openai"))->baseUrl,
                 QStringLiteral("https://api.openai.com/v1"));
        QCOMPARE(ProviderPreset::find(QStringLiteral("ollama"))->baseUrl,
                 QStringLiteral("http://localhost:11434/v1"));
        QVERIFY(!ProviderPreset::find(QStringLiteral("ollama"))->requiresKey);
        QCOMPARE(ProviderPreset::find(QStringLiteral("llamacpp"))->baseUrl,
                 QStringLiteral("http://127.0.0.1:8080/v1"));
        QCOMPARE(ProviderPreset::find(QStringLiteral("lmstudio"))->baseUrl,
                 QStringLiteral("http://localhost:1234/v1"));
        QVERIFY(ProviderPreset::find(QStringLiteral("custom")));
        QVERIFY(!ProviderPreset::find(QStringLiteral("nope")));
    }

    void configJsonNeverHoldsTheKey()
    {
        OpenAiConfig c = ProviderPreset::find(QStringLiteral("openai"))->config();
        c.apiKey = QStringLiteral("sk-do-not-write-me");
        c.totalTimeoutMs = 1234;
        const QByteArray json = QJsonDocument(c.toJson()).toJson();
        QVERIFY(!json.contains("sk-do-not-write-me"));
        const OpenAiConfig back = OpenAiConfig::fromJson(c.toJson());
        QCOMPARE(back.baseUrl, c.baseUrl);
        QCOMPARE(back.model, QStringLiteral("gpt-4o-mini"));
        QCOMPARE(back.totalTimeoutMs, 1234);
        QVERIFY(back.apiKey.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestOpenAiChunk)
#include "tst_openaichunk.moc"
