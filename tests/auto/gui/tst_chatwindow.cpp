// The chat window as a chat client: copy (the clipboard's contents), regenerate (two
// alternatives, paging), edit and resend, a conversation's system prompt and model settings
// (asserted where they arrive: in the request a fake OpenAI upstream receives), search, both
// exports (the JSON replayed through /v1/chat/completions), the keyboard, a 413 shown in the chat.
// Against a real in-process server whose model is the fake upstream; waits on conditions only.
//
// LOOPSCOPE_CHAT_SHOTS=DIR saves pictures of the window there (LOOPSCOPE_CHAT_LANGUAGE=zh_CN:
// in Chinese); run under xvfb for real fonts.
#include "chat/chatpanel.h"
#include "chat/chatsearch.h"
#include "chat/composer.h"
#include "chat/conversationlist.h"
#include "fakeopenaiserver.h"
#include "llm/openaibackend.h"
#include "serverfixture.h"

#include <QAbstractButton>
#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>
#include <QTranslator>

namespace {

const QString CodeAnswer
    = QStringLiteral("Use a thread pool:\n\n```python\nawait loop.run_in_executor(None, work)\n```\n\n"
                     "Then the loop stays free.");

QJsonObject lastUpstreamBody(const FakeOpenAiServer &fake)
{
    const auto requests = fake.requests();
    return requests.isEmpty() ? QJsonObject() : QJsonDocument::fromJson(requests.last().body).object();
}

QStringList roles(const QJsonArray &messages)
{
    QStringList out;
    for (const QJsonValue &m : messages)
        out << m.toObject().value(QStringLiteral("role")).toString();
    return out;
}

} // namespace

class TestChatWindow : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void copyPutsTheMessageAndEachCodeBlockOnTheClipboard();
    void titlesArePlainText();
    void regenerateKeepsTheOldAnswerAsAnAlternative();
    void editAndResendReplacesTheLaterMessages();
    void systemPromptAndSettingsReachTheModel();
    void searchFindsMessagesAndJumpsToThem();
    void exportsMarkdownAndReplayableJson();
    void exportToAnUnwritablePathSaysSo();
    void keyboardSendsStopsAndSearches();
    void tooLargeMessageShowsTheServers413();

private:
    bool sendAndWait(const QString &text);
    bool waitIdle();
    void shot(const QString &name);

    ServerFixture m_fixture;
    FakeOpenAiServer m_fake;
    ChatPanel *m_panel = nullptr;
    QTranslator m_translator;
    QString m_shots;
};

void TestChatWindow::initTestCase()
{
    m_shots = qEnvironmentVariable("LOOPSCOPE_CHAT_SHOTS");
    if (qEnvironmentVariable("LOOPSCOPE_CHAT_LANGUAGE").startsWith(QLatin1String("zh"))) {
        QVERIFY(m_translator.load(QStringLiteral(":/loopscope/i18n/loopscope_zh_CN.qm")));
        QCoreApplication::installTranslator(&m_translator);
    }
    m_fake.setDefaultScript(
        FakeOpenAiScript::chatStream({ QStringLiteral("Fine, "), QStringLiteral("thanks.") }));
    OpenAiConfig upstream;
    upstream.baseUrl = m_fake.baseUrl();
    upstream.model = QStringLiteral("fake-model");
    upstream.temperature = -1;
    m_fixture.server.setLlmBackend(std::make_shared<OpenAiBackend>(upstream));
    QVERIFY(m_fixture.start(ServerFixture::quickConfig()));
    m_panel = new ChatPanel(&m_fixture.server);
    m_panel->resize(900, 760);
    m_panel->show();
    m_panel->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_panel));
    m_panel->refreshConversations();
}

void TestChatWindow::cleanupTestCase()
{
    delete m_panel;
    m_fixture.stop();
}

void TestChatWindow::init()
{
    QVERIFY(waitIdle());
    m_panel->newConversation();
    m_panel->setSettings({});
}

