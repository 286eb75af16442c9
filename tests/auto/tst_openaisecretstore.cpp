// SecretStore: where the LLM API key is kept, and that it comes back from there.
#include "llm/secretstore.h"

#include <QTest>

class TestOpenAiSecretStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void environmentOnly()
    {
        qputenv("LOOPSCOPE_TEST_LLM_KEY", "sk-from-env");
        SecretStore store(QStringLiteral("llm-api-key/test"), QStringLiteral("LOOPSCOPE_TEST_LLM_KEY"),
                          false);
        QCOMPARE(store.location(), SecretStore::Location::Environment);
        QCOMPARE(store.describeLocation(), QStringLiteral("environment variable LOOPSCOPE_TEST_LLM_KEY"));
        QCOMPARE(store.readKey(), QStringLiteral("sk-from-env"));
        QString error;
        QVERIFY(!store.writeKey(QStringLiteral("x"), &error)); // nowhere safe to write it
        QVERIFY(error.contains(QStringLiteral("LOOPSCOPE_TEST_LLM_KEY")));
        qunsetenv("LOOPSCOPE_TEST_LLM_KEY");
        QVERIFY(store.readKey().isEmpty());
    }

    void keychainOrFallback()
    {
        // Whatever this machine has: a keychain without this entry, or none at all (headless CI).
        // Either way the key comes from the variable, and the UI is told so.
        qputenv("LOOPSCOPE_TEST_LLM_KEY2", "sk-fallback");
        SecretStore store(QStringLiteral("llm-api-key/loopscope-test-never-stored"),
                          QStringLiteral("LOOPSCOPE_TEST_LLM_KEY2"));
        if (SecretStore::keychainCompiledIn())
            QCOMPARE(store.describeLocation(), QStringLiteral("system keychain"));
        QCOMPARE(store.readKey(), QStringLiteral("sk-fallback"));
        QCOMPARE(store.location(), SecretStore::Location::Environment);
        QCOMPARE(store.describeLocation(), QStringLiteral("environment variable LOOPSCOPE_TEST_LLM_KEY2"));
        qunsetenv("LOOPSCOPE_TEST_LLM_KEY2");
    }
};

QTEST_GUILESS_MAIN(TestOpenAiSecretStore)
#include "tst_openaisecretstore.moc"
