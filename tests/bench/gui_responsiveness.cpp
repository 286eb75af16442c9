// GUI responsiveness during a 2,000-user run: the real MainWindow at 1600x1000, the in-process
// server in async mode (simulated LLM 2 s, time scale 1), a closed-model burst started from the
// users panel as tst_mainwindow does. While it runs, on the GUI thread:
//   - stalls: a 5 ms PreciseTimer records how late each tick fires (gap - 5 ms);
//   - refresh: paint events of the two timelines and afterReplot of every counter plot, per second;
//   - cost: the pull timer's own time per tick, and the slowest top-level event deliveries.
// Built with the project, never run by CTest. Run (see docs/BENCHMARKS.md):
//   xvfb-run -a -s "-screen 0 1600x1000x24" build-gui/tests/bench/bench_gui_responsiveness [users] [requests]
#include "gui/mainwindow.h"
#include "gui/theme.h"
#include "http/chatserver.h"
#include "plots/counterplot.h"
#include "plots/counterplotspanel.h"
#include "server/servercontrolpanel.h"
#include "timelineview/timelineview.h"
#include "timelineview/timeviewstate.h"
#include "users/userspanel.h"

#include <QAbstractButton>
#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QSpinBox>
#include <QTextStream>
#include <QTimer>
#include <algorithm>
#include <map>
#include <qcustomplot.h>
#include <vector>

namespace {

// Times every top-level event delivery on the GUI thread (nested deliveries are inside it).
class TimedApp : public QApplication
{
public:
    using QApplication::QApplication;
    bool notify(QObject *receiver, QEvent *event) override
    {
        if (!recording || QThread::currentThread() != thread())
            return QApplication::notify(receiver, event);
        if (m_depth > 0) { // nested: only the paints of the timelines and plots are timed
            if (event->type() != QEvent::Paint || !paintTimed.contains(receiver))
                return QApplication::notify(receiver, event);
            QElapsedTimer t;
            t.start();
            const bool r = QApplication::notify(receiver, event);
            paintMs[paintTimed.value(receiver)].push_back(double(t.nsecsElapsed()) / 1e6);
            return r;
        }
        ++m_depth;
        QElapsedTimer t;
        t.start();
        const int type = event->type();
        const char *cls = receiver->metaObject()->className(); // the receiver may be gone after
        const QString name = receiver->objectName();
        const bool isPull = receiver == pullTimer;
        const bool r = QApplication::notify(receiver, event);
        const double ms = double(t.nsecsElapsed()) / 1e6;
        --m_depth;
        if (!recording)
            return r; // quit() closes the window: not part of the run
        if (isPull && type == QEvent::Timer)
            pullMs.push_back(ms);
        if (type == QEvent::UpdateRequest)
            repaintMs.push_back(ms); // the window's backing store: every dirty widget painted
        if (type == QEvent::MetaCall && qstrcmp(cls, "QCustomPlot") == 0)
            replotMs.push_back(ms); // a queued replot
        if (ms > 20) {
            const QString key
                = QStringLiteral("%1 %2 (%3)").arg(QString::fromLatin1(cls)).arg(type).arg(name);
            if (clock)
                slowAt.push_back(QStringLiteral("%1 ms at %2 s: %3")
                                     .arg(ms, 0, 'f', 1)
                                     .arg(double(clock->nsecsElapsed()) / 1e9, 0, 'f', 2)
                                     .arg(key));
            auto &s = slow[key];
            s.first++;
            s.second = std::max(s.second, ms);
        }
        return r;
    }
    bool recording = false;
    QObject *pullTimer = nullptr;
    std::vector<double> pullMs, repaintMs, replotMs;
    QHash<QObject *, int> paintTimed; // 0: request timeline, 1: thread timeline, 2: a plot
    std::vector<double> paintMs[3];
    std::map<QString, std::pair<int, double>> slow; // count, max ms
    QStringList slowAt;
    const QElapsedTimer *clock = nullptr;

private:
    int m_depth = 0;
};

class PaintCounter : public QObject
{
public:
    bool eventFilter(QObject *o, QEvent *e) override
    {
        if (e->type() == QEvent::Paint && recording)
            paints[o].push_back(clock.nsecsElapsed());
        return false;
    }
    bool recording = false;
    QElapsedTimer clock;
    std::map<QObject *, std::vector<qint64>> paints;
};

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, size_t(p * double(v.size() - 1) + 0.5))];
}

