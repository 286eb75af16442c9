#pragma once

#include <QObject>

// The visible time range shared by the timeline views and the counter plots, and whether it
// follows the live edge. User zoom or pan pauses following; "Follow live" resumes it.
class TimeViewState : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    qint64 originNs() const { return m_originNs; } // t = 0 on every axis
    qint64 startNs() const { return m_startNs; }
    qint64 spanNs() const { return m_spanNs; }
    qint64 endNs() const { return m_startNs + m_spanNs; }
    bool following() const { return m_following; }

    void setOrigin(qint64 ns) { m_originNs = ns; }
    // A range chosen by the user: stops following.
    void setUserRange(qint64 startNs, qint64 spanNs);
    // Moves the window so it ends at nowNs, if following.
    void advance(qint64 nowNs);
    void setFollowing(bool on);
    void setSpan(qint64 spanNs); // keeps the end (zoom buttons)

    double toSeconds(qint64 ns) const { return double(ns - m_originNs) / 1e9; }
    qint64 fromSeconds(double s) const { return m_originNs + qint64(s * 1e9); }

signals:
    void rangeChanged();
    void followingChanged(bool following);

private:
    qint64 m_originNs = 0;
    qint64 m_startNs = 0;
    qint64 m_spanNs = 30'000'000'000;
    qint64 m_lastNowNs = 0;
    bool m_following = true;
};
