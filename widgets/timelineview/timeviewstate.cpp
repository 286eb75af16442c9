#include "timeviewstate.h"

#include "timelinegeometry.h"

#include <algorithm>

void TimeViewState::setUserRange(qint64 startNs, qint64 spanNs)
{
    spanNs = std::clamp(spanNs, TimeAxis::MinSpanNs, TimeAxis::MaxSpanNs);
    if (startNs == m_startNs && spanNs == m_spanNs && !m_following)
        return;
    m_startNs = startNs;
    m_spanNs = spanNs;
    setFollowing(false);
    emit rangeChanged();
}

void TimeViewState::advance(qint64 nowNs)
{
    m_lastNowNs = nowNs;
    if (!m_following)
        return;
    m_startNs = nowNs - m_spanNs;
    emit rangeChanged();
}

void TimeViewState::setFollowing(bool on)
{
    if (on == m_following)
        return;
    m_following = on;
    emit followingChanged(on);
    if (on && m_lastNowNs > 0)
        advance(m_lastNowNs);
}

void TimeViewState::setSpan(qint64 spanNs)
{
    spanNs = std::clamp(spanNs, TimeAxis::MinSpanNs, TimeAxis::MaxSpanNs);
    const qint64 end = endNs();
    m_spanNs = spanNs;
    m_startNs = end - spanNs;
    emit rangeChanged();
}
