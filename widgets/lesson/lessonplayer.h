#pragma once

#include "runs/sessionrun.h"

#include <QObject>

class QTimer;
class TimelineData;

// Replays a recorded run as if it were happening, at 0.1x to 10x: a GUI-thread timer (30 Hz)
// moves the playhead and rebuilds what was known at that moment (requests arrived or waiting in
// the backlog, phases begun, responses sent) into a TimelineData the views show.
class LessonPlayer : public QObject
{
    Q_OBJECT
public:
    explicit LessonPlayer(TimelineData *target, QObject *parent = nullptr);

    void setRun(const SessionRun &run);
    const SessionRun &run() const { return m_run; }
    qint64 durationNs() const { return m_durationNs; }
    qint64 playheadNs() const { return m_playheadNs; } // relative to the run start
    double speed() const { return m_speed; }
    bool isPlaying() const;

    void play();
    void pause();
    void setSpeed(double speed); // clamped to [0.1, 10]
    void seek(qint64 relativeNs);

    // The records as known at absolute time tNs (for tests and the benchmark).
    static void buildFrame(const VariantResult &v, qint64 tNs, TimelineData *out);

signals:
    // After every frame: the views and plots follow.
    void frame(qint64 playheadNs);
    void playingChanged(bool playing);

private:
    void tick();

    TimelineData *m_target;
    SessionRun m_run;
    QTimer *m_timer;
    qint64 m_durationNs = 0;
    qint64 m_playheadNs = 0;
    qint64 m_lastTickNs = 0;
    double m_speed = 1.0;
};
