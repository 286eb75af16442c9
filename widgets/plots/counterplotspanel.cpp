#include "counterplotspanel.h"

#include "base/threadregistry.h"
#include "counterplot.h"
#include "gui/theme.h"
#include "timeline/timelineview.h"
#include "timeline/timeviewstate.h"

#include <QDir>
#include <QRegularExpression>
#include <QVBoxLayout>
#include <cmath>

namespace {
const QColor kLagColors[] = { QColor(0xff, 0x6b, 0x6b), QColor(0xff, 0xb3, 0x47), QColor(0xc7, 0x7d, 0xff),
                              QColor(0x4d, 0xd0, 0xe1), QColor(0xf7, 0x8f, 0xb3), QColor(0xa0, 0xd9, 0x68) };
}

CounterPlotsPanel::CounterPlotsPanel(TimeViewState *state, QWidget *parent)
    : QWidget(parent)
    , m_state(state)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    const Theme &t = Theme::current();
    m_load = new CounterPlot(tr("In flight & waiting"), tr("requests"));
    m_load->addSeries(tr("in flight"), t.category[3], true);
    m_load->addSeries(tr("waiting"), t.category[0].lighter(130), false);
    m_load->addSeries(tr("accept queue"), t.category[5 % std::size(t.category)], false, true);
    m_load->addSeries(tr("workers"), t.text, false);
    m_pool = new CounterPlot(tr("Thread pool"), tr("threads"));
    m_pool->addSeries(tr("active"), t.category[1], true);
    m_pool->addSeries(tr("size"), t.mutedText, false, true);
    m_pool->addSeries(tr("queued"), t.category[4], false);
    m_db = new CounterPlot(tr("Database connections"), tr("connections"));
    m_db->addSeries(tr("busy"), t.category[1], true);
    m_db->addSeries(tr("pool size"), t.mutedText, false, true);
    m_db->addSeries(tr("waiting for a connection"), t.category[4], false);
    m_lag = new CounterPlot(tr("Event-loop lag"), tr("lag (ms)"));
    m_throughput = new CounterPlot(tr("Throughput"), tr("req/s"));
    m_throughput->addSeries(tr("completed / s"), t.category[2], true);
    m_latency = new CounterPlot(tr("Latency per second"), tr("ms"));
    m_latency->addSeries(tr("p50"), t.category[2], false);
    m_latency->addSeries(tr("p95"), t.category[4], false);
    m_latency->addSeries(tr("p99"), t.blocked, false, true);
    for (int i = 0; i < 3; ++i)
        m_latency->setPointMarkers(i);
    m_resources = new CounterPlot(tr("CPU & memory"), tr("% / MB"));
    m_resources->addSeries(tr("process CPU %"), t.category[1], true);
    m_resources->addSeries(tr("server threads CPU %"), t.blocked, false);
    m_resources->addSeries(tr("RSS MB"), t.category[2], false, true);
    m_resources->addSeries(tr("threads"), t.mutedText, false, true);
    m_resources->addSeries(tr("pool processes CPU %"), t.category[3], false); // other processes
    m_plots = { m_load, m_pool, m_db, m_lag, m_resources, m_throughput, m_latency };
    for (CounterPlot *p : std::as_const(m_plots)) {
        p->setLeftMargin(TimelineView::LeftMargin);
        p->setShowTimeLabels(p == m_latency);
        layout->addWidget(p, 1);
        connect(p, &CounterPlot::userRangeChanged, this, [this](double from, double to) {
            m_state->setUserRange(m_state->fromSeconds(from), qint64((to - from) * 1e9));
        });
    }
    m_db->setVisible(false);
    ensureLagSeries(1);
    connect(state, &TimeViewState::rangeChanged, this, &CounterPlotsPanel::refresh);
}

void CounterPlotsPanel::ensureLagSeries(int workers)
{
    while (m_lagSeries < std::min(workers, ServerCounters::MaxWorkers)) {
        m_lagIndex.append(m_lag->addSeries(tr("worker-%1").arg(m_lagSeries), kLagColors[m_lagSeries % 6]));
        ++m_lagSeries;
    }
}

