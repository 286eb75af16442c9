// The files `loopscope run` writes: run.json round trip, requests.csv, trace.json validity,
// report.html and report.pdf.
#include "report/htmlreport.h"
#include "report/pdfreport.h"
#include "report/runexport.h"
#include "scenario/scenariorunner.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <map>

class TestReport : public QObject
{
    Q_OBJECT

private:
    RunResult m_run;

private slots:
    void initTestCase()
    {
        Scenario s;
        QString error;
        QVERIFY2(Scenario::open(QStringLiteral("pseudo_async"), &s, &error), qPrintable(error));
        RunOptions o;
        o.timeScale = 0.05;
        ScenarioRunner runner;
        runner.setScenario(s);
        runner.setOptions(o);
        QSignalSpy finished(&runner, &ScenarioRunner::finished);
        QVERIFY(runner.start(&error));
        QVERIFY(finished.wait(60000));
        m_run = runner.result();
        QCOMPARE(m_run.variants.size(), 2);
        QCOMPARE(m_run.variants[0].client.size(), 5);
    }

    void runJsonRoundTrip()
    {
        const QByteArray json = RunExport::runJson(m_run);
        RunResult back;
        QString error;
        QVERIFY2(RunResult::fromJson(QJsonDocument::fromJson(json).object(), &back, &error), qPrintable(error));
        QCOMPARE(back.scenario.name, m_run.scenario.name);
        QCOMPARE(back.variants.size(), m_run.variants.size());
        for (int i = 0; i < back.variants.size(); ++i) {
            const VariantResult &a = m_run.variants[i];
            const VariantResult &b = back.variants[i];
            QCOMPARE(b.client.size(), a.client.size());
            QCOMPARE(b.server.size(), a.server.size());
            QCOMPARE(b.counters.size(), a.counters.size());
            for (int k = 0; k < a.client.size(); ++k) {
                QCOMPARE(b.client[k].tag, a.client[k].tag);
                QCOMPARE(b.client[k].latencyNs(), a.client[k].latencyNs()); // exact: integer ns
                QVERIFY(b.serverRecordFor(b.client[k]) != nullptr);
            }
            QCOMPARE(b.metrics.value(QStringLiteral("makespan_s")), a.metrics.value(QStringLiteral("makespan_s")));
            QCOMPARE(b.latency.p50Ms, a.latency.p50Ms);
        }
        QCOMPARE(back.checks.size(), m_run.checks.size());
        QCOMPARE(back.passed(), m_run.passed());
    }

    void csvRoundTrip()
    {
        const QList<QByteArray> lines = RunExport::requestsCsv(m_run).trimmed().split('\n');
        QCOMPARE(lines.size(), 1 + 10);
        const int columns = int(lines[0].count(',')) + 1;
        int row = 0;
        for (const VariantResult &v : m_run.variants) {
            for (const ClientRecord &c : v.client) {
                const QString line = QString::fromUtf8(lines[++row]);
                QCOMPARE(int(line.count(QLatin1Char(','))) + 1, columns);
                QVERIFY(line.startsWith(v.name + QLatin1Char(',')));
                const QStringList f = line.split(QLatin1Char(','));
                ClientRecord back;
                QVERIFY(ClientRecord::fromCsvRow(f.mid(1, 18).join(QLatin1Char(',')), v.startNs, &back));
                QCOMPARE(back.tag, c.tag);
                QVERIFY(std::abs(back.completeNs - c.completeNs) <= 1000);
                QVERIFY(std::abs(back.intendedNs - c.intendedNs) <= 1000);
                QVERIFY(!f[19].isEmpty()); // server_arrived_ms: joined
            }
        }
    }

    void traceIsValid()
    {
        const QByteArray text = RunExport::traceJson(m_run);
        QJsonParseError pe;
        const QJsonDocument doc = QJsonDocument::fromJson(text, &pe);
        QVERIFY2(doc.isObject(), qPrintable(pe.errorString()));
        // No exponent notation anywhere a number is written.
        QVERIFY(!QRegularExpression(QStringLiteral("[0-9][eE][+-]?[0-9]")).match(QString::fromUtf8(text)).hasMatch());
        const QJsonArray events = doc.object().value(QStringLiteral("traceEvents")).toArray();
        QVERIFY(!events.isEmpty());
        std::map<std::pair<int, qint64>, int> open; // (pid, id) -> depth
        std::map<std::pair<int, int>, double> threadEnd;
        int begins = 0, slices = 0, counters = 0, names = 0;
        for (const QJsonValue &v : events) {
            const QJsonObject e = v.toObject();
            const QString ph = e.value(QStringLiteral("ph")).toString();
            QVERIFY(e.contains(QStringLiteral("name")));
            QVERIFY(e.contains(QStringLiteral("pid")));
            if (ph == QLatin1String("M")) {
                ++names;
                continue;
            }
            QVERIFY(e.value(QStringLiteral("ts")).isDouble());
            QVERIFY(e.value(QStringLiteral("ts")).toDouble() >= 0);
            const int pid = e.value(QStringLiteral("pid")).toInt();
            if (ph == QLatin1String("b") || ph == QLatin1String("e")) {
                QVERIFY(e.contains(QStringLiteral("cat")));
                QVERIFY(e.value(QStringLiteral("id")).isDouble());
                auto &depth = open[{pid, e.value(QStringLiteral("id")).toInteger()}];
                depth += ph == QLatin1String("b") ? 1 : -1;
                QVERIFY(depth >= 0);
                begins += ph == QLatin1String("b");
            } else if (ph == QLatin1String("X")) {
                QVERIFY(e.value(QStringLiteral("dur")).toDouble() >= 0);
                const auto key = std::make_pair(pid, e.value(QStringLiteral("tid")).toInt());
                const double ts = e.value(QStringLiteral("ts")).toDouble();
                QVERIFY2(ts >= threadEnd[key] - 0.001, "X slices on a thread overlap");
                threadEnd[key] = ts + e.value(QStringLiteral("dur")).toDouble();
                ++slices;
            } else if (ph == QLatin1String("C")) {
                QVERIFY(e.value(QStringLiteral("args")).isObject());
                ++counters;
            } else {
                QFAIL(qPrintable(QStringLiteral("unexpected phase ") + ph));
            }
        }
        for (const auto &[key, depth] : open)
            QCOMPARE(depth, 0); // every lifespan closed
        QVERIFY(begins >= 10 * 3); // request, server, phases
        QVERIFY(slices >= 5);       // blocking variant: the loop thread ran the pipeline
        QVERIFY(counters > 0);
        QVERIFY(names >= 4);
    }

