// The observe layout's panel with "Apply clock offsets": switching it on moves what the window
// already shows of a skewed host (its metric series in the counter plots, and it asks the window
// to read the moved requests again); switching it off puts them back as sent.
#include "gui/observepanel.h"
#include "otlp/otlpobserver.h"
#include "plots/counterplot.h"
#include "plots/counterplotspanel.h"
#include "skewedhosts.h"
#include "timeline/timeviewstate.h"
#include "trace/tracerecorder.h"

#include <QCheckBox>
#include <QSignalSpy>
#include <QTest>
#include <qcustomplot.h>

using namespace SkewedHosts;

namespace {

// Time (s on the plots' axis) of the first point of the series called `name`, NaN if none.
double firstPointOf(const CounterPlotsPanel &plots, const QString &name)
{
    for (CounterPlot *p : plots.plots()) {
        for (int g = 0; g < p->plot()->graphCount(); ++g) {
            QCPGraph *graph = p->plot()->graph(g);
            if (graph->name() == name && !graph->data()->isEmpty())
                return graph->data()->constBegin()->key;
        }
    }
    return std::nan("");
}

} // namespace

class TestObservePanel : public QObject
{
    Q_OBJECT
private slots:
    void applyingOffsetsMovesWhatIsShown();
};

void TestObservePanel::applyingOffsetsMovesWhatIsShown()
{
    TimeViewState state;
    CounterPlotsPanel plots(&state);
    ObservePanel panel(&plots);
    OtlpObserver observer;
    OtlpReceiverOptions loopback; // started, so the span counters are plotted from now on only
    loopback.host = QStringLiteral("127.0.0.1");
    loopback.port = 0;
    QString error;
    QVERIFY2(observer.start(loopback, -1, &error), qPrintable(error));
    panel.setObserver(&observer);
    QSignalSpy moved(&panel, &ObservePanel::publishedTimesMoved);
    // B's metrics and a request of its own arrive before any call from A reveals its skew.
    QVERIFY(observer.metrics()->add(delays(0)));
    QVERIFY(observer.assembler()->enqueue(
        batch({ span('x', 1, 0, Otlp::SpanKind::Server, SkewNs, SkewNs + 40 * Ms, 1) })));
    QVERIFY(observer.assembler()->enqueue(callFromAToB('y', 1000 * Ms)));
    observer.assembler()->drain();
    panel.refresh();
    const QString a = QStringLiteral("front @ A [i-1] max"), b = QStringLiteral("back @ B [i-1] max");
    const double aSent = firstPointOf(plots, a), bSent = firstPointOf(plots, b);
    QVERIFY(!std::isnan(aSent) && !std::isnan(bSent));
    QCOMPARE(qRound((bSent - aSent) * 1e3), 250); // as sent: B's clock 250 ms ahead
    RequestRecord own;
    QVERIFY(observer.recorder()->read(0, &own));
    QCOMPARE(moved.count(), 0);

    QCheckBox *apply = nullptr;
    for (QCheckBox *c : panel.findChildren<QCheckBox *>())
        if (c->text() == QLatin1String("Apply clock offsets"))
            apply = c;
    QVERIFY(apply);
    apply->click();
    observer.assembler()->drain();
    panel.refresh();
    QCOMPARE(moved.count(), 1); // the window reads the moved requests again
    QCOMPARE(qRound((firstPointOf(plots, b) - aSent) * 1e3), 0); // the same moment now
    QCOMPARE(firstPointOf(plots, a), aSent);
    RequestRecord ownMoved;
    QVERIFY(observer.recorder()->read(0, &ownMoved));
    QCOMPARE(ownMoved.startedNs, own.startedNs - SkewNs); // received before the skew was known

    apply->click();
    observer.assembler()->drain();
    panel.refresh();
    QCOMPARE(moved.count(), 2);
    QCOMPARE(firstPointOf(plots, b), bSent);
    RequestRecord ownBack;
    QVERIFY(observer.recorder()->read(0, &ownBack));
    QCOMPARE(ownBack.startedNs, own.startedNs);
}

QTEST_MAIN(TestObservePanel)
#include "tst_observepanel.moc"