bool TestChatWindow::waitIdle()
{
    // A reply's end reloads the stored messages (ids for edit and regenerate): wait for both.
    QSignalSpy loaded(m_panel, &ChatPanel::messagesLoaded);
    if (!m_panel->isBusy())
        return true;
    QSignalSpy done(m_panel, &ChatPanel::replyFinished);
    return done.wait(10000) && (loaded.count() > 0 || loaded.wait(10000));
}

bool TestChatWindow::sendAndWait(const QString &text)
{
    QSignalSpy done(m_panel, &ChatPanel::replyFinished);
    QSignalSpy loaded(m_panel, &ChatPanel::messagesLoaded);
    m_panel->send(text);
    if (!done.wait(10000) || !done.first().first().toBool())
        return false;
    return loaded.count() > 0 || loaded.wait(10000);
}

void TestChatWindow::shot(const QString &name)
{
    if (m_shots.isEmpty())
        return;
    QDir().mkpath(m_shots);
    const QString lang = m_translator.isEmpty() ? QStringLiteral("en") : QStringLiteral("zh_CN");
    QVERIFY(m_panel->grab().save(QDir(m_shots).filePath(QStringLiteral("chat-%1-%2.png").arg(name, lang))));
}

void TestChatWindow::copyPutsTheMessageAndEachCodeBlockOnTheClipboard()
{
    m_fake.enqueue(FakeOpenAiScript::chatStream({ CodeAnswer }));
    QVERIFY(sendAndWait(QStringLiteral("How do I keep the loop free?")));
    QCOMPARE(m_panel->entries().size(), 2);
    QCOMPARE(m_panel->entries()[1].current().text, CodeAnswer);
    QVERIFY(m_panel->transcriptMarkdown().contains(QStringLiteral("chat:code/1/0")));
    // Through the links the view draws, as a click would.
    QApplication::clipboard()->clear();
    emit m_panel->messageView()->anchorClicked(QUrl(QStringLiteral("chat:copy/1")));
    QCOMPARE(QApplication::clipboard()->text(), CodeAnswer);
    emit m_panel->messageView()->anchorClicked(QUrl(QStringLiteral("chat:code/1/0")));
    QCOMPARE(QApplication::clipboard()->text(), QStringLiteral("await loop.run_in_executor(None, work)"));
    emit m_panel->messageView()->anchorClicked(QUrl(QStringLiteral("chat:copy/0")));
    QCOMPARE(QApplication::clipboard()->text(), QStringLiteral("How do I keep the loop free?"));
    shot(QStringLiteral("code"));
}

void TestChatWindow::titlesArePlainText()
{
    QVERIFY(sendAndWait(QStringLiteral("Why does my **async** endpoint `block`?")));
    QSignalSpy listed(m_panel, &ChatPanel::conversationsLoaded);
    m_panel->refreshConversations();
    QVERIFY(listed.wait(5000));
    QStringList titles;
    for (int i = 0; i < m_panel->conversationCount(); ++i)
        titles << m_panel->conversationList()->displayedTitle(i);
    QVERIFY2(titles.contains(QStringLiteral("Why does my async endpoint block?")),
             qPrintable(titles.join('|')));
}

