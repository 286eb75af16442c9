// Applying the estimated clock offsets between observed hosts (OtlpAssembler::setApplyClockOffsets,
// `loopscope observe --apply-clock-offsets`, the observe panel's check box): how the corrections
// follow from the offsets (ClockCorrections: chains add up, mutual calls keep one reference), and
// that switching them on moves every span and metric point already received from a skewed host by
// the same amount, that a wobble of the estimate below 1 ms moves nothing, and that switching off
// puts every time back exactly as sent.
#include "otlp/clockcorrections.h"
#include "otlp/otlpobserver.h"
#include "skewedhosts.h"
#include "trace/tracerecorder.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

namespace {

using namespace SkewedHosts;
constexpr qint64 SkewB = SkewNs;

QList<RequestRecord> published(const OtlpObserver &observer)
{
    return observer.recorder()->readFrom(0);
}

// Every time of `now` is `then`'s moved back by by(lane).
template<typename By> void compareMoved(const RequestRecord &now, const RequestRecord &then, By &&by)
{
    const qint64 d = by(now.loopThread);
    QCOMPARE(now.startedNs, then.startedNs - d);
    QCOMPARE(now.arrivedNs, then.arrivedNs - d);
    QCOMPARE(now.respondedNs, then.respondedNs - d);
    QCOMPARE(now.spanCount, then.spanCount);
    for (int i = 0; i < now.spanCount; ++i) {
        const qint64 ds = by(now.spans[size_t(i)].thread);
        QCOMPARE(now.spans[size_t(i)].startNs, then.spans[size_t(i)].startNs - ds);
        QCOMPARE(now.spans[size_t(i)].endNs, then.spans[size_t(i)].endNs - ds);
    }
}

int instanceOf(const OtlpMetricStore &store, const QString &host)
{
    const QList<OtlpMetricStore::Instance> in = store.instances();
    for (int i = 0; i < in.size(); ++i)
        if (in[i].host == host)
            return i;
    return -1;
}

} // namespace

class TestClockOffsets : public QObject
{
    Q_OBJECT
private slots:
    void corrections_data();
    void corrections();
    void appliesToWhatArrivedBefore();
    void offLeavesTimesAsSent();
};

void TestClockOffsets::corrections_data()
{
    QTest::addColumn<QList<int>>("pairs"); // from, to, offset ms; ...
    QTest::addColumn<QList<int>>("expected"); // host, correction ms; ...
    QTest::addRow("one call") << QList<int> { 0, 1, 250 } << QList<int> { 0, 0, 1, 250 };
    QTest::addRow("a chain adds up") << QList<int> { 1, 2, 100, 0, 1, 250 }
                                     << QList<int> { 0, 0, 1, 250, 2, 350 };
    QTest::addRow("a host behind its caller") << QList<int> { 0, 1, -40 } << QList<int> { 0, 0, 1, -40 };
    QTest::addRow("mutual calls keep the lowest id")
        << QList<int> { 0, 1, 250, 1, 0, -250 } << QList<int> { 0, 0, 1, 250 };
    QTest::addRow("the front end is the reference") << QList<int> { 1, 0, 30 } << QList<int> { 1, 0, 0, 30 };
    QTest::addRow("two groups") << QList<int> { 0, 1, 10, 2, 3, -20 }
                                << QList<int> { 0, 0, 1, 10, 2, 0, 3, -20 };
    QTest::addRow("a host calling itself is no offset") << QList<int> { 0, 0, 99 } << QList<int> {};
}

void TestClockOffsets::corrections()
{
    QFETCH(QList<int>, pairs);
    QFETCH(QList<int>, expected);
    QMap<QPair<int, int>, qint64> offsets;
    for (qsizetype i = 0; i + 2 < pairs.size(); i += 3)
        offsets.insert({ pairs[i], pairs[i + 1] }, qint64(pairs[i + 2]) * Ms);
    QHash<int, qint64> want;
    for (qsizetype i = 0; i + 1 < expected.size(); i += 2)
        want.insert(expected[i], qint64(expected[i + 1]) * Ms);
    QCOMPARE(ClockCorrections::solve(offsets), want);
}

