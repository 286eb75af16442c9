// The simulated model answers in the language the program runs in (the window's, or the
// system's for the headless server), quoting the user's message.
#include "llm/simulatedllm.h"

#include <QLocale>
#include <QRegularExpression>
#include <QTest>

class TestSimulatedLlm : public QObject
{
    Q_OBJECT
private slots:
    void answersInTheProgramsLanguage_data()
    {
        QTest::addColumn<QLocale>("locale");
        QTest::addColumn<bool>("chinese");
        QTest::addRow("en") << QLocale(QLocale::English, QLocale::UnitedStates) << false;
        QTest::addRow("zh_CN") << QLocale(QLocale::Chinese, QLocale::SimplifiedChineseScript, QLocale::China)
                               << true;
    }

    void answersInTheProgramsLanguage()
    {
        QFETCH(QLocale, locale);
        QFETCH(bool, chinese);
        const QLocale before;
        QLocale::setDefault(locale);
        SimulatedLlmConfig config;
        config.latency.mean = 0;
        config.firstTokenSeconds = 0;
        SimulatedLlm llm(config);
        LlmRequest request;
        request.stream = false;
        request.messages = { { QStringLiteral("user"), QStringLiteral("why 42?") } };
        const LlmReply reply = llm.complete(request, {}, {});
        QLocale::setDefault(before);

        QVERIFY(reply.ok());
        QVERIFY2(reply.text.contains(QStringLiteral("why 42?")), qPrintable(reply.text));
        // The text around the quoted message: all Han characters in Chinese, none in English.
        QString own = reply.text;
        own.remove(QStringLiteral("why 42?")).remove(QStringLiteral("LoopScope"));
        const qsizetype han = own.count(QRegularExpression(QStringLiteral("\\p{Han}")));
        const qsizetype latin = own.count(QRegularExpression(QStringLiteral("[A-Za-z]")));
        if (chinese) {
            QVERIFY2(han > 20 && latin == 0, qPrintable(reply.text));
        } else {
            QVERIFY2(han == 0 && latin > 50, qPrintable(reply.text));
        }
    }
};

QTEST_GUILESS_MAIN(TestSimulatedLlm)
#include "tst_simulatedllm.moc"