    void htmlAndPdf()
    {
        const QByteArray html = HtmlReport::render(m_run);
        QVERIFY(html.startsWith("<!DOCTYPE html>"));
        QVERIFY(html.count("<svg") >= 6); // timeline, counters, latency per variant
        QVERIFY(html.contains("Expected vs measured"));
        QVERIFY(!html.contains("src=\"http")); // self-contained
        const QByteArray pdf = PdfReport::render(m_run);
        QVERIFY(pdf.startsWith("%PDF-1.4"));
        QVERIFY(pdf.trimmed().endsWith("%%EOF"));
        // xref offsets point at the objects
        const qsizetype xref = pdf.lastIndexOf("startxref");
        const qsizetype at = pdf.mid(xref + 10).trimmed().split('\n').first().toLongLong();
        QVERIFY(pdf.mid(at, 4) == "xref");
    }

    // Files from elsewhere: a truncated, corrupted or hostile run.json gives a clear message and
    // no crash (tests/fuzz/fuzz_runjson.cpp explores the rest).
    void hostileRunJson_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("messagePart");
        const QByteArray good = RunExport::runJson(m_run);
        QJsonObject o = QJsonDocument::fromJson(good).object();
        const auto edited = [&o](const char *list, const char *key, double value, const char *inner = nullptr) {
            QJsonObject copy = o;
            QJsonArray variants = copy.value(QStringLiteral("variants")).toArray();
            QJsonObject v = variants[0].toObject();
            QJsonArray records = v.value(QLatin1String(list)).toArray();
            QJsonObject r = records[0].toObject();
            if (inner) {
                QJsonArray spans = r.value(QLatin1String(inner)).toArray();
                QJsonObject s0 = spans[0].toObject();
                s0.insert(QLatin1String(key), value);
                spans[0] = s0;
                r.insert(QLatin1String(inner), spans);
            } else {
                r.insert(QLatin1String(key), value);
            }
            records[0] = r;
            v.insert(QLatin1String(list), records);
            variants[0] = v;
            copy.insert(QStringLiteral("variants"), variants);
            return QJsonDocument(copy).toJson(QJsonDocument::Compact);
        };
        QTest::addRow("empty file") << QByteArray() << QStringLiteral("not valid JSON");
        QTest::addRow("cut in half") << good.left(good.size() / 2) << QStringLiteral("cut short");
        QTest::addRow("binary garbage") << QByteArray("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16) << QStringLiteral("not valid JSON");
        QTest::addRow("an array") << QByteArray("[1, 2, 3]") << QStringLiteral("not a LoopScope run.json");
        QTest::addRow("another program's JSON") << QByteArray(R"({"name":"x","version":2})") << QStringLiteral("not a LoopScope run.json");
        // Would overflow when re-based, and ask the throughput series for ~9e9 buckets.
        QTest::addRow("completion at 9e18 ns") << edited("client_records", "complete_ns", 9e18) << QStringLiteral("complete_ns");
        QTest::addRow("arrival at -9e18 ns") << edited("server_records", "arrived_ns", -9e18) << QStringLiteral("arrived_ns");
        QTest::addRow("span end at 1e300 ns") << edited("server_records", "end_ns", 1e300, "spans") << QStringLiteral("end_ns");
        QTest::addRow("counter at 9e18 ns") << edited("counters", "t_ns", 9e18) << QStringLiteral("t_ns");
    }

    void hostileRunJson()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, messagePart);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("run.json"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(content);
        f.close();
        RunResult run;
        QString error;
        QVERIFY(!RunExport::readRunJson(path, &run, &error));
        QVERIFY2(error.contains(messagePart), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestReport)
#include "tst_report.moc"
