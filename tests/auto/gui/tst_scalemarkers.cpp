// The window's side of the auto-scaling supervisor and the resource tracks: scale decisions become
// markers across the counter plots (labelled in the top one), resource figures become series.
#include "plots/counterplot.h"
#include "plots/counterplotspanel.h"
#include "timelineview/timeviewstate.h"

#include <QTest>

class TestScaleMarkers : public QObject
{
    Q_OBJECT
private slots:
    void markersFollowTheEvents()
    {
        TimeViewState state;
        state.setOrigin(1'000'000'000);
        CounterPlotsPanel panel(&state);
        const QList<CounterPlot *> plots = panel.plots();
        QVERIFY(plots.size() >= 2);

        ScaleEvent up;
        up.tNs = 1'500'000'000;
        up.kind = ScaleEvent::Kind::ScaleUp;
        up.reason = QStringLiteral("12 waiting > 10");
        up.workers = 3;
        ScaleEvent down = up;
        down.tNs = 4'000'000'000;
        down.kind = ScaleEvent::Kind::ScaleDown;
        down.reason = QStringLiteral("worker-2 idle 2.0 s");
        down.workers = 2;

        panel.setScaleEvents({ up, down });
        // A line per event in every plot; the first (top) plot also carries the labels.
        QCOMPARE(plots.first()->markerCount(), 4);
        for (int i = 1; i < plots.size(); ++i)
            QCOMPARE(plots[i]->markerCount(), 2);

        // Live: only new events are added; a new server run (fewer events) starts over.
        panel.clear();
        QCOMPARE(plots.first()->markerCount(), 0);
        panel.syncScaleEvents({ up });
        panel.syncScaleEvents({ up, down });
        QCOMPARE(plots.last()->markerCount(), 2);
        panel.clear();
        panel.syncScaleEvents({ down });
        QCOMPARE(plots.last()->markerCount(), 1);
    }

    void resourceSeriesFilled()
    {
        TimeViewState state;
        CounterPlotsPanel panel(&state);
        CounterSample s;
        s.tNs = 100'000'000;
        s.cpuPct = 50;
        s.rssBytes = 40 << 20;
        s.threads = 7;
        s.workers = 2;
        s.acceptQueue = 12;
        panel.appendSamples({ s });
        CounterPlot *resources = nullptr;
        for (CounterPlot *p : panel.plots()) {
            if (p->title() == QLatin1String("CPU & memory"))
                resources = p;
        }
        QVERIFY(resources);
        QCOMPARE(resources->pointCount(0), 1); // process CPU
        QCOMPARE(resources->pointCount(2), 1); // RSS
        QCOMPARE(resources->pointCount(3), 1); // threads
        QCOMPARE(panel.plots().first()->pointCount(3), 1); // workers, in the load plot
    }
};

QTEST_MAIN(TestScaleMarkers)
#include "tst_scalemarkers.moc"
