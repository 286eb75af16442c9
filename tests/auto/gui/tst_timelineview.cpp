// The timeline widget drawn by passes: zoomed out over many records (the level of detail) every
// pixel of a row or lane is a legend colour, never a mix; the auto-scaling supervisor's markers
// cross both timelines; the label margin widens by dragging its edge, and the window's other
// timeline and counter plots follow it.
#include "base/threadregistry.h"
#include "gui/theme.h"
#include "timeline/requestrowmodel.h"
#include "timeline/threadlanemodel.h"
#include "timeline/timelinedata.h"
#include "timelinefixtures.h"
#include "timelineview/timelineview.h"
#include "timelineview/timeviewstate.h"

#include <QApplication>
#include <QMouseEvent>
#include <QSet>
#include <QSignalSpy>
#include <QTest>

namespace {

using TimelineFixtures::registerThread;

// 20,000 requests over 100 s on two worker loops and four pool threads, overlapping.
void fill(TimelineData &data)
{
    const quint16 loops[2] = { registerThread(QStringLiteral("worker-0"), LaneKind::WorkerLoop),
                               registerThread(QStringLiteral("worker-1"), LaneKind::WorkerLoop) };
    std::vector<quint16> pool;
    for (int i = 0; i < 4; ++i)
        pool.push_back(registerThread(QStringLiteral("pool-%1").arg(i), LaneKind::PoolThread));
    for (int i = 0; i < 20'000; ++i) {
        RequestRecord r;
        r.id = quint64(i + 1);
        r.arrivedNs = 1'000'000'000 + qint64(i) * 5'000'000;
        r.mode = i % 3 == 0 ? DispatchMode::Blocking : DispatchMode::Executor;
        r.loopThread = loops[i % 2];
        const quint16 th = r.mode == DispatchMode::Executor ? pool[size_t(i % 4)] : r.loopThread;
        qint64 t = r.arrivedNs + (i % 7) * 3'000'000;
        int s = r.beginSpan(Phase::DbRead, t, th);
        r.endSpan(s, t += 40'000'000);
        s = r.beginSpan(Phase::Llm, t, th);
        r.endSpan(s, t += 300'000'000 + (i % 11) * 20'000'000);
        s = r.beginSpan(Phase::Respond, t, r.loopThread);
        r.endSpan(s, t += 1'000'000);
        r.respondedNs = t;
        r.status = 200;
        data.append(r);
    }
}

} // namespace

