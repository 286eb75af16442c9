// RangeStatistics: the window's Shift+drag figures, computed headless from records.
#include "stats/rangestatistics.h"

#include <QTest>

namespace {

constexpr qint64 Ms = 1'000'000;

RequestRecord record(qint64 arrivedMs, DispatchMode mode, quint16 status, qint64 startedMs = 0,
                     qint64 firstTokenMs = 0, qint64 respondedMs = 0)
{
    RequestRecord r;
    r.arrivedNs = arrivedMs * Ms;
    r.mode = mode;
    r.status = status;
    r.startedNs = startedMs * Ms;
    r.firstTokenNs = firstTokenMs * Ms;
    r.respondedNs = respondedMs * Ms;
    return r;
}

} // namespace

class TestRangeStatistics : public QObject
{
    Q_OBJECT
private slots:
    void countsOnlyArrivalsInsideTheRange()
    {
        RangeStatistics s(1000 * Ms, 2000 * Ms);
        QVERIFY(s.add(record(999, DispatchMode::Async, 200, 999, 0, 1100), 999 * Ms)); // before: skipped
        QVERIFY(s.add(record(1000, DispatchMode::Blocking, 200, 1000, 0, 1200), 1000 * Ms));
        QVERIFY(s.add(record(1999, DispatchMode::Executor, 0), 1999 * Ms)); // still in flight
        QVERIFY(!s.add(record(2000, DispatchMode::Async, 200, 2000, 0, 2100), 2000 * Ms)); // past: stop
        QCOMPARE(s.arrived(), quint64(2));
        QCOMPARE(s.inFlight(), quint64(1));
        QCOMPARE(s.ok(), quint64(1));
        QCOMPARE(s.failed(), quint64(0));
        QCOMPARE(s.arrivedIn(DispatchMode::Blocking), quint64(1));
        QCOMPARE(s.arrivedIn(DispatchMode::Executor), quint64(1));
        QCOMPARE(s.arrivedIn(DispatchMode::Async), quint64(0));
        QCOMPARE(s.total().count(), quint64(1)); // the in-flight one has no latency yet
        QCOMPARE(s.seconds(), 1.0);
        QCOMPARE(s.arrivalsPerSecond(), 2.0);
    }

    void outcomesSplitBySuccess()
    {
        RangeStatistics s(0, 10'000 * Ms);
        for (quint16 status : { 200, 201, 404, 503, 500 })
            s.add(record(10, DispatchMode::Async, status, 10, 0, 20), 10 * Ms);
        QCOMPARE(s.ok(), quint64(2));
        QCOMPARE(s.failed(), quint64(3));
        QCOMPARE(s.total().count(), quint64(5));
    }

    void latenciesCountFromTheBarStart()
    {
        // The seed's staircase: five requests sent together at 0, read at once, served one after
        // another for 100 ms each; the first token comes 10 ms into each turn.
        RangeStatistics s(0, 1000 * Ms);
        for (int i = 0; i < 5; ++i) {
            const qint64 start = 100 * i;
            s.add(record(5, DispatchMode::Blocking, 200, start + 5, start + 15, start + 105), 0);
        }
        const PercentileSummary total = s.total().summary();
        QCOMPARE(total.count, quint64(5));
        QCOMPARE(total.p50Ms, 305.0); // nearest rank: the third of 105, 205, 305, 405, 505
        QCOMPARE(total.maxMs, 505.0);
        QCOMPARE(s.firstToken().summary().p50Ms, 215.0);
        QCOMPARE(s.waitBeforeStart().summary().maxMs, 405.0);
        QCOMPARE(s.waitBeforeStart().summary().minMs, 5.0);

        // Measured from the server's read instead (no send time known): 5 ms less each.
        RangeStatistics fromRead(0, 1000 * Ms);
        for (int i = 0; i < 5; ++i) {
            const qint64 start = 100 * i;
            fromRead.add(record(5, DispatchMode::Blocking, 200, start + 5, 0, start + 105), 5 * Ms);
        }
        QCOMPARE(fromRead.total().summary().p50Ms, 300.0);
        QCOMPARE(fromRead.firstToken().count(), quint64(0)); // none produced a token
    }

    void anEmptyOrReversedRangeCountsNothing()
    {
        RangeStatistics s(500 * Ms, 100 * Ms);
        QVERIFY(!s.add(record(500, DispatchMode::Async, 200, 500, 0, 600), 500 * Ms));
        QCOMPARE(s.arrived(), quint64(0));
        QCOMPARE(s.seconds(), 0.0);
        QCOMPARE(s.total().count(), quint64(0));
    }
};

QTEST_GUILESS_MAIN(TestRangeStatistics)
#include "tst_rangestatistics.moc"