// Frames per second over the whole-second buckets of [0, endNs): min and median.
std::pair<double, double> rates(const std::vector<qint64> &times, qint64 endNs)
{
    const int seconds = int(endNs / 1'000'000'000);
    if (seconds < 1)
        return { 0, 0 };
    std::vector<double> perSecond(size_t(seconds), 0);
    for (qint64 t : times)
        if (t / 1'000'000'000 < seconds)
            perSecond[size_t(t / 1'000'000'000)]++;
    return { *std::min_element(perSecond.begin(), perSecond.end()), percentile(perSecond, 0.5) };
}

} // namespace

int main(int argc, char *argv[])
{
    TimedApp app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("LoopScopeBench"));
    const int users = argc > 1 ? QString::fromLocal8Bit(argv[1]).toInt() : 2000;
    const int requests = argc > 2 ? QString::fromLocal8Bit(argv[2]).toInt() : 1;
    QTextStream out(stdout);

    Theme::apply(true);
    ChatServer server;
    MainWindow window(&server);
    window.resize(1600, 1000);
    window.show();
    for (QTimer *t : window.findChildren<QTimer *>(Qt::FindDirectChildrenOnly))
        if (t->interval() == 33)
            app.pullTimer = t;

    ServerControlPanel *panel = window.serverPanel();
    ServerConfig c = panel->config();
    c.port = 0;
    c.mode = DispatchMode::Async;
    c.timeScale = 1.0; // the simulated LLM call: 2 s (its default latency)
    c.dbPath = QDir::temp().filePath(
        QStringLiteral("loopscope-bench-gui-%1.sqlite").arg(QCoreApplication::applicationPid()));
    panel->setConfig(c);
    panel->setDatabasePath(c.dbPath);
    panel->startServer(); // off the GUI thread
    panel->waitIdle();
    if (!server.isRunning()) {
        out << "the server did not start" << Qt::endl;
        return 1;
    }

    PaintCounter painter;
    QList<QObject *> timelines = { window.requestView(), window.threadView() };
    for (QObject *o : timelines)
        o->installEventFilter(&painter);
    std::vector<qint64> replots;
    for (CounterPlot *p : window.plots()->plots())
        QObject::connect(p->plot(), &QCustomPlot::afterReplot, &app, [&] {
            if (painter.recording)
                replots.push_back(painter.clock.nsecsElapsed());
        });
    const auto plotCount = window.plots()->plots().size();
    app.paintTimed.insert(window.requestView(), 0);
    app.paintTimed.insert(window.threadView(), 1);
    for (CounterPlot *p : window.plots()->plots())
        app.paintTimed.insert(p->plot(), 2);

    std::vector<double> lateness;
    QElapsedTimer tickClock;
    qint64 lastTick = -1;
    QTimer stall;
    stall.setTimerType(Qt::PreciseTimer);
    stall.setInterval(5);
    QObject::connect(&stall, &QTimer::timeout, &app, [&] {
        const qint64 now = tickClock.nsecsElapsed();
        if (lastTick >= 0)
            lateness.push_back(std::max(0.0, double(now - lastTick) / 1e6 - 5.0));
        lastTick = now;
    });

    qint64 runEndNs = 0;
    qint64 endNs = 0;
    UsersPanel *usersPanel = window.usersPanel();
    QObject::connect(usersPanel, &UsersPanel::runFinished, &app, [&] {
        runEndNs = painter.clock.nsecsElapsed();
        // The last pulls and replots; measuring stops before quit() (it closes the window).
        QTimer::singleShot(1000, &app, [&] {
            stall.stop();
            endNs = painter.clock.nsecsElapsed();
            painter.recording = false;
            app.recording = false;
            QCoreApplication::quit();
        });
    });
    QTimer::singleShot(120'000, &app, [&] {
        out << "timed out after 120 s" << Qt::endl;
        endNs = painter.clock.nsecsElapsed();
        QCoreApplication::quit();
    });
    QTimer::singleShot(1000, &app, [&] { // let the window settle first
        usersPanel->selectScenario(QString());
        usersPanel->setUsers(users);
        if (const auto spin = usersPanel->findChildren<QSpinBox *>(); spin.size() >= 2)
            spin[1]->setValue(requests); // requests per user (the second spin box)
        painter.clock.start();
        tickClock.start();
        painter.recording = true;
        app.recording = true;
        app.clock = &painter.clock;
        stall.start();
        auto *start = usersPanel->findChild<QAbstractButton *>(QStringLiteral("startUsers"));
        start->click();
    });
    app.exec();
    stall.stop();
    painter.recording = false;
    app.recording = false;
    if (endNs == 0)
        endNs = painter.clock.nsecsElapsed();

    const auto [reqMin, reqMed] = rates(painter.paints[window.requestView()], endNs);
    const auto [thrMin, thrMed] = rates(painter.paints[window.threadView()], endNs);
    std::vector<qint64> firstPlot; // replot rate of one plot: every afterReplot / plot count
    for (size_t i = 0; i < replots.size(); i += size_t(std::max<qsizetype>(plotCount, 1)))
        firstPlot.push_back(replots[i]);
    const auto [plotMin, plotMed] = rates(firstPlot, endNs);
    const size_t over50
        = size_t(std::count_if(lateness.begin(), lateness.end(), [](double l) { return l > 50; }));
    const size_t over16
        = size_t(std::count_if(lateness.begin(), lateness.end(), [](double l) { return l > 16; }));

    out << "GUI responsiveness: " << users << " users x " << requests << " request(s), async, LLM 2 s\n";
    out << "  run " << double(runEndNs) / 1e9 << " s (+1 s after), " << window.timelineData().size()
        << " requests recorded\n";
    out << QStringLiteral("  %1 %2\n").arg(QStringLiteral("metric"), -34).arg(QStringLiteral("value"));
    auto row = [&out](const QString &name, double v, const char *unit) {
        out << QStringLiteral("  %1 %2 %3\n").arg(name, -34).arg(v, 9, 'f', 1).arg(QLatin1String(unit));
    };
    row(QStringLiteral("stall max (5 ms tick lateness)"), percentile(lateness, 1.0), "ms");
    row(QStringLiteral("stall p99"), percentile(lateness, 0.99), "ms");
    row(QStringLiteral("stall p50"), percentile(lateness, 0.5), "ms");
    row(QStringLiteral("ticks > 50 ms late"), double(over50), "");
    row(QStringLiteral("ticks > 16 ms late"), double(over16), "");
    row(QStringLiteral("ticks"), double(lateness.size()), "");
    row(QStringLiteral("request timeline paints/s median"), reqMed, "Hz");
    row(QStringLiteral("request timeline paints/s min"), reqMin, "Hz");
    row(QStringLiteral("thread timeline paints/s median"), thrMed, "Hz");
    row(QStringLiteral("thread timeline paints/s min"), thrMin, "Hz");
    row(QStringLiteral("plot replots/s median"), plotMed, "Hz");
    row(QStringLiteral("plot replots/s min"), plotMin, "Hz");
    row(QStringLiteral("pull tick median"), percentile(app.pullMs, 0.5), "ms");
    row(QStringLiteral("pull tick p99"), percentile(app.pullMs, 0.99), "ms");
    row(QStringLiteral("pull tick max"), percentile(app.pullMs, 1.0), "ms");
    row(QStringLiteral("pull ticks"), double(app.pullMs.size()), "");
    row(QStringLiteral("window repaint median"), percentile(app.repaintMs, 0.5), "ms");
    row(QStringLiteral("window repaint p99"), percentile(app.repaintMs, 0.99), "ms");
    row(QStringLiteral("window repaint max"), percentile(app.repaintMs, 1.0), "ms");
    const char *paintNames[3] = { "request timeline", "thread timeline", "one plot" };
    for (int i = 0; i < 3; ++i) {
        row(QStringLiteral("paint %1 median").arg(QLatin1String(paintNames[i])),
            percentile(app.paintMs[i], 0.5), "ms");
        row(QStringLiteral("paint %1 max").arg(QLatin1String(paintNames[i])), percentile(app.paintMs[i], 1.0),
            "ms");
    }
    row(QStringLiteral("queued replot (one plot) median"), percentile(app.replotMs, 0.5), "ms");
    row(QStringLiteral("queued replot (one plot) max"), percentile(app.replotMs, 1.0), "ms");
    out << "  following live at the end: " << (window.timeState()->following() ? "yes" : "no") << "\n";
    out << "  top-level deliveries over 20 ms (receiver, event type): count, max ms\n";
    for (const auto &[key, v] : app.slow)
        out << "    " << key << ": " << v.first << ", " << v.second << "\n";
    for (const QString &s : app.slowAt)
        out << "    " << s << "\n";
    out.flush();
    window.close();
    QFile::remove(c.dbPath);
    return 0;
}
