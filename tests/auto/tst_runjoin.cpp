// The one client/server join (VariantResult::joinServer) that both a scenario run and the
// window's load runs use: which server records are the run's, which are other traffic, and which
// counter samples belong to the run.
#include "scenario/runresult.h"

#include <QTest>

namespace {

constexpr qint64 Ms = 1'000'000;

ClientRecord client(quint64 tag, qint64 intendedNs)
{
    ClientRecord c;
    c.tag = tag;
    c.intendedNs = intendedNs;
    c.sentNs = intendedNs;
    c.completeNs = intendedNs + 50 * Ms;
    c.status = 200;
    return c;
}

RequestRecord server(quint64 id, quint64 tag, qint64 arrivedNs, qint64 respondedNs)
{
    RequestRecord r;
    r.id = id;
    r.clientTag = tag;
    r.arrivedNs = arrivedNs;
    r.startedNs = arrivedNs;
    r.respondedNs = respondedNs;
    r.status = 200;
    r.beginSpan(Phase::Llm, arrivedNs, 1);
    r.endSpan(0, respondedNs);
    return r;
}

CounterSample sample(qint64 tNs)
{
    CounterSample s;
    s.tNs = tNs;
    s.inFlight = 1;
    return s;
}

} // namespace

class TestRunJoin : public QObject
{
    Q_OBJECT

private slots:
    void joinsByTagAndKeepsTheRestAsOther()
    {
        VariantResult v;
        v.startNs = 1000 * Ms;
        v.endNs = 2000 * Ms;
        v.client = { client(11, 1000 * Ms), client(12, 1500 * Ms), client(13, 1900 * Ms) };
        const std::vector<RequestRecord> records {
            server(1, 11, 1001 * Ms, 1040 * Ms), // the run's
            server(2, 0, 900 * Ms, 1200 * Ms), // the chat panel, overlapping the start: other, clipped
            server(3, 12, 1501 * Ms, 1540 * Ms), // the run's
            server(4, 99, 1600 * Ms, 1700 * Ms), // another client's tag: other
            server(5, 0, 100 * Ms, 200 * Ms), // answered before the run: neither
            server(6, 0, 2500 * Ms, 2600 * Ms), // after the run: neither
            server(7, 0, 1700 * Ms, 0), // still in flight at the end: other
            // tag 13 never reached the server
        };
        const QList<CounterSample> samples { sample(999 * Ms), sample(1000 * Ms), sample(2050 * Ms),
                                             sample(2000 * Ms + VariantResult::CounterTailNs),
                                             sample(2000 * Ms + VariantResult::CounterTailNs + 1) };
        v.joinServer(records, samples);

        QCOMPARE(v.server.size(), 2);
        QCOMPARE(v.server[0].id, quint64(1));
        QCOMPARE(v.server[1].id, quint64(3));
        QVERIFY(v.serverRecordFor(v.client[0]));
        QCOMPARE(v.serverRecordFor(v.client[1])->id, quint64(3));
        QCOMPARE(v.serverRecordFor(v.client[2]), nullptr);

        QList<quint64> other;
        for (const RequestRecord &r : std::as_const(v.other))
            other.push_back(r.id);
        QCOMPARE(other, (QList<quint64> { 2, 4, 7 }));
        // Clipped to the run's start, spans included.
        QCOMPARE(v.other[0].arrivedNs, v.startNs);
        QCOMPARE(v.other[0].spans[0].startNs, v.startNs);
        QCOMPARE(v.other[0].respondedNs, 1200 * Ms);

        QCOMPARE(v.counters.size(), 3);
        QCOMPARE(v.counters.first().tNs, 1000 * Ms);
        QCOMPARE(v.counters.last().tNs, 2000 * Ms + VariantResult::CounterTailNs);
    }

    // A second join replaces the first (a run re-joined with fresher records), never appends.
    void joiningAgainReplaces()
    {
        VariantResult v;
        v.startNs = 1000 * Ms;
        v.endNs = 2000 * Ms;
        v.client = { client(11, 1000 * Ms) };
        const std::vector<RequestRecord> records { server(1, 11, 1001 * Ms, 1040 * Ms),
                                                   server(2, 0, 1100 * Ms, 1200 * Ms) };
        v.joinServer(records, { sample(1500 * Ms) });
        v.joinServer(records, { sample(1500 * Ms) });
        QCOMPARE(v.server.size(), 1);
        QCOMPARE(v.other.size(), 1);
        QCOMPARE(v.counters.size(), 1);
    }

    // Client records without a tag (0: none sent) never claim the server's untagged requests.
    void untaggedClientsClaimNothing()
    {
        VariantResult v;
        v.startNs = 1000 * Ms;
        v.endNs = 2000 * Ms;
        v.client = { client(0, 1000 * Ms) };
        const std::vector<RequestRecord> records { server(1, 0, 1001 * Ms, 1040 * Ms) };
        v.joinServer(records, {});
        QVERIFY(v.server.isEmpty());
        QCOMPARE(v.other.size(), 1);
    }
};

QTEST_APPLESS_MAIN(TestRunJoin)
#include "tst_runjoin.moc"
