#include "livecontroller.h"

#include "base/traceclock.h"
#include "http/chatserver.h"
#include "load/clientrecord.h"
#include "plots/counterplotspanel.h"
#include "server/servercontrolpanel.h"
#include "timeline/timelineview.h"
#include "timeline/timeviewstate.h"
#include "users/userspanel.h"

#include <QElapsedTimer>
#include <QLabel>
#include <QTimer>

LiveController::LiveController(ChatServer *server, TimeViewState *state, QObject *parent)
    : QObject(parent)
    , m_server(server)
    , m_state(state)
    , m_feed(server)
    , m_timer(new QTimer(this))
{
    m_state->setOrigin(TraceClock::nowNs());
    m_state->advance(TraceClock::nowNs());
    m_feed.restart(m_state->originNs());
    // The coalescing pump: ~30 Hz, only new data, queued replots.
    m_timer->setInterval(33);
    m_timer->setTimerType(Qt::PreciseTimer);
    connect(m_timer, &QTimer::timeout, this, &LiveController::pull);
}

void LiveController::start(const Views &views)
{
    m_views = views;
    m_timer->start();
}

void LiveController::serverStarted()
{
    if (m_feed.isEmpty() && !m_showingRun) {
        m_feed.restart(m_server->startedNs());
        m_state->setOrigin(m_feed.originNs());
        m_state->advance(TraceClock::nowNs());
    }
}

void LiveController::pull()
{
    if (!m_views.plots)
        return;
    QElapsedTimer timer;
    timer.start();
    // During a stop or restart (off the GUI thread) the server's thread list is changing: treat it
    // as not serving. The recorder and counter series outlive restarts and stay safe to read.
    const bool running = !m_views.server->isBusy() && m_server->isRunning();
    const qint64 now = TraceClock::nowNs();
    const TimelineData &live = m_feed.data();
    if (m_showingRun) {
        // The recorder keeps being read (it is a ring); the plots catch up on "Back to live".
        m_feed.pullRecords();
        m_views.stats->setText(tr("showing a saved run · %1 live requests recorded").arg(live.size()));
        return;
    }
    // While users run, their send times join a few times a second; once they are done (and
    // joined on runFinished) every second can be summarised.
    const LiveFeed::Pull pulled = m_feed.pull(now, running && m_views.users->isRunning());
    if (!pulled.latency.isEmpty())
        m_views.plots->appendLatency(pulled.latency);
    if (!pulled.samples.isEmpty())
        m_views.plots->appendSamples(pulled.samples);
    const bool changed = pulled.changed, sampled = !pulled.samples.isEmpty();
    m_views.plots->syncScaleEvents(m_server->scaleEvents()); // the auto-scaling supervisor's decisions
    // While serving, the axes follow the clock; once stopped they rest on the last data.
    const qint64 liveEdge = m_feed.liveEdge(running, now);
    for (TimelineView *v : { m_views.requests, m_views.threads })
        v->setNow(liveEdge);
    if (m_state->following() && (running || changed || sampled)) {
        m_state->advance(liveEdge + (running ? 0 : 500'000'000)); // repaints views and replots
    } else if (changed || sampled) {
        m_views.requests->update();
        m_views.threads->update();
        m_views.plots->refresh();
    }
    if (changed)
        emit recordsChanged();
    if (m_views.users->isRunning() && m_feed.takeJoinDue(now))
        joinClientSends();
    const CounterSample c = sampled ? pulled.samples.last() : CounterSample {};
    m_views.stats->setText(tr("%1 requests · %2 in flight · %3 waiting · pull %4 ms")
                               .arg(live.size())
                               .arg(c.inFlight)
                               .arg(c.waiting)
                               .arg(double(timer.nsecsElapsed()) / 1e6, 0, 'f', 1));
}

void LiveController::joinClientSends()
{
    const QList<ClientRecord> records = m_views.users->generator()->snapshot();
    QHash<quint64, qint64> sent;
    sent.reserve(records.size());
    for (const ClientRecord &r : records) {
        if (r.sentNs > 0)
            sent.insert(r.tag, r.sentNs);
    }
    if (m_feed.joinClientSends(sent)) {
        m_views.requests->update();
        m_views.threads->update();
    }
}

void LiveController::rereadRecords()
{
    m_views.plots->clearLatency();
    m_feed.rereadRecords();
    m_views.requests->update();
    m_views.threads->update();
    emit recordsChanged();
}

void LiveController::resume()
{
    m_showingRun = false;
    m_state->setOrigin(m_feed.originNs());
    // Read the counters again from the start and recompute the live latencies.
    m_views.plots->clear();
    m_feed.replay();
    m_state->setFollowing(true);
    pull();
}
