// Each seed scenario, at a small time scale, reproduces the shape the seed describes.
#include "scenario/scenariorunner.h"
#include "scenariorun.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

class TestScenarios : public QObject
{
    Q_OBJECT

private:
    static RunResult run(const QString &name, double timeScale) { return runScenario(name, timeScale); }
    static double metric(const RunResult &r, const QString &variant, const char *name)
    {
        for (const VariantResult &v : r.variants) {
            if (v.name == variant)
                return v.metrics.value(QLatin1String(name), -1);
        }
        return -1;
    }

private slots:
    void builtinsLoad()
    {
        const QStringList names = Scenario::builtinNames();
        QVERIFY(names.size() >= 8);
        for (const QString &n : names) {
            Scenario s;
            QString error;
            QVERIFY2(Scenario::open(n, &s, &error), qPrintable(error));
            QVERIFY(!s.titleEn.isEmpty() && !s.titleZh.isEmpty());
            QVERIFY(!s.explanationEn.isEmpty() && !s.explanationZh.isEmpty());
            QVERIFY(s.variants.size() >= 2);
            QVERIFY(!s.expected.isEmpty());
        }
    }

    // metric(A) / metric(B) must be at least minRatio (or at most 1/minRatio when < 1).
    void shape_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<double>("timeScale");
        QTest::addColumn<QString>("metric");
        QTest::addColumn<double>("minRatio");
        QTest::addRow("pseudo-async: blocking total >= 3x executor")
            << "pseudo_async" << 0.1 << "makespan_s" << 3.0;
        QTest::addRow("100 users: sync last user >= 5x async")
            << "pipeline_100_users" << 0.05 << "latency_max_s" << 5.0;
        QTest::addRow("gather: serial >= 2x gathered") << "gather" << 0.1 << "latency_max_s" << 2.0;
        QTest::addRow("batch: one by one >= 5x concurrent")
            << "batch_inserts" << 0.1 << "latency_max_s" << 5.0;
        // A generous shape: per-request costs the delays do not scale (a sanitizer build, a busy
        // machine) are added to both sides and shrink the ratio; a release build on a quiet
        // machine shows more than 5x.
        QTest::addRow("streaming: whole reply TTFT >= 3x streamed")
            << "streaming" << 0.1 << "ttft_p50_s" << 3.0;
        QTest::addRow("executor: default pool slower than 10 threads")
            << "executor_saturation" << 0.1 << "makespan_s" << 0.0;
        QTest::addRow("polling: awaiting faster than polling")
            << "polling_worker" << 0.2 << "latency_mean_s" << 0.0;
        QTest::addRow("prefetch: without slower than with") << "prefetch" << 0.2 << "latency_mean_s" << 1.15;
        QTest::addRow("autoscale: fixed 2 workers >= 1.5x the supervisor's")
            << "autoscale" << 0.1 << "makespan_s" << 1.5;
        QTest::addRow("resources: sync last user >= 5x async")
            << "resources" << 0.05 << "latency_max_s" << 5.0;
    }
    void shape()
    {
        QFETCH(QString, scenario);
        QFETCH(double, timeScale);
        QFETCH(QString, metric);
        QFETCH(double, minRatio);
        const RunResult r = run(scenario, timeScale);
        QCOMPARE(r.variants.size(), 2);
        for (const VariantResult &v : r.variants) {
            QVERIFY2(v.error.isEmpty(), qPrintable(v.error));
            QCOMPARE(v.metrics.value(QStringLiteral("errors")), 0.0);
            QCOMPARE(v.server.size(), v.client.size()); // every request joined with the server's
        }
        const double a = this->metric(r, QStringLiteral("A"), qPrintable(metric));
        const double b = this->metric(r, QStringLiteral("B"), qPrintable(metric));
        QVERIFY(a > 0 && b > 0);
        const QString info = QStringLiteral("A %1, B %2").arg(a).arg(b);
        if (scenario == QLatin1String("executor_saturation")) {
            // 40 users: ceil(40/10) = 4 rounds vs ceil(40/default) rounds; default is 6 here.
            const int pool = QThread::idealThreadCount() + 4;
            if (std::min(32, pool) < 10)
                QVERIFY2(b > a * 1.2, qPrintable(info));
            QVERIFY(this->metric(r, QStringLiteral("A"), "pool_queued_peak") >= 20);
        } else if (scenario == QLatin1String("polling_worker")) {
            QVERIFY2(b > a + 0.25 * 0.2 * 0.5, qPrintable(info)); // + a quarter of the scaled poll interval
            QVERIFY(this->metric(r, QStringLiteral("B"), "server_wait_max_s") > 0.05);
            QVERIFY(this->metric(r, QStringLiteral("A"), "server_wait_max_s") < 0.05);
        } else {
            QVERIFY2(a >= b * minRatio, qPrintable(info));
        }
        if (scenario == QLatin1String("autoscale")) {
            // Grew from 2 to 4 on the burst and retired back to 2, each decision with its reason.
            QCOMPARE(this->metric(r, QStringLiteral("A"), "workers_peak"), 2.0);
            QCOMPARE(this->metric(r, QStringLiteral("B"), "workers_peak"), 4.0);
            QCOMPARE(this->metric(r, QStringLiteral("B"), "workers_last"), 2.0);
            QCOMPARE(r.variants[1].scaleEvents.size(), 4);
            QVERIFY(r.variants[1].scaleEvents.first().reason.contains(QLatin1String("waiting > 10")));
        } else if (scenario == QLatin1String("resources")) {
            // The same work in a shorter time: the async server's threads are busier per second.
            const double cpuA = this->metric(r, QStringLiteral("A"), "server_cpu_util_pct");
            const double cpuB = this->metric(r, QStringLiteral("B"), "server_cpu_util_pct");
            QVERIFY2(cpuA >= 0 && cpuB > cpuA,
                     qPrintable(QStringLiteral("server CPU A %1 %, B %2 %").arg(cpuA).arg(cpuB)));
            for (const char *v : { "A", "B" })
                QVERIFY(this->metric(r, QLatin1String(v), "rss_peak_mb") > 1);
        }
    }

    // A figure with plus_unscaled gets a pass of its variant at a tenth of the run's time scale,
    // run first; what did not shrink in it joins the expected time. The pass's requests are not
    // the variant's.
    void shortPassJoinsTheExpectation()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("short.json"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"name":"short","title":{"en":"s","zh":"s"},"explanation":{"en":"s","zh":"s"},
            "server":{"mode":"blocking","db_read_s":0.1,"db_write_s":0.05,"llm_latency_s":0,"workers":1},
            "load":{"model":"closed","users":10,"requests_per_user":1},
            "variants":[{"name":"A"},{"name":"B","server":{"mode":"async"}}],
            "expected":[{"variant":"A","metric":"makespan_s","value":1.5,"tolerance":0.5,"plus_unscaled":true},
                        {"variant":"B","metric":"makespan_s","value":0.15,"tolerance":0.5}]})");
        f.close();
        const double scale = 0.2;
        const RunResult r = runScenario(path, scale);
        QCOMPARE(r.variants.size(), 2);
        const VariantResult &a = r.variants[0];
        const VariantResult &b = r.variants[1];
        QVERIFY2(a.error.isEmpty(), qPrintable(a.error));
        QCOMPARE(a.client.size(), 10);
        QCOMPARE(a.server.size(), 10); // only the variant's own requests
        QVERIFY(b.shortPassMetrics.isEmpty()); // no figure of B asked for one
        QCOMPARE(a.shortPassTimeScale, scale * 0.1);
        const double pass = a.shortPassMetrics.value(QStringLiteral("makespan_s"), -1);
        // The pass ran at a tenth of the scale: 10 users one after another at 0.15 s x 0.02 take
        // 0.03 s, far less than the variant's 0.3 s.
        QVERIFY2(pass >= 1.5 * scale * 0.1 && pass < 0.5 * 1.5 * scale, qPrintable(QString::number(pass)));
        QVERIFY(a.metrics.value(QStringLiteral("makespan_s")) > 1.5 * scale);
        const auto checkOf = [](const RunResult &run, const QString &variant) {
            for (const FigureCheck &c : run.checks) {
                if (c.figure.variant == variant)
                    return c;
            }
            return FigureCheck();
        };
        const FigureCheck ca = checkOf(r, QStringLiteral("A"));
        const double unscaled = pass - 1.5 * scale * 0.1;
        QVERIFY(qAbs(ca.unscaled - unscaled) < 1e-9);
        QVERIFY(qAbs(ca.delaysOnly - 1.5 * scale) < 1e-9);
        // From the longer of the delays' 0.3 s and the unscaled part to their sum, widened by
        // the relative tolerance of the middle.
        QVERIFY(qAbs(ca.expected + ca.allowed - (1.5 * scale + unscaled) - 0.5 * ca.expected) < 1e-9);
        QVERIFY(ca.expected - ca.allowed <= std::max(1.5 * scale, unscaled));
        QVERIFY(qIsNaN(checkOf(r, QStringLiteral("B")).unscaled));
        QVERIFY2(ca.pass, qPrintable(ca.expectation()));

        // run.json keeps the pass's figures, so `loopscope report` judges the run the same way.
        RunResult back;
        QString error;
        QVERIFY2(RunResult::fromJson(r.toJson(), &back, &error), qPrintable(error));
        QCOMPARE(checkOf(back, QStringLiteral("A")).unscaled, ca.unscaled);
        QCOMPARE(checkOf(back, QStringLiteral("A")).expected, ca.expected);

        // Without the pass (a run made in the window), the figure cannot be judged: not a FAIL.
        RunResult without = r;
        without.variants[0].shortPassMetrics.clear();
        without.evaluate();
        const FigureCheck cw = checkOf(without, QStringLiteral("A"));
        QVERIFY(!cw.notApplicable.isEmpty());
        QVERIFY(qIsNaN(cw.unscaled));
    }

    // A scenario file from elsewhere is run as it is: a load this machine cannot try, or a
    // file that is not a scenario, is refused with a message.
    void hostileScenarioFile_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("messagePart");
        QTest::addRow("truncated") << QByteArray(R"({"name":"x","variants":[{"name":)")
                                   << QStringLiteral("not valid JSON");
        QTest::addRow("an array") << QByteArray("[]") << QStringLiteral("not a scenario");
        QTest::addRow("no variants") << QByteArray(R"({"name":"x"})")
                                     << QStringLiteral("at least one variant");
        QTest::addRow("a billion users")
            << QByteArray(R"({"name":"x","load":{"users":1000000000},"variants":[{"name":"a"}]})")
            << QStringLiteral("users must be");
        QTest::addRow("negative think time")
            << QByteArray(R"({"name":"x","variants":[{"name":"a","load":{"think_s":-1}}]})")
            << QStringLiteral("think_s");
        QTest::addRow("a year of duration")
            << QByteArray(R"({"name":"x","variants":[{"name":"a","load":{"duration_s":3.2e7}}]})")
            << QStringLiteral("duration_s");
        QTest::addRow("1000 threads")
            << QByteArray(R"({"name":"x","variants":[{"name":"a","load":{"threads":1000}}]})")
            << QStringLiteral("threads");
    }

    void hostileScenarioFile()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, messagePart);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("scenario.json"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(content);
        f.close();
        Scenario s;
        QString error;
        QVERIFY(!Scenario::open(path, &s, &error));
        QVERIFY2(error.contains(messagePart), qPrintable(error));
        QVERIFY2(error.contains(path), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestScenarios)
#include "tst_scenarios.moc"
