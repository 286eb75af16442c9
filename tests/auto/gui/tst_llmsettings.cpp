// Server > Language model…: a real provider can take the simulated model's place from the GUI,
// and the API key never lands in the settings file.
#include "fakeopenaiserver.h"
#include "server/llmsettingsdialog.h"
#include "serverfixture.h"

#include <QApplication>
#include <QComboBox>
#include <QFile>
#include <QJsonDocument>
#include <QLineEdit>
#include <QSettings>
#include <QStandardPaths>
#include <QTest>

class TestLlmSettings : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void customProviderAnswersAndKeyStaysOutOfSettings();
};

void TestLlmSettings::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("LoopScopeTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_llmsettings"));
    QSettings().clear();
}

void TestLlmSettings::customProviderAnswersAndKeyStaysOutOfSettings()
{
    FakeOpenAiServer upstream;
    upstream.setDefaultScript(FakeOpenAiScript::chatStream(
        { QStringLiteral("Hello"), QStringLiteral(" from"), QStringLiteral(" upstream") }));
    ServerFixture f;
    ServerConfig c = ServerFixture::quickConfig();
    QVERIFY(f.start(c));

    LlmSettingsDialog dialog(&f.server);
    auto *provider = dialog.findChild<QComboBox *>();
    QVERIFY(provider);
    provider->setCurrentIndex(provider->findData(QStringLiteral("custom")));
    QVERIFY(provider->currentIndex() > 0);
    const QList<QLineEdit *> edits = dialog.findChildren<QLineEdit *>();
    QLineEdit *baseUrl = edits.value(0), *model = edits.value(1), *key = edits.value(2),
              *keyEnv = edits.value(3);
    QVERIFY(baseUrl && model && key && keyEnv);
    baseUrl->setText(upstream.baseUrl());
    model->setText(QStringLiteral("fake-model"));
    key->setText(QStringLiteral("sk-test-secret-123"));
    keyEnv->setText(QStringLiteral("LOOPSCOPE_TEST_UNSET_KEY"));
    QString error;
    QVERIFY2(dialog.apply(&error), qPrintable(error));

    const auto reply
        = f.request("POST", QStringLiteral("/v1/chat"), QByteArray(R"({"user_id":"gui","message":"hi"})"));
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.json.value(QStringLiteral("response")).toString(), QStringLiteral("Hello from upstream"));
    QVERIFY(!upstream.requests().isEmpty());
    QCOMPARE(upstream.requests().last().headers.value("authorization"),
             QByteArray("Bearer sk-test-secret-123"));
    const QJsonObject sent = QJsonDocument::fromJson(upstream.requests().last().body).object();
    QCOMPARE(sent.value(QStringLiteral("model")).toString(), QStringLiteral("fake-model"));

    // The choice is saved, the key is not.
    QSettings settings;
    settings.sync();
    QFile file(settings.fileName());
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray saved = file.readAll();
    QVERIFY(saved.contains("fake-model"));
    QVERIFY(!saved.contains("sk-test-secret"));
    const LlmChoice restored = LlmSettingsDialog::savedChoice();
    QVERIFY(!restored.simulated);
    QCOMPARE(restored.openai.baseUrl, upstream.baseUrl());
    QVERIFY(restored.openai.apiKey.isEmpty());

    // Back to the simulated model.
    provider->setCurrentIndex(provider->findData(QStringLiteral("simulated")));
    QVERIFY(dialog.apply(&error));
    const auto simulated
        = f.request("POST", QStringLiteral("/v1/chat"), QByteArray(R"({"user_id":"gui","message":"hi"})"));
    QCOMPARE(simulated.status, 200);
    QVERIFY(simulated.json.value(QStringLiteral("response")).toString().contains(QLatin1String("LoopScope")));

    // A provider that needs a key, with none anywhere, is refused with a clear message.
    provider->setCurrentIndex(provider->findData(QStringLiteral("openai")));
    keyEnv->setText(QStringLiteral("LOOPSCOPE_TEST_UNSET_KEY"));
    QVERIFY(!dialog.apply(&error));
    QVERIFY2(error.contains(QLatin1String("LOOPSCOPE_TEST_UNSET_KEY")), qPrintable(error));
}

QTEST_MAIN(TestLlmSettings)
#include "tst_llmsettings.moc"