void CounterPlotsPanel::appendSamples(const QList<CounterSample> &samples)
{
    for (const CounterSample &s : samples) {
        const double t = m_state->toSeconds(s.tNs);
        m_load->append(0, t, s.inFlight);
        m_load->append(1, t, s.waiting);
        m_load->append(2, t, s.acceptQueue);
        m_load->append(3, t, s.workers);
        if (s.threads > 0) {
            m_resources->append(0, t, s.cpuPct);
            m_resources->append(2, t, double(s.rssBytes) / (1024.0 * 1024.0));
            m_resources->append(3, t, s.threads);
            m_resources->append(4, t, s.poolCpuPct);
        }
        if (s.laneCpu) {
            // The lanes of worker loops and pool threads: what the server itself used.
            double server = 0;
            for (const LaneCpu &l : *s.laneCpu) {
                const LaneKind kind
                    = l.lane < m_laneKinds.size() ? m_laneKinds[l.lane] : ThreadRegistry::kind(l.lane);
                if (servesRequests(kind))
                    server += l.pct;
            }
            m_resources->append(1, t, server);
        }
        m_pool->append(0, t, s.poolActive);
        m_pool->append(1, t, s.poolMax);
        m_pool->append(2, t, s.poolQueued);
        if (s.dbPoolSize > 0) {
            m_db->setVisible(true);
            m_db->append(0, t, s.dbBusy);
            m_db->append(1, t, s.dbPoolSize);
            m_db->append(2, t, s.dbWaiting);
        }
        ensureLagSeries(s.workers);
        for (int w = 0; w < s.workers && w < m_lagSeries; ++w)
            m_lag->append(m_lagIndex[w], t, s.loopLagMs[size_t(w)]);
        // Throughput over the last second, plotted 10 times a second.
        m_completedWindow.emplace_back(s.tNs, s.completed);
        while (m_completedWindow.size() > 2 && m_completedWindow.front().first < s.tNs - 1'000'000'000)
            m_completedWindow.pop_front();
        if (s.tNs - m_lastThroughputNs >= 100'000'000 && m_completedWindow.size() >= 2) {
            const auto &[t0, c0] = m_completedWindow.front();
            const double dt = double(s.tNs - t0) / 1e9;
            if (dt > 0.2)
                m_throughput->append(0, t, double(s.completed - c0) / dt);
            m_lastThroughputNs = s.tNs;
        }
    }
}

void CounterPlotsPanel::appendNamed(Plot which, const QString &name, qint64 tNs, double value)
{
    CounterPlot *const plots[] = { m_load, m_lag, m_resources, m_throughput, m_latency };
    CounterPlot *plot = plots[int(which)];
    const QString key = QString::number(int(which)) + QChar(0) + name;
    auto it = m_named.find(key);
    if (it == m_named.end())
        it = m_named.insert(key, plot->addSeries(name, kLagColors[plot->seriesCount() % 6]));
    plot->append(*it, m_state->toSeconds(tNs), value);
}

void CounterPlotsPanel::clearNamed()
{
    CounterPlot *const plots[] = { m_load, m_lag, m_resources, m_throughput, m_latency };
    for (auto it = m_named.constBegin(); it != m_named.constEnd(); ++it)
        plots[it.key().section(QChar(0), 0, 0).toInt()]->clearSeries(it.value());
}

void CounterPlotsPanel::addScaleEvent(const ScaleEvent &e)
{
    const Theme &th = Theme::current();
    const bool up = e.kind == ScaleEvent::Kind::ScaleUp;
    const QColor color = up ? th.category[2] : th.category[4];
    const double t = m_state->toSeconds(e.tNs);
    const QString label = (up ? QStringLiteral("▲%1 ") : QStringLiteral("▼%1 ")).arg(e.workers) + e.reason;
    for (CounterPlot *p : std::as_const(m_plots))
        p->addMarker(t, p == m_load ? label : QString(), color);
}

void CounterPlotsPanel::setScaleEvents(const QList<ScaleEvent> &events)
{
    for (CounterPlot *p : std::as_const(m_plots))
        p->clearMarkers();
    for (const ScaleEvent &e : events)
        addScaleEvent(e);
    m_scaleShown = events.size();
}

void CounterPlotsPanel::syncScaleEvents(const QList<ScaleEvent> &all)
{
    if (all.size() < m_scaleShown) // a new server run
        m_scaleShown = 0;
    for (; m_scaleShown < all.size(); ++m_scaleShown)
        addScaleEvent(all[m_scaleShown]);
}

void CounterPlotsPanel::appendLatency(const QList<LatencyOverTime::Point> &points)
{
    for (const LatencyOverTime::Point &p : points) {
        const double t = m_state->toSeconds(p.tNs);
        m_latency->append(0, t, p.p50Ms);
        m_latency->append(1, t, p.p95Ms);
        m_latency->append(2, t, p.p99Ms);
    }
}

void CounterPlotsPanel::clearLatency()
{
    for (int series = 0; series < 3; ++series)
        m_latency->clearSeries(series);
}

void CounterPlotsPanel::setPlayhead(qint64 ns)
{
    const double t = ns > 0 ? m_state->toSeconds(ns) : std::nan("");
    for (CounterPlot *p : std::as_const(m_plots))
        p->setPlayhead(t);
}

void CounterPlotsPanel::clear()
{
    for (CounterPlot *p : std::as_const(m_plots)) {
        p->clear();
        p->clearMarkers();
    }
    m_scaleShown = 0;
    m_db->setVisible(false);
    m_laneKinds.clear();
    m_completedWindow.clear();
    m_lastThroughputNs = 0;
}

void CounterPlotsPanel::refresh()
{
    const double from = m_state->toSeconds(m_state->startNs());
    const double to = m_state->toSeconds(m_state->endNs());
    for (CounterPlot *p : std::as_const(m_plots))
        p->setTimeRange(from, to);
    m_load->rescaleValues(4);
    m_pool->rescaleValues(4);
    m_db->rescaleValues(4);
    m_lag->rescaleValues(20);
    m_resources->rescaleValues(20);
    m_throughput->rescaleValues(2);
    m_latency->rescaleValues(10);
    for (CounterPlot *p : std::as_const(m_plots))
        p->replot();
}

QStringList CounterPlotsPanel::exportAll(const QString &dir, const QString &suffix) const
{
    QStringList written;
    for (CounterPlot *p : m_plots) {
        QString name = p->title().toLower();
        name.replace(QRegularExpression(QStringLiteral("[^a-z0-9]+")), QStringLiteral("-"));
        const QString path = QDir(dir).filePath(name + QLatin1Char('.') + suffix);
        if (p->exportTo(path))
            written << path;
    }
    return written;
}