void TestChatWindow::regenerateKeepsTheOldAnswerAsAnAlternative()
{
    m_fake.enqueue(FakeOpenAiScript::chatStream({ QStringLiteral("First answer.") }));
    m_fake.enqueue(FakeOpenAiScript::chatStream({ QStringLiteral("Second answer.") }));
    QVERIFY(sendAndWait(QStringLiteral("Tell me about event loops")));
    QSignalSpy done(m_panel, &ChatPanel::replyFinished);
    emit m_panel->messageView()->anchorClicked(QUrl(QStringLiteral("chat:regenerate/1")));
    QVERIFY(m_panel->isBusy());
    QVERIFY(waitIdle());
    QCOMPARE(done.count(), 1);
    // The upstream was asked the same question again, without the first answer in its context.
    const QJsonArray asked = lastUpstreamBody(m_fake).value(QStringLiteral("messages")).toArray();
    QCOMPARE(roles(asked), QStringList { QStringLiteral("user") });
    QCOMPARE(asked.last().toObject().value(QStringLiteral("content")).toString(),
             QStringLiteral("Tell me about event loops"));
    const ChatEntry &answer = m_panel->entries().last();
    QCOMPARE(answer.versions.size(), 2);
    QCOMPARE(answer.shown, 1);
    QCOMPARE(answer.current().text, QStringLiteral("Second answer."));
    QVERIFY(m_panel->transcriptMarkdown().contains(QStringLiteral(" 2/2 ")));
    shot(QStringLiteral("pager"));
    emit m_panel->messageView()->anchorClicked(QUrl(QStringLiteral("chat:prev/1")));
    QCOMPARE(m_panel->entries().last().current().text, QStringLiteral("First answer."));
    QVERIFY(m_panel->transcriptMarkdown().contains(QStringLiteral(" 1/2 ")));
    // The page shown is the one the conversation goes on from: the server says so after a reload.
    const QString id = m_panel->currentConversation();
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            const auto r = m_fixture.request("GET", QStringLiteral("/v1/conversations/%1/messages").arg(id));
            const QJsonArray m = r.json.value(QStringLiteral("messages")).toArray();
            return m.size() == 3 && m[1].toObject().value(QStringLiteral("active")).toBool()
                && !m[2].toObject().value(QStringLiteral("active")).toBool();
        }(),
        5000);
    m_fake.enqueue(FakeOpenAiScript::chatStream({ QStringLiteral("Go on.") }));
    QVERIFY(sendAndWait(QStringLiteral("And then?")));
    const QJsonArray context = lastUpstreamBody(m_fake).value(QStringLiteral("messages")).toArray();
    QCOMPARE(context.size(), 3);
    QCOMPARE(context[1].toObject().value(QStringLiteral("content")).toString(),
             QStringLiteral("First answer."));
    QCOMPARE(m_panel->entries()[1].versions.size(), 2); // still both, after the reload
    QCOMPARE(m_panel->entries()[1].shown, 0);
}

void TestChatWindow::editAndResendReplacesTheLaterMessages()
{
    QVERIFY(sendAndWait(QStringLiteral("one")));
    QVERIFY(sendAndWait(QStringLiteral("two")));
    QCOMPARE(m_panel->entries().size(), 4);
    // Up in the empty composer edits the last message; sending asks first, and says what is lost.
    QPlainTextEdit *input = m_panel->composer()->findChild<QPlainTextEdit *>();
    QVERIFY(input);
    input->setFocus();
    input->clear();
    QTest::keyClick(input, Qt::Key_Up);
    QCOMPARE(m_panel->composer()->editing(), 2);
    QCOMPARE(input->toPlainText(), QStringLiteral("two"));
    input->setPlainText(QStringLiteral("two, edited"));
    QString asked;
    QTimer::singleShot(0, this, [&] {
        QTRY_VERIFY(qobject_cast<QMessageBox *>(QApplication::activeModalWidget()));
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        asked = box->text();
        box->button(QMessageBox::Yes)->click();
    });
    QSignalSpy done(m_panel, &ChatPanel::replyFinished);
    QTest::keyClick(input, Qt::Key_Return, Qt::ControlModifier);
    QVERIFY(done.count() == 1 || done.wait(10000));
    QVERIFY(waitIdle());
    QVERIFY2(asked.contains(QStringLiteral("1 message")) && asked.contains(QStringLiteral("deleted")),
             qPrintable(asked));
    QStringList texts;
    for (const ChatEntry &e : m_panel->entries())
        texts << e.current().text;
    QCOMPARE(texts.size(), 4);
    QCOMPARE(texts[0], QStringLiteral("one"));
    QCOMPARE(texts[2], QStringLiteral("two, edited"));
    // On the server: the edited message replaced the old one and its answer.
    const auto r = m_fixture.request(
        "GET", QStringLiteral("/v1/conversations/%1/messages").arg(m_panel->currentConversation()));
    const QJsonArray stored = r.json.value(QStringLiteral("messages")).toArray();
    QCOMPARE(stored.size(), 4);
    QCOMPARE(stored[2].toObject().value(QStringLiteral("content")).toString(), QStringLiteral("two, edited"));
    // The upstream saw the first exchange and the edited message, not the replaced one.
    const QJsonArray context = lastUpstreamBody(m_fake).value(QStringLiteral("messages")).toArray();
    QCOMPARE(context.size(), 3);
    QCOMPARE(context[2].toObject().value(QStringLiteral("content")).toString(),
             QStringLiteral("two, edited"));
}

