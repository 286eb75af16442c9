// Every input in tests/fuzz/corpus/<target>/ (the seeds, and each crash the fuzzers found, kept
// as a regression) goes through the same code as the libFuzzer target, in the ordinary build:
// a finding stays fixed without clang or scripts/fuzz.sh.
#define LOOPSCOPE_FUZZ_NO_MAIN
#include "../fuzz/fuzz_chatrequest.cpp"
#include "../fuzz/fuzz_http.cpp"
#include "../fuzz/fuzz_openai.cpp"
#include "../fuzz/fuzz_otlp.cpp"
#include "../fuzz/fuzz_runjson.cpp"
#include "../fuzz/fuzz_scenario.cpp"
#include "../fuzz/fuzz_sse.cpp"

#include <QDir>
#include <QTest>

class TestFuzzCorpus : public QObject
{
    Q_OBJECT

private slots:
    void replay_data()
    {
        QTest::addColumn<QString>("target");
        QTest::addColumn<QString>("file");
        const QDir root(qEnvironmentVariable("LOOPSCOPE_SOURCE_DIR") + QStringLiteral("/tests/fuzz/corpus"));
        QVERIFY2(root.exists(), qPrintable(root.path()));
        int files = 0;
        for (const QString &target : root.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
            const QDir dir(root.filePath(target));
            for (const QString &name : dir.entryList(QDir::Files)) {
                QTest::addRow("%s/%s", qPrintable(target), qPrintable(name)) << target << dir.filePath(name);
                ++files;
            }
        }
        QVERIFY(files >= 5);
    }

    void replay()
    {
        QFETCH(QString, target);
        QFETCH(QString, file);
        QFile f(file);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray input = f.readAll();
        const auto *data = reinterpret_cast<const uint8_t *>(input.constData());
        const size_t size = size_t(input.size());
        if (target == QLatin1String("fuzz_chatrequest"))
            fuzzChatRequest(data, size);
        else if (target == QLatin1String("fuzz_openai"))
            fuzzOpenAi(data, size);
        else if (target == QLatin1String("fuzz_sse"))
            fuzzSse(data, size);
        else if (target == QLatin1String("fuzz_runjson"))
            fuzzRunJson(data, size);
        else if (target == QLatin1String("fuzz_scenario"))
            fuzzScenario(data, size);
        else if (target == QLatin1String("fuzz_http"))
            fuzzHttp(data, size);
        else if (target == QLatin1String("fuzz_otlp"))
            fuzzOtlp(data, size);
        else
            QFAIL(qPrintable(QStringLiteral("no fuzz target %1").arg(target)));
    }
};

QTEST_GUILESS_MAIN(TestFuzzCorpus)
#include "tst_fuzzcorpus.moc"
