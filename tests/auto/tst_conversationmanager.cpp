// The pipeline's business function on its own: what context reaches the model, what is stored.
#include "pipeline/conversationmanager.h"
#include "pipeline/requesttrace.h"

#include <QTemporaryDir>
#include <QTest>

namespace {
// Remembers the prompt it was given and answers "ok".
class CapturingLlm : public LlmBackend
{
public:
    QString name() const override { return QStringLiteral("capturing"); }
    LlmReply complete(const LlmRequest &request, const TokenSink &, const CancelToken &) override
    {
        last = request.messages;
        LlmReply r;
        r.text = QStringLiteral("ok");
        return r;
    }
    QCoro::Task<LlmReply> completeAsync(LlmRequest request, TokenSink sink, CancelToken cancel) override
    {
        co_return complete(request, sink, cancel);
    }
    QList<ChatMessage> last;
};
} // namespace

class TestConversationManager : public QObject
{
    Q_OBJECT
private slots:
    void storedHistoryIsTheContext();
    void clientHistoryReplacesStoredHistory();
};

void TestConversationManager::storedHistoryIsTheContext()
{
    QTemporaryDir dir;
    auto store = std::make_shared<HistoryStore>(dir.filePath(QStringLiteral("h.sqlite")));
    QVERIFY(store->open());
    auto llm = std::make_shared<CapturingLlm>();
    ConversationManager manager(store, llm);
    TraceRecorder recorder;
    ServerConfig config;
    config.dbReadSeconds = config.dbWriteSeconds = 0;
    for (const QString &text : { QStringLiteral("one"), QStringLiteral("two") }) {
        RequestTrace trace(&recorder, RequestRecord {});
        ChatRequest request;
        request.userId = QStringLiteral("u");
        request.sessionId = QStringLiteral("s");
        request.message = text;
        QVERIFY(manager.chat(request, config, trace, {}, CancelToken()).ok);
    }
    // Second call: the first exchange (user + assistant) came from SQLite, then the new message.
    QCOMPARE(llm->last.size(), 3);
    QCOMPARE(llm->last[0].content, QStringLiteral("one"));
    QCOMPARE(llm->last[1].role, QStringLiteral("assistant"));
    QCOMPARE(llm->last[2].content, QStringLiteral("two"));
}

void TestConversationManager::clientHistoryReplacesStoredHistory()
{
    QTemporaryDir dir;
    auto store = std::make_shared<HistoryStore>(dir.filePath(QStringLiteral("h.sqlite")));
    QVERIFY(store->open());
    auto llm = std::make_shared<CapturingLlm>();
    ConversationManager manager(store, llm);
    TraceRecorder recorder;
    ServerConfig config;
    config.dbReadSeconds = config.dbWriteSeconds = 0;
    RequestTrace trace(&recorder, RequestRecord {});
    ChatRequest request;
    request.userId = QStringLiteral("u");
    request.sessionId = QStringLiteral("s2");
    request.message = QStringLiteral("and now?");
    request.clientHistory = { { QStringLiteral("system"), QStringLiteral("be brief") },
                              { QStringLiteral("user"), QStringLiteral("hi") },
                              { QStringLiteral("assistant"), QStringLiteral("hello") } };
    QVERIFY(manager.chat(request, config, trace, {}, CancelToken()).ok);
    QCOMPARE(llm->last.size(), 4);
    QCOMPARE(llm->last[0].role, QStringLiteral("system"));
    QCOMPARE(llm->last[3].content, QStringLiteral("and now?"));
    QCOMPARE(store->messageCount(), 2); // the exchange itself is stored
}

QTEST_GUILESS_MAIN(TestConversationManager)
#include "tst_conversationmanager.moc"
