// Timeline repaint benchmark: 100,000 synthetic requests, the request view and the thread view
// at 1600x900, whole run in view (the worst case for level of detail). Prints the median of
// repeated full repaints. Run: QT_QPA_PLATFORM=offscreen build/tests/bench/bench_timeline [N]
#include "base/threadregistry.h"
#include "gui/theme.h"
#include "pipeline/dispatchpolicy.h"
#include "timeline/requestrowmodel.h"
#include "timeline/threadlanemodel.h"
#include "timeline/timelinedata.h"
#include "timelinefixtures.h"
#include "timelineview/timelineview.h"
#include "timelineview/timeviewstate.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QImage>
#include <QTextStream>
#include <algorithm>
#include <random>
#include <time.h>

namespace {

using TimelineFixtures::registerThread;

// Four worker loops and 16 pool threads; a mix of blocking, executor and async requests over
// ten minutes, with queueing that grows under load.
void fill(TimelineData &data, int n)
{
    std::vector<quint16> workers, pool;
    for (int i = 0; i < 4; ++i)
        workers.push_back(registerThread(QStringLiteral("worker-%1").arg(i), LaneKind::WorkerLoop));
    for (int i = 0; i < 16; ++i)
        pool.push_back(registerThread(QStringLiteral("pool-%1").arg(i), LaneKind::PoolThread));
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> u(0, 1);
    const qint64 t0 = 1'000'000'000;
    const qint64 runNs = 600'000'000'000;
    for (int i = 0; i < n; ++i) {
        RequestRecord r;
        r.id = quint64(i + 1);
        r.arrivedNs = t0 + qint64(double(runNs) * i / n);
        r.mode = DispatchMode(i / (n / 3 + 1));
        r.worker = qint8(i % 4);
        r.loopThread = workers[size_t(r.worker)];
        const bool onPool = r.mode == DispatchMode::Executor;
        const quint16 thread = onPool ? pool[size_t(i % 16)] : r.loopThread;
        qint64 t = r.arrivedNs;
        if (onPool) {
            const qint64 q = qint64(u(rng) * 3e9);
            r.beginSpan(Phase::Queued, t, r.loopThread);
            r.endSpan(0, t + q);
            t += q;
        } else {
            t += qint64(u(rng) * 2e9); // waiting for the loop
        }
        r.startedNs = t;
        const qint64 db = 100'000'000, llm = qint64(1.5e9 + u(rng) * 1e9), wr = 50'000'000;
        int s = r.beginSpan(Phase::DbRead, t, thread);
        r.endSpan(s, t += db);
        s = r.beginSpan(Phase::Llm, t, thread);
        r.firstTokenNs = t + 100'000'000;
        r.endSpan(s, t += llm);
        s = r.beginSpan(Phase::DbWrite, t, thread);
        r.endSpan(s, t += wr);
        s = r.beginSpan(Phase::Respond, t, r.loopThread);
        r.endSpan(s, t += 200'000);
        r.respondedNs = t;
        r.status = 200;
        data.append(r);
    }
}

double threadCpuMs()
{
    timespec ts {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

// Medians of the wall time and of the GUI thread's CPU time per repaint (the CPU time does not
// grow when other processes load the machine).
struct Ms
{
    double wall, cpu;
};

template<typename Before> Ms medianMs(QWidget &view, QImage &target, int repeats, Before before)
{
    std::vector<double> wall, cpu;
    for (int i = 0; i < repeats; ++i) {
        before(i);
        QElapsedTimer timer;
        const double cpu0 = threadCpuMs();
        timer.start();
        view.render(&target);
        wall.push_back(double(timer.nsecsElapsed()) / 1e6);
        cpu.push_back(threadCpuMs() - cpu0);
    }
    std::sort(wall.begin(), wall.end());
    std::sort(cpu.begin(), cpu.end());
    return { wall[wall.size() / 2], cpu[cpu.size() / 2] };
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    const int n = argc > 1 ? std::max(1000, atoi(argv[1])) : 100'000;
    const int repeats = 31;
    Theme::apply(true);
    TimelineData data;
    fill(data, n);
    TimeViewState state;
    state.setOrigin(data.at(0).arrivedNs);
    const qint64 end = data.latestNs();
    state.setUserRange(data.at(0).arrivedNs, end - data.at(0).arrivedNs);
    QTextStream out(stdout);
    out << "records: " << n << ", size 1600x900, repeats " << repeats << "\n";
    for (const bool threads : { false, true }) {
        TimelineView view(threads ? std::unique_ptr<TimelineModel>(std::make_unique<ThreadLaneModel>())
                                  : std::make_unique<RequestRowModel>(),
                          &data, &state);
        view.resize(1600, 900);
        view.setNow(end);
        view.ensurePolished();
        QImage target(view.size(), QImage::Format_RGB32);
        view.render(&target); // warm-up
        state.setUserRange(data.at(0).arrivedNs, end - data.at(0).arrivedNs);
        const qint64 first = data.at(0).arrivedNs, whole = end - first;
        // Cold: the range moves by a nanosecond every frame, so nothing cached can be reused
        // (what a zoom or a pan costs on recorded data).
        const Ms cold
            = medianMs(view, target, repeats, [&](int i) { state.setUserRange(first + (i & 1), whole); });
        // New records every frame while the whole run is in view (a live run after "Fit all").
        const Ms grow = medianMs(view, target, repeats, [&](int) {
            RequestRecord r = data.at(data.size() - 1);
            data.append(r);
        });
        // Unchanged (hover, tooltips, overlays) and a new selection (thread view: re-render only).
        const Ms same = medianMs(view, target, repeats, [](int) {});
        const Ms select = medianMs(view, target, repeats,
                                   [&](int i) { static_cast<TimelineView &>(view).setSelected(i * 97); });
        static_cast<TimelineView &>(view).setSelected(-1);
        // Zoomed to 10 s in the middle of the run: the detailed path (cold too).
        const qint64 mid = data.at(n / 2).arrivedNs;
        const Ms zoomed = medianMs(view, target, repeats,
                                   [&](int i) { state.setUserRange(mid + (i & 1), 10'000'000'000); });
        state.setUserRange(first, whole);
        auto f = [](Ms ms) {
            return QStringLiteral("%1 (CPU %2)").arg(ms.wall, 0, 'f', 2).arg(ms.cpu, 0, 'f', 2);
        };
        out << (threads ? "thread view " : "request view") << ": whole run cold " << f(cold)
            << " ms, new records " << f(grow) << " ms, unchanged " << f(same) << " ms, new selection "
            << f(select) << " ms; 10 s window " << f(zoomed)
            << " ms (medians: wall, and the GUI thread's CPU time)\n";
    }
    return 0;
}
