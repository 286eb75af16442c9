// Issue 18, "never teach the wrong thing": time a request spent ready but waiting for a busy loop
// is its own phase (loop_wait), not the awaited step's; the process pool's CPU is counted; and
// the built-in scenarios expect only times and ratios, with multi-core lessons marked as such.
// Timing claims here are shapes with generous bounds; figures belong to tests/bench.
#include "base/delays.h"
#include "loop/epolleventdispatcher.h"
#include "pipeline/conversationmanager.h"
#include "pipeline/dispatch.h"
#include "pipeline/processpool.h"
#include "pipeline/requesttrace.h"
#include "report/runexport.h"
#include "scenario/scenariorunner.h"
#include "scenariorun.h"
#include "serverfixture.h"
#include "trace/servercounters.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QThreadPool>
#include <qcoro/qcorotask.h>

namespace {

double ms(const TraceSpan &s)
{
    return double(s.endNs - s.startNs) / 1e6;
}

QList<const TraceSpan *> spansOf(const RequestRecord &r, Phase phase)
{
    QList<const TraceSpan *> out;
    for (int i = 0; i < r.spanCount; ++i) {
        if (r.spans[size_t(i)].phase == phase)
            out << &r.spans[size_t(i)];
    }
    return out;
}

} // namespace

class TestLoopWait : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { ProcessPool::setProgram(QStringLiteral(LOOPSCOPE_BINARY)); }

    // The case: cpu_bound A at time scale 0.25. The DB read is a 25 ms wait and the LLM
    // call 125 ms; whatever the loop spent on other requests' CPU work after that is loop_wait.
    void asyncWaitsKeepTheirTrueLength()
    {
        const RunResult r = runScenario(QStringLiteral("cpu_bound"), 0.25, QStringLiteral("A"));
        QCOMPARE(r.variants.size(), 1);
        const VariantResult &v = r.variants.front();
        QVERIFY2(v.error.isEmpty(), qPrintable(v.error));
        QCOMPARE(v.server.size(), 4);
        int dbReads = 0, llms = 0;
        for (const RequestRecord &rec : v.server) {
            QCOMPARE(rec.status, quint16(200));
            for (const TraceSpan *s : spansOf(rec, Phase::DbRead)) {
                ++dbReads;
                QVERIFY2(std::abs(ms(*s) - 25) <= 5,
                         qPrintable(QStringLiteral("request %1: db_read %2 ms").arg(rec.id).arg(ms(*s))));
            }
            for (const TraceSpan *s : spansOf(rec, Phase::Llm)) {
                ++llms;
                QVERIFY2(std::abs(ms(*s) - 125) <= 15,
                         qPrintable(QStringLiteral("request %1: llm %2 ms").arg(rec.id).arg(ms(*s))));
            }
            // Each loop_wait starts where an awaited step stopped, on the same (loop) thread.
            for (const TraceSpan *w : spansOf(rec, Phase::LoopWait)) {
                bool follows = false;
                for (int i = 0; i < rec.spanCount; ++i) {
                    const TraceSpan &s = rec.spans[size_t(i)];
                    follows |= &s != w && s.endNs == w->startNs && s.thread == w->thread;
                }
                QVERIFY2(follows,
                         qPrintable(QStringLiteral("request %1: a loop_wait follows nothing").arg(rec.id)));
            }
        }
        QCOMPARE(dbReads, 4);
        QCOMPARE(llms, 4);
        // Request 2's DB read finished at ~27 ms; request 1's CPU work held the loop until ~280 ms.
        const auto second = std::find_if(v.server.begin(), v.server.end(),
                                         [](const RequestRecord &rec) { return rec.id == 2; });
        QVERIFY(second != v.server.end());
        QVERIFY2(phaseTotalNs(*second, Phase::LoopWait) >= 200'000'000,
                 qPrintable(QStringLiteral("request 2 loop_wait %1 ms")
                                .arg(double(phaseTotalNs(*second, Phase::LoopWait)) / 1e6)));
        // The run summary, the report's figure and requests.csv carry it.
        QVERIFY(v.metrics.value(QStringLiteral("loop_wait_s")) >= 0.2);
        QVERIFY(v.metrics.value(QStringLiteral("loop_wait_max_s")) >= 0.2);
        const QList<QByteArray> csv = RunExport::requestsCsv(r).split('\n');
        const int column = csv.front().split(',').indexOf("server_loop_wait_ms");
        QVERIFY(column > 0);
        double csvSum = 0;
        for (qsizetype i = 1; i < csv.size(); ++i) {
            if (!csv[i].isEmpty())
                csvSum += csv[i].split(',').value(column).toDouble();
        }
        QVERIFY(std::abs(csvSum / 1e3 - v.metrics.value(QStringLiteral("loop_wait_s"))) < 0.01);
    }

    // Blocking mode really sleeps on the loop: nothing is ever ready and waiting, so no loop_wait.
    void blockingModeHasNone()
    {
        const RunResult r = runScenario(QStringLiteral("pseudo_async"), 0.05, QStringLiteral("A"));
        QCOMPARE(r.variants.size(), 1);
        const VariantResult &v = r.variants.front();
        QVERIFY(!v.server.isEmpty());
        for (const RequestRecord &rec : v.server)
            QCOMPARE(phaseTotalNs(rec, Phase::LoopWait), 0);
    }

    // Executor mode: the pool thread finishes the pipeline, but the loop that awaits the future is
    // held (here by a 300 ms computation of its own): the rest is loop_wait after the pool step.
    void executorPoolStepThenLoopWait()
    {
        QTemporaryDir dir;
        auto store = std::make_shared<HistoryStore>(dir.filePath(QStringLiteral("h.sqlite")));
        QVERIFY(store->open());
        SimulatedLlmConfig llmConfig;
        llmConfig.latency.mean = 0.02;
        auto manager
            = std::make_shared<ConversationManager>(store, std::make_shared<SimulatedLlm>(llmConfig));
        ServerCounters counters;
        QThreadPool pool;
        Dispatcher dispatcher(manager, &counters, &pool, nullptr, nullptr);
        TraceRecorder recorder;
        ServerConfig config = ServerFixture::quickConfig();
        config.mode = DispatchMode::Executor;
        config.dbReadSeconds = 0.01;
        ChatRequest request;
        request.userId = QStringLiteral("u");
        request.message = QStringLiteral("hello");
        RequestRecord initial;
        initial.id = 1;
        initial.mode = DispatchMode::Executor;
        RequestTrace trace(&recorder, initial);
        const TokenSink onToken;
        const CancelToken cancel;

        QThread loop;
        loop.setEventDispatcher(new EpollEventDispatcher);
        loop.start();
        QObject context;
        context.moveToThread(&loop);
        std::atomic<int> status { 0 };
        qint64 busyUntilNs = 0;
        QMetaObject::invokeMethod(&context, [&] {
            const DispatchCall call { request, config, trace, onToken, cancel };
            QCoro::connect(dispatcher.run(DispatchMode::Executor, call), &context,
                           [&status](const ChatResult &r) { status.store(r.ok ? 200 : r.httpStatus); });
            Delays::blockFor(300'000'000); // the loop computes; the pool thread finishes meanwhile
            busyUntilNs = TraceClock::nowNs();
        });
        QTRY_VERIFY_WITH_TIMEOUT(status.load() != 0, 10000);
        QCOMPARE(status.load(), 200);
        loop.quit();
        loop.wait();

        const RequestRecord &rec = trace.record();
        const QList<const TraceSpan *> waits = spansOf(rec, Phase::LoopWait);
        QCOMPARE(waits.size(), 1);
        const TraceSpan &w = *waits.front();
        // After every step of the pool thread...
        for (int i = 0; i < rec.spanCount; ++i) {
            const TraceSpan &s = rec.spans[size_t(i)];
            if (&s != &w)
                QVERIFY(s.endNs <= w.startNs);
        }
        QVERIFY(!spansOf(rec, Phase::DbRead).isEmpty() && !spansOf(rec, Phase::Llm).isEmpty());
        QVERIFY(w.thread != spansOf(rec, Phase::Llm).front()->thread); // on the loop, not the pool
        // ... until the loop was free again: most of the 300 ms.
        QVERIFY2(ms(w) >= 150, qPrintable(QStringLiteral("loop_wait %1 ms").arg(ms(w))));
        QVERIFY(w.endNs >= busyUntilNs);
    }

    // Every CPU the run used is counted: cpu_bound D's pool processes join the process figure as
    // their own series and on their own lanes.
    void poolProcessesCpuIsCounted()
    {
        if (RunResult::availableCores() < 2)
            QSKIP("two pool processes computing at once need two cores");
        const RunResult r = runScenario(QStringLiteral("cpu_bound"), 1.0, QStringLiteral("D"));
        QCOMPARE(r.variants.size(), 1);
        const VariantResult &v = r.variants.front();
        QVERIFY2(v.error.isEmpty(), qPrintable(v.error));
        QVERIFY(v.metrics.value(QStringLiteral("pool_cpu_util_pct")) > 0);
        // The same rule as the scenario's own "not applicable": cores other processes kept busy
        // during the run could not have run a pool process.
        const double busyElsewhere = r.machine.value(QStringLiteral("cores_busy_elsewhere")).toDouble();
        if (RunResult::availableCores() - std::lround(busyElsewhere) < 2)
            QSKIP(qPrintable(
                QStringLiteral("other processes kept %1 core(s) busy during the run").arg(busyElsewhere)));
        // Two processes computing at once: about two cores while it computes (the peak window).
        QVERIFY2(v.metrics.value(QStringLiteral("cpu_peak_pct")) >= 150,
                 qPrintable(
                     QStringLiteral("cpu_peak_pct %1").arg(v.metrics.value(QStringLiteral("cpu_peak_pct")))));
        double processLanes = 0;
        for (const CounterSample &s : v.counters) {
            if (!s.laneCpu)
                continue;
            for (const LaneCpu &l : *s.laneCpu) {
                if (v.threadKinds.value(l.lane) == LaneKind::Process)
                    processLanes += l.pct;
            }
        }
        QVERIFY2(processLanes > 100, qPrintable(QStringLiteral("process lanes %1").arg(processLanes)));
    }

    // The figures built-in scenarios expect hold on any machine: times that follow from their
    // delays, or ratios between their variants; no absolute CPU %, MB or requests/s.
    void builtinExpectationsArePortable()
    {
        for (const QString &name : Scenario::builtinNames()) {
            Scenario s;
            QString error;
            QVERIFY2(Scenario::open(name, &s, &error), qPrintable(error));
            for (const ExpectedFigure &f : s.expected) {
                const bool absolute = f.metric.endsWith(QLatin1String("_pct"))
                    || f.metric.endsWith(QLatin1String("_mb")) || f.metric.endsWith(QLatin1String("_rps"));
                QVERIFY2(!absolute || !f.ratioTo.isEmpty(),
                         qPrintable(QStringLiteral("%1 %2 %3 is absolute").arg(name, f.variant, f.metric)));
                QVERIFY2(f.cpuParallelOf == 0,
                         qPrintable(
                             QStringLiteral("%1 %2: a time that depends on the cores").arg(name, f.variant)));
            }
        }
    }

    // A ratio with a bound, and a multi-core lesson on a 1-core machine: "not applicable", not FAIL.
    void ratiosBoundsAndCores()
    {
        RunResult r;
        r.options.timeScale = 0.1;
        r.machine.insert(QStringLiteral("cores_available"), 1);
        ExpectedFigure ratio;
        ratio.variant = QStringLiteral("B");
        ratio.ratioTo = QStringLiteral("A");
        ratio.metric = QStringLiteral("server_cpu_util_pct");
        ratio.atLeast = 3;
        ExpectedFigure parallel = ratio;
        parallel.metric = QStringLiteral("makespan_s");
        parallel.atLeast = qQNaN();
        parallel.atMost = 0.8;
        parallel.minCores = 2;
        r.scenario.expected = { ratio, parallel };
        VariantResult a, b;
        a.name = QStringLiteral("A");
        b.name = QStringLiteral("B");
        a.metrics = { { QStringLiteral("server_cpu_util_pct"), 2.0 }, { QStringLiteral("makespan_s"), 1.0 } };
        b.metrics = { { QStringLiteral("server_cpu_util_pct"), 7.0 }, { QStringLiteral("makespan_s"), 1.0 } };
        r.variants = { a, b };
        r.evaluate();
        QCOMPARE(r.checks.size(), 2);
        QCOMPARE(r.checks[0].measured, 3.5); // not time-scaled: both sides scale alike
        QCOMPARE(r.checks[0].expected, 3.0);
        QVERIFY(r.checks[0].pass);
        QCOMPARE(r.checks[1].notApplicable, QStringLiteral("1 core"));
        QCOMPARE(r.checks[1].verdict(), QStringLiteral("not applicable: 1 core"));
        QVERIFY(r.passed());

        r.variants[1].metrics[QStringLiteral("server_cpu_util_pct")] = 5.0; // 2.5x: below the bound
        r.machine.insert(QStringLiteral("cores_available"), 2); // now the speed-up must show
        r.evaluate();
        QVERIFY(!r.checks[0].pass);
        QVERIFY(r.checks[1].notApplicable.isEmpty());
        QVERIFY(!r.checks[1].pass); // 1.0 > 0.8
        QCOMPARE(r.checks[1].verdict(), QStringLiteral("FAIL"));
    }
};

QTEST_GUILESS_MAIN(TestLoopWait)
#include "tst_loopwait.moc"