void TestChatWindow::systemPromptAndSettingsReachTheModel()
{
    ConversationSettings s;
    s.systemPrompt = QStringLiteral("You are a pirate. Answer like one.");
    s.model = QStringLiteral("fake-model-large");
    s.temperature = 0.3;
    s.maxTokens = 77;
    m_panel->setSettings(s);
    QVERIFY(sendAndWait(QStringLiteral("Where is the treasure?")));
    QVERIFY(sendAndWait(QStringLiteral("And the map?")));
    // Every request of the conversation carries them, the second as the first.
    const QJsonObject body = lastUpstreamBody(m_fake);
    const QJsonArray messages = body.value(QStringLiteral("messages")).toArray();
    QCOMPARE(messages.first().toObject().value(QStringLiteral("role")).toString(), QStringLiteral("system"));
    QCOMPARE(messages.first().toObject().value(QStringLiteral("content")).toString(), s.systemPrompt);
    QCOMPARE(roles(messages), (QStringList { "system", "user", "assistant", "user" }));
    QCOMPARE(body.value(QStringLiteral("model")).toString(), s.model);
    QCOMPARE(body.value(QStringLiteral("temperature")).toDouble(), 0.3);
    QCOMPARE(body.value(QStringLiteral("max_tokens")).toInt(), 77);
    // Stored with the conversation, and listed by /v1/conversations.
    const QString id = m_panel->currentConversation();
    const auto c = m_fixture.request("GET", QStringLiteral("/v1/conversations/") + id);
    QCOMPARE(c.json.value(QStringLiteral("settings")).toObject(), s.toJson());
    const auto list = m_fixture.request("GET", QStringLiteral("/v1/conversations?user_id=me"));
    bool listed = false;
    for (const QJsonValue &v : list.json.value(QStringLiteral("conversations")).toArray())
        listed |= v.toObject().value(QStringLiteral("id")).toString() == id
            && v.toObject().value(QStringLiteral("settings")).toObject() == s.toJson();
    QVERIFY(listed);
    // The OpenAI-compatible path, in the same conversation without a system message of its own,
    // gets the stored prompt and settings too.
    const QByteArray openai
        = QJsonDocument(QJsonObject {
                            { QStringLiteral("model"), QStringLiteral("loopscope") },
                            { QStringLiteral("user"), QStringLiteral("me") },
                            { QStringLiteral("session_id"), id },
                            { QStringLiteral("messages"),
                              QJsonArray { QJsonObject { { "role", "user" }, { "content", "Ahoy?" } } } },
                        })
              .toJson();
    const auto r = m_fixture.request("POST", QStringLiteral("/v1/chat/completions"), openai);
    QCOMPARE(r.status, 200);
    const QJsonObject viaOpenAi = lastUpstreamBody(m_fake);
    QCOMPARE(viaOpenAi.value(QStringLiteral("messages"))
                 .toArray()
                 .first()
                 .toObject()
                 .value(QStringLiteral("content"))
                 .toString(),
             s.systemPrompt);
    QCOMPARE(viaOpenAi.value(QStringLiteral("max_tokens")).toInt(), 77);
}