class TestTimelineView : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { Theme::apply(true); }

    void zoomedOutEveryPixelIsALegendColour()
    {
        TimelineData data;
        fill(data);
        TimeViewState state;
        state.setOrigin(data.at(0).arrivedNs);
        state.setUserRange(data.at(0).arrivedNs, data.latestNs() - data.at(0).arrivedNs);
        const Theme &t = Theme::current();
        QSet<QRgb> allowed { t.base.rgb(), t.grid.rgb(), t.blockedStrip.rgb(), t.nowLine.rgb(),
                             t.axis.rgb() };
        for (const QColor &c : t.category)
            allowed.insert(c.rgb());
        for (const bool threads : { false, true }) {
            TimelineView view(threads ? std::unique_ptr<TimelineModel>(std::make_unique<ThreadLaneModel>())
                                      : std::make_unique<RequestRowModel>(),
                              &data, &state);
            view.resize(900, 300); // request rows: about 72 to a pixel row, drawn from the level of detail
            view.setNow(data.latestNs());
            QImage img(view.size(), QImage::Format_RGB32);
            view.render(&img);
            // The plot, below the ruler, right of the margin; lane separators are grid colour.
            QSet<QRgb> seen;
            int coloured = 0;
            for (int y = TimelineView::RulerHeight + 1; y < img.height(); ++y) {
                for (int x = TimelineView::DefaultLeftMargin; x < img.width() - TimelineView::RightMargin;
                     ++x) {
                    const QRgb px = img.pixel(x, y);
                    seen.insert(px);
                    coloured += px != t.base.rgb();
                }
            }
            for (QRgb px : seen)
                QVERIFY2(allowed.contains(px),
                         qPrintable(QStringLiteral("%1 view: colour #%2 is not in the legend")
                                        .arg(threads ? "thread" : "request")
                                        .arg(px & 0xffffff, 6, 16, QLatin1Char('0'))));
            QVERIFY(coloured > 1000); // something was drawn
            QVERIFY(seen.contains(t.category[size_t(Phase::Llm) + 1].rgb()));
            QVERIFY(seen.contains(t.category[size_t(Phase::DbRead) + 1].rgb()));
            QCOMPARE(seen.contains(t.blockedStrip.rgb()), threads); // the loops' strip: lanes only
        }
    }

    void scaleMarkersCrossBothTimelines()
    {
        TimelineData data;
        fill(data);
        TimeViewState state;
        state.setOrigin(0);
        state.setUserRange(0, 20'000'000'000);
        for (const bool threads : { false, true }) {
            TimelineView view(threads ? std::unique_ptr<TimelineModel>(std::make_unique<ThreadLaneModel>())
                                      : std::make_unique<RequestRowModel>(),
                              &data, &state);
            view.resize(900, 400);
            QImage before(view.size(), QImage::Format_RGB32), after(view.size(), QImage::Format_RGB32);
            view.render(&before);
            ScaleEvent up;
            up.tNs = 10'000'000'000; // the middle of the view
            up.kind = ScaleEvent::Kind::ScaleUp;
            up.reason = QStringLiteral("12 waiting > 10");
            up.workers = 3;
            data.setScaleEvents({ up });
            view.render(&after);
            data.setScaleEvents({});
            // A line across the plot at its time, in the counter plots' "up" colour.
            const int x = view.leftMargin() + int(view.timeAxis().toX(up.tNs));
            const QRgb colour = Theme::current().category[2].rgb();
            int onLine = 0;
            for (int y = TimelineView::RulerHeight + 2; y < view.height(); ++y)
                onLine += after.pixel(x, y) == colour || after.pixel(x + 1, y) == colour;
            QVERIFY2(onLine > (view.height() - TimelineView::RulerHeight) / 3,
                     threads ? "thread view" : "request view");
            QVERIFY(before != after);
        }
    }

    void marginWidensByDraggingItsEdge()
    {
        TimelineData data;
        fill(data);
        TimeViewState state;
        TimelineView view(std::make_unique<ThreadLaneModel>(), &data, &state);
        view.resize(900, 400);
        QSignalSpy changed(&view, &TimelineView::leftMarginChanged);
        const int edge = view.leftMargin();
        QTest::mousePress(&view, Qt::LeftButton, {}, QPoint(edge, 200));
        QMouseEvent move(QEvent::MouseMove, QPointF(edge + 90, 200),
                         view.mapToGlobal(QPointF(edge + 90, 200)), Qt::NoButton, Qt::LeftButton,
                         Qt::NoModifier);
        QApplication::sendEvent(&view, &move);
        QTest::mouseRelease(&view, Qt::LeftButton, {}, QPoint(edge + 90, 200));
        QCOMPARE(view.leftMargin(), edge + 90);
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed.first().first().toInt(), edge + 90);
        // The plot starts where the margin ends: a time's x moved with it.
        QCOMPARE(view.timeAxis().widthPx, double(900 - edge - 90 - TimelineView::RightMargin));
        // Away from the edge a press pans instead; the margin stays.
        QTest::mousePress(&view, Qt::LeftButton, {}, QPoint(500, 200));
        QTest::mouseRelease(&view, Qt::LeftButton, {}, QPoint(520, 200));
        QCOMPARE(view.leftMargin(), edge + 90);
    }
};

QTEST_MAIN(TestTimelineView)
#include "tst_timelineview.moc"
