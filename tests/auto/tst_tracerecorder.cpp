// The request recorder: many threads writing at once lose nothing; readers never see a torn record.
#include "trace/tracerecorder.h"

#include <QTest>
#include <thread>
#include <vector>

class TestTraceRecorder : public QObject
{
    Q_OBJECT
private slots:
    void concurrentWritersLoseNothing();
    void readersSeeConsistentRecordsWhileWritersRun();
    void wrapsAroundAndCountsDropped();
    void cursorNeverSkipsARecord();
};

void TestTraceRecorder::concurrentWritersLoseNothing()
{
    TraceRecorder recorder(1 << 17);
    constexpr int Threads = 8;
    constexpr int PerThread = 10000;
    std::vector<std::thread> threads;
    for (int t = 0; t < Threads; ++t) {
        threads.emplace_back([&recorder, t] {
            for (int i = 0; i < PerThread; ++i) {
                RequestRecord r;
                r.id = quint64(t) * PerThread + quint64(i) + 1;
                r.worker = qint8(t);
                r.arrivedNs = qint64(i);
                const quint64 seq = recorder.begin(r);
                r.status = 200;
                r.respondedNs = qint64(i) + 5;
                recorder.publish(seq, r);
            }
        });
    }
    for (auto &t : threads)
        t.join();
    QCOMPARE(recorder.count(), quint64(Threads * PerThread));
    const QList<RequestRecord> all = recorder.readFrom(0);
    QCOMPARE(all.size(), Threads * PerThread);
    std::vector<bool> seen(Threads * PerThread + 1, false);
    for (const RequestRecord &r : all) {
        QVERIFY(r.id >= 1 && r.id <= quint64(Threads * PerThread));
        QVERIFY(!seen[r.id]);
        seen[r.id] = true;
        QCOMPARE(r.status, quint16(200)); // the final version, not the first
        QCOMPARE(r.respondedNs, r.arrivedNs + 5);
        QCOMPARE(quint64(r.worker), (r.id - 1) / PerThread);
    }
}

void TestTraceRecorder::readersSeeConsistentRecordsWhileWritersRun()
{
    TraceRecorder recorder(1 << 12);
    std::atomic<bool> done { false };
    std::thread writer([&] {
        RequestRecord r;
        const quint64 seq = recorder.begin(r);
        for (qint64 i = 1; i < 200000; ++i) {
            // Every version keeps arrivedNs == startedNs == respondedNs: a torn read would break it.
            r.arrivedNs = r.startedNs = r.respondedNs = i;
            recorder.publish(seq, r);
        }
        done = true;
    });
    int reads = 0;
    while (!done) {
        RequestRecord r;
        if (recorder.read(0, &r)) {
            QCOMPARE(r.startedNs, r.arrivedNs);
            QCOMPARE(r.respondedNs, r.arrivedNs);
            ++reads;
        }
    }
    writer.join();
    QVERIFY(reads > 0);
}

void TestTraceRecorder::wrapsAroundAndCountsDropped()
{
    TraceRecorder recorder(4096);
    for (int i = 0; i < 5000; ++i) {
        RequestRecord r;
        r.id = quint64(i);
        recorder.begin(r);
    }
    QCOMPARE(recorder.count(), quint64(5000));
    QCOMPARE(recorder.dropped(), quint64(5000 - 4096));
    RequestRecord r;
    QVERIFY(!recorder.read(0, &r)); // overwritten
    QVERIFY(recorder.read(4999, &r)); // newest kept
    QCOMPARE(r.id, quint64(4999));
    QCOMPARE(recorder.readFrom(0).size(), 4096);
}

void TestTraceRecorder::cursorNeverSkipsARecord()
{
    // A reader polling with a cursor while writers run sees every record exactly once.
    TraceRecorder recorder(1 << 16);
    constexpr int Total = 40000;
    std::atomic<bool> done { false };
    std::vector<std::thread> writers;
    for (int t = 0; t < 2; ++t) {
        writers.emplace_back([&recorder, t] {
            for (int i = 0; i < Total / 2; ++i) {
                RequestRecord r;
                r.id = quint64(t * (Total / 2) + i);
                recorder.begin(r);
            }
        });
    }
    std::thread closer([&] {
        for (auto &w : writers)
            w.join();
        done = true;
    });
    std::vector<int> seen(Total, 0);
    quint64 cursor = 0;
    auto drain = [&] {
        for (const RequestRecord &r : recorder.readFrom(cursor, &cursor))
            ++seen[size_t(r.id)];
    };
    while (!done)
        drain();
    closer.join();
    drain();
    QCOMPARE(cursor, quint64(Total));
    QCOMPARE(int(std::count(seen.begin(), seen.end(), 1)), Total);
}

QTEST_GUILESS_MAIN(TestTraceRecorder)
#include "tst_tracerecorder.moc"