void TestChatWindow::searchFindsMessagesAndJumpsToThem()
{
    QVERIFY(sendAndWait(QStringLiteral("Tell me about the zebra crossing problem")));
    const QString zebra = m_panel->currentConversation();
    m_panel->newConversation();
    QVERIFY(sendAndWait(QStringLiteral("阻塞调用会卡住整个事件循环吗？")));
    const QString chinese = m_panel->currentConversation();
    m_panel->newConversation();
    QVERIFY(sendAndWait(QStringLiteral("Something else entirely")));
    QSignalSpy found(m_panel, &ChatPanel::searchFinished);
    m_panel->searchBox()->setQuery(QStringLiteral("ZEBRA cross"));
    QVERIFY(found.wait(5000));
    QCOMPARE(found.last().first().toInt(), 1);
    QVERIFY2(m_panel->searchBox()->resultText(0).contains(QStringLiteral("zebra crossing")),
             qPrintable(m_panel->searchBox()->resultText(0)));
    shot(QStringLiteral("search"));
    QSignalSpy loaded(m_panel, &ChatPanel::messagesLoaded);
    m_panel->openSearchResult(0);
    QVERIFY(loaded.wait(5000));
    QCOMPARE(m_panel->currentConversation(), zebra);
    QCOMPARE(m_panel->messageView()->textCursor().selectedText().toLower(), QStringLiteral("zebra cross"));
    m_panel->searchBox()->setQuery(QStringLiteral("事件循环"));
    QVERIFY(found.wait(5000));
    QCOMPARE(found.last().first().toInt(), 1);
    m_panel->openSearchResult(0);
    QVERIFY(loaded.wait(5000));
    QCOMPARE(m_panel->currentConversation(), chinese);
    m_panel->searchBox()->setQuery(QStringLiteral("nothing like this anywhere"));
    QVERIFY(found.wait(5000));
    QCOMPARE(found.last().first().toInt(), 0);
}

void TestChatWindow::exportsMarkdownAndReplayableJson()
{
    ConversationSettings s;
    s.systemPrompt = QStringLiteral("Answer in one sentence.");
    m_panel->setSettings(s);
    m_fake.enqueue(FakeOpenAiScript::chatStream({ CodeAnswer }));
    QVERIFY(sendAndWait(QStringLiteral("How do I keep the loop free?")));
    QVERIFY(sendAndWait(QStringLiteral("Thanks!")));
    QTemporaryDir dir;
    const QString md = dir.filePath(QStringLiteral("c.md")), json = dir.filePath(QStringLiteral("c.json"));
    QString error;
    QVERIFY2(m_panel->exportMarkdown(md, &error), qPrintable(error));
    QVERIFY2(m_panel->exportJson(json, &error), qPrintable(error));
    QFile mdFile(md);
    QVERIFY(mdFile.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(mdFile.readAll());
    QVERIFY(text.contains(QStringLiteral("```python\nawait loop.run_in_executor(None, work)\n```")));
    QVERIFY(text.contains(s.systemPrompt));
    QVERIFY(text.contains(QStringLiteral("| # | Role |")));
    // One table row per message, each answer with its server-side figures.
    const QStringList rows
        = text.mid(text.indexOf(QStringLiteral("|---"))).split('\n', Qt::SkipEmptyParts).mid(1);
    QCOMPARE(rows.size(), 4);
    static const QRegularExpression answerRow(
        QStringLiteral(R"(^\| 2 \| assistant \| [^|]+ \| [\d.]+ \| [\d.]+ \| \d+ \| \w+ \| \d+ \|$)"));
    QVERIFY2(answerRow.match(rows[1]).hasMatch(), qPrintable(rows[1]));
    QFile jsonFile(json);
    QVERIFY(jsonFile.open(QIODevice::ReadOnly));
    const QByteArray exported = jsonFile.readAll();
    const QJsonArray messages
        = QJsonDocument::fromJson(exported).object().value(QStringLiteral("messages")).toArray();
    const QStringList shape { "system", "user", "assistant", "user", "assistant" };
    QCOMPARE(roles(messages), shape);
    // Replayed as it is through the OpenAI-compatible endpoint: the upstream gets the same
    // conversation up to the last question, and the answer completes the same shape.
    const auto r = m_fixture.request("POST", QStringLiteral("/v1/chat/completions"), exported);
    QCOMPARE(r.status, 200);
    const QJsonObject choice = r.json.value(QStringLiteral("choices")).toArray().first().toObject();
    QCOMPARE(choice.value(QStringLiteral("message")).toObject().value(QStringLiteral("role")).toString(),
             QStringLiteral("assistant"));
    const QJsonArray replayed = lastUpstreamBody(m_fake).value(QStringLiteral("messages")).toArray();
    QCOMPARE(roles(replayed) << QStringLiteral("assistant"), shape);
    for (int i = 0; i < replayed.size(); ++i)
        QCOMPARE(replayed[i].toObject().value(QStringLiteral("content")),
                 messages[i].toObject().value(QStringLiteral("content")));
}

void TestChatWindow::exportToAnUnwritablePathSaysSo()
{
    QVERIFY(sendAndWait(QStringLiteral("short")));
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("no-such-folder/c.md"));
    QString error;
    QVERIFY(!m_panel->exportMarkdown(path, &error));
    QVERIFY2(error.contains(path), qPrintable(error));
    QVERIFY(!m_panel->exportJson(dir.path(), &error)); // a folder, not a file
    QVERIFY2(error.contains(QStringLiteral("Cannot write")), qPrintable(error));
}

