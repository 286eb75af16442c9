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

    void keychainKeepsTheKey()
    {
        // The keychain itself: only where it is built in and a keychain service answers (a
        // desktop session); anywhere else this says so instead of passing without checking.
        if (!SecretStore::keychainCompiledIn())
            QSKIP("built without qtkeychain: keys come from environment variables only");
        const QString account
            = QStringLiteral("llm-api-key/loopscope-test-%1").arg(QCoreApplication::applicationPid());
        const QString key = QStringLiteral("sk-keychain-%1").arg(QCoreApplication::applicationPid());
        qunsetenv("LOOPSCOPE_TEST_LLM_KEY3");
        SecretStore store(account, QStringLiteral("LOOPSCOPE_TEST_LLM_KEY3"));
        QString error;
        if (!store.writeKey(key, &error))
            QSKIP(qPrintable(QStringLiteral("no keychain service answers here: %1").arg(error)));
        QCOMPARE(store.location(), SecretStore::Location::Keychain);
        SecretStore again(account, QStringLiteral("LOOPSCOPE_TEST_LLM_KEY3"));
        QCOMPARE(again.readKey(&error), key);
        QCOMPARE(again.location(), SecretStore::Location::Keychain);
        QVERIFY2(again.removeKey(&error), qPrintable(error));
        QVERIFY(again.readKey().isEmpty()); // gone, and no variable to fall back on
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
