#pragma once

#include "plots/latencyseries.h"

#include <QList>
#include <QObject>

class CounterPlotsPanel;
class LessonBar;
class LessonPlayer;
struct SessionRun;
class TimelineData;
class TimelineView;

// Lesson mode: replays a run from the Runs list with a playhead across every view and the
// scenario's captions step by step. Owns the player, wires the lesson bar to it, and on every
// frame feeds the plots the counter samples and latency seconds up to the playhead. The window
// shows the run first (its axes, so the bars grow in place) and leaves the lesson on exit.
class LessonController : public QObject
{
    Q_OBJECT
public:
    // `frameData`: what the views show during the lesson (the player rebuilds it every frame).
    LessonController(TimelineData *frameData, LessonBar *bar, CounterPlotsPanel *plots,
                     QList<TimelineView *> views, QObject *parent = nullptr);
    LessonPlayer *player() const { return m_player; }
    void start(const SessionRun &run, double speed);
    // Pauses and hides the bar; true if a lesson was showing.
    bool stop();

private:
    void showFrame(qint64 playheadNs);

    LessonPlayer *m_player;
    LessonBar *m_bar;
    CounterPlotsPanel *m_plots;
    QList<TimelineView *> m_views;
    QList<LatencySeries::Point> m_latency;
    qsizetype m_counterCursor = 0, m_latencyCursor = 0;
    qint64 m_shownNs = -1;
};
