#include "lessoncontroller.h"

#include "lessonbar.h"
#include "lessonplayer.h"
#include "lessonscript.h"
#include "plots/counterplotspanel.h"
#include "timelineview/timelineview.h"

#include <QLocale>

LessonController::LessonController(TimelineData *frameData, LessonBar *bar, CounterPlotsPanel *plots,
                                   QList<TimelineView *> views, QObject *parent)
    : QObject(parent)
    , m_player(new LessonPlayer(frameData, this))
    , m_bar(bar)
    , m_plots(plots)
    , m_views(std::move(views))
{
    connect(m_player, &LessonPlayer::frame, this, &LessonController::showFrame);
    connect(m_player, &LessonPlayer::playingChanged, m_bar, &LessonBar::setPlaying);
    connect(m_bar, &LessonBar::playToggled, this, [this](bool play) {
        if (play)
            m_player->play();
        else
            m_player->pause();
    });
    connect(m_bar, &LessonBar::speedChanged, m_player, &LessonPlayer::setSpeed);
    connect(m_bar, &LessonBar::seekRequested, m_player, &LessonPlayer::seek);
}

void LessonController::start(const SessionRun &run, double speed)
{
    m_latency = LatencySeries::ofRun(run.variant());
    m_shownNs = -1;
    m_player->setSpeed(speed);
    m_player->setRun(run);
    const bool chinese = QLocale().language() == QLocale::Chinese;
    m_bar->setCaptions(LessonScript::captions(run, m_player->durationNs(), chinese), m_player->durationNs());
    m_bar->setPlayhead(0);
    m_bar->show();
    m_player->play();
}

bool LessonController::stop()
{
    if (!m_player->isPlaying() && !m_bar->isVisible())
        return false;
    m_player->pause();
    m_bar->hide();
    m_plots->setPlayhead(0);
    return true;
}

void LessonController::showFrame(qint64 playheadNs)
{
    const VariantResult &v = m_player->run().variant();
    const qint64 abs = v.startNs + playheadNs;
    if (m_shownNs < 0 || playheadNs < m_shownNs) { // a new lesson, or sought back: the plots start again
        m_plots->clear();
        m_counterCursor = m_latencyCursor = 0;
    }
    m_shownNs = playheadNs;
    QList<CounterSample> samples;
    while (m_counterCursor < v.counters.size() && v.counters[m_counterCursor].tNs <= abs)
        samples << v.counters[m_counterCursor++];
    m_plots->appendSamples(samples);
    QList<LatencySeries::Point> points;
    while (m_latencyCursor < m_latency.size() && m_latency[m_latencyCursor].tNs + 500'000'000 <= abs)
        points << m_latency[m_latencyCursor++];
    m_plots->appendLatency(points);
    m_plots->setPlayhead(abs);
    m_plots->refresh();
    for (TimelineView *view : m_views) {
        view->setNow(abs);
        view->update();
    }
    m_bar->setPlayhead(playheadNs);
}