void TestClockOffsets::appliesToWhatArrivedBefore()
{
    OtlpObserver observer;
    OtlpAssembler &assembler = *observer.assembler();
    OtlpMetricStore &metrics = *observer.metrics();
    // On from the start, as `loopscope observe --apply-clock-offsets` does; nothing is known yet.
    assembler.setApplyClockOffsets(true);
    // B serves a request of its own first, and both hosts send their event-loop delay.
    QVERIFY(assembler.enqueue(batch({ span('x', 1, 0, Otlp::SpanKind::Server, SkewB, SkewB + 40 * Ms, 1) })));
    QVERIFY(metrics.add(delays(0)));
    assembler.drain();
    const QList<RequestRecord> asSent = published(observer);
    QCOMPARE(asSent.size(), 1);
    QCOMPARE(asSent[0].startedNs, assembler.toTraceClock(t0() + quint64(SkewB))); // no estimate: as sent
    const int a = instanceOf(metrics, QStringLiteral("A")), b = instanceOf(metrics, QStringLiteral("B"));
    QVERIFY(a >= 0 && b >= 0);
    const qint64 metricA = metrics.track(a, OtlpMetricStore::Track::LoopDelayMax).value(0).tNs;
    const qint64 metricB = metrics.track(b, OtlpMetricStore::Track::LoopDelayMax).value(0).tNs;
    QCOMPARE(metricB - metricA, SkewB); // the same moment, B's clock 250 ms ahead
    QCOMPARE(assembler.correctionsVersion(), quint64(0));

    // A calls B: the offset is estimated, and B's earlier request moves with everything after it.
    QVERIFY(assembler.enqueue(callFromAToB('y', 1000 * Ms)));
    assembler.drain();
    QCOMPARE(assembler.offsets().value(0).offsetMs, 250.0);
    const QHash<QString, qint64> applied = assembler.appliedCorrectionsNs();
    QCOMPARE(applied, (QHash<QString, qint64> { { QStringLiteral("B"), SkewB } }));
    QCOMPARE(assembler.correctionsVersion(), quint64(1));
    QList<RequestRecord> moved = published(observer);
    QCOMPARE(moved.size(), 3); // B's own, A's, B's answer to A
    const quint16 laneB = moved[0].loopThread;
    const auto byHost = [&](quint16 lane) { return lane == laneB ? SkewB : 0; };
    compareMoved(moved[0], asSent[0], byHost);
    const RequestRecord &front = moved[1], &back = moved[2];
    QVERIFY(front.loopThread != laneB && back.loopThread == laneB);
    // B's answer now lies inside A's call to it, 5 ms after the call began, as on one clock.
    QCOMPARE(back.startedNs - front.startedNs, 15 * Ms);
    QCOMPARE(front.startedNs, assembler.toTraceClock(t0() + 1000 * Ms)); // A is the reference
    // B's metrics move with its spans; A's stay.
    QCOMPARE(metrics.track(b, OtlpMetricStore::Track::LoopDelayMax).value(0).tNs, metricB - SkewB);
    QCOMPARE(metrics.track(a, OtlpMetricStore::Track::LoopDelayMax).value(0).tNs, metricA);
    const RunResult run = observer.buildRun();
    const QJsonObject otlp = run.machine.value(QStringLiteral("otlp")).toObject();
    QCOMPARE(otlp.value(QStringLiteral("clock_offsets_applied")).toBool(), true);
    QCOMPARE(
        otlp.value(QStringLiteral("clock_corrections_ms")).toObject().value(QStringLiteral("B")).toDouble(),
        250.0);
    // metrics.csv: both hosts' delay points at the same moment.
    QList<QByteArray> times;
    for (const QByteArray &row : observer.metricsCsv(run).split('\n'))
        if (row.contains("nodejs.eventloop.delay.max"))
            times.append(row.split(',').value(3));
    QCOMPARE(times.size(), 2);
    QCOMPARE(times[0], times[1]);

    // Another pair whose estimate differs by 0.4 ms (the median moves a little): nothing moves.
    const QList<RequestRecord> before = published(observer);
    QVERIFY(assembler.enqueue(callFromAToB('z', 2000 * Ms, 400'000)));
    assembler.drain();
    QCOMPARE(assembler.correctionsVersion(), quint64(1));
    QCOMPARE(assembler.appliedCorrectionsNs().value(QStringLiteral("B")), SkewB);
    const QList<RequestRecord> after = published(observer);
    QCOMPARE(after.size(), 5);
    for (qsizetype i = 0; i < before.size(); ++i)
        compareMoved(after[i], before[i], [](quint16) { return qint64(0); });
    QCOMPARE(after[4].startedNs - after[3].startedNs, 15 * Ms + 400'000); // the new pair: corrected too

    // Two more pairs 30 ms off: the median moves by 30 ms, so every request of B moves again.
    QVERIFY(assembler.enqueue(callFromAToB('v', 3000 * Ms, 30 * Ms)));
    QVERIFY(assembler.enqueue(callFromAToB('w', 4000 * Ms, 30 * Ms)));
    assembler.drain();
    QCOMPARE(assembler.correctionsVersion(), quint64(2));
    const qint64 newB = SkewB + 30 * Ms;
    QCOMPARE(assembler.appliedCorrectionsNs().value(QStringLiteral("B")), newB);
    const QList<RequestRecord> later = published(observer);
    QCOMPARE(later.size(), 9);
    for (qsizetype i = 0; i < after.size(); ++i)
        compareMoved(later[i], after[i], [&](quint16 lane) { return lane == laneB ? 30 * Ms : 0; });
    QCOMPARE(metrics.track(b, OtlpMetricStore::Track::LoopDelayMax).value(0).tNs, metricB - newB);

    // Off: every time goes back exactly as sent, metrics too.
    assembler.setApplyClockOffsets(false);
    assembler.drain();
    QVERIFY(assembler.appliedCorrectionsNs().isEmpty());
    QCOMPARE(assembler.correctionsVersion(), quint64(3));
    const QList<RequestRecord> restored = published(observer);
    for (qsizetype i = 0; i < restored.size(); ++i)
        compareMoved(restored[i], later[i], [&](quint16 lane) { return lane == laneB ? -newB : 0; });
    compareMoved(restored[0], asSent[0], [](quint16) { return qint64(0); });
    QCOMPARE(metrics.track(b, OtlpMetricStore::Track::LoopDelayMax).value(0).tNs, metricB);
    // And on again: the same correction as before.
    assembler.setApplyClockOffsets(true);
    assembler.drain();
    QCOMPARE(assembler.correctionsVersion(), quint64(4));
    const QList<RequestRecord> again = published(observer);
    for (qsizetype i = 0; i < again.size(); ++i)
        compareMoved(again[i], later[i], [](quint16) { return qint64(0); });
}

void TestClockOffsets::offLeavesTimesAsSent()
{
    OtlpObserver observer;
    OtlpAssembler &assembler = *observer.assembler();
    QVERIFY(assembler.enqueue(callFromAToB('y', 1000 * Ms)));
    QVERIFY(observer.metrics()->add(delays(0)));
    assembler.drain();
    QCOMPARE(assembler.offsets().value(0).offsetMs, 250.0); // estimated and shown
    QVERIFY(assembler.appliedCorrectionsNs().isEmpty()); // but not applied
    const QList<RequestRecord> records = published(observer);
    QCOMPARE(records.size(), 2);
    QCOMPARE(records[1].startedNs - records[0].startedNs, SkewB + 15 * Ms);
    const QJsonObject otlp = observer.buildRun().machine.value(QStringLiteral("otlp")).toObject();
    QCOMPARE(otlp.value(QStringLiteral("clock_offsets_applied")).toBool(), false);
    QVERIFY(otlp.value(QStringLiteral("clock_corrections_ms")).toObject().isEmpty());
}

QTEST_GUILESS_MAIN(TestClockOffsets)
#include "tst_clockoffsets.moc"