void TestChatWindow::keyboardSendsStopsAndSearches()
{
    m_panel->activateWindow(); // after the message box of the edit test
    QVERIFY(QTest::qWaitForWindowActive(m_panel));
    QPlainTextEdit *input = m_panel->composer()->findChild<QPlainTextEdit *>();
    input->setFocus();
    // Ctrl+Enter only: Enter is a new line.
    m_panel->composer()->setEnterSends(false);
    QTest::keyClicks(input, QStringLiteral("line one"));
    QTest::keyClick(input, Qt::Key_Return);
    QVERIFY(!m_panel->isBusy());
    QVERIFY(input->toPlainText().contains('\n'));
    // "Enter sends": Shift+Enter is the new line, Enter sends.
    m_panel->composer()->setEnterSends(true);
    input->clear();
    QTest::keyClicks(input, QStringLiteral("first"));
    QTest::keyClick(input, Qt::Key_Return, Qt::ShiftModifier);
    QTest::keyClicks(input, QStringLiteral("second"));
    QVERIFY(!m_panel->isBusy());
    // A slow answer, stopped with Esc.
    FakeOpenAiScript slow = FakeOpenAiScript::chatStream(
        { QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c") }, 2000);
    m_fake.enqueue(slow);
    QSignalSpy done(m_panel, &ChatPanel::replyFinished);
    QTest::keyClick(input, Qt::Key_Return);
    QVERIFY(m_panel->isBusy());
    QCOMPARE(m_panel->entries().first().current().text, QStringLiteral("first\nsecond"));
    QTest::keyClick(input, Qt::Key_Escape);
    QVERIFY(done.count() == 1 || done.wait(5000));
    QCOMPARE(done.first().first().toBool(), false);
    QVERIFY(m_panel->entries().last().current().figures.startsWith(QStringLiteral("stopped")));
    // Ctrl+F goes to the search box.
    QTest::keyClick(input, Qt::Key_F, Qt::ControlModifier);
    QTRY_VERIFY(m_panel->searchBox()->findChild<QLineEdit *>()->hasFocus());
    m_panel->composer()->setEnterSends(false);
}

void TestChatWindow::tooLargeMessageShowsTheServers413()
{
    ConversationSettings s;
    s.systemPrompt = QString(70 * 1024, QLatin1Char('x')); // over the 64 KiB body limit
    m_panel->setSettings(s);
    QSignalSpy done(m_panel, &ChatPanel::replyFinished);
    m_panel->send(QStringLiteral("hello"));
    QVERIFY(done.wait(10000));
    QCOMPARE(done.first().first().toBool(), false);
    const QString shown = m_panel->entries().last().current().text;
    QVERIFY2(shown.contains(QStringLiteral("413")) && shown.contains(QStringLiteral("65536")),
             qPrintable(shown));
    QVERIFY(m_panel->transcriptMarkdown().contains(QStringLiteral("413")));
}

QTEST_MAIN(TestChatWindow)
#include "tst_chatwindow.moc"
