#include "lessonplayer.h"

#include "base/traceclock.h"
#include "timeline/timelinedata.h"

#include <QHash>
#include <QTimer>
#include <algorithm>

LessonPlayer::LessonPlayer(TimelineData *target, QObject *parent)
    : QObject(parent)
    , m_target(target)
    , m_timer(new QTimer(this))
{
    m_timer->setInterval(33);
    m_timer->setTimerType(Qt::PreciseTimer);
    connect(m_timer, &QTimer::timeout, this, &LessonPlayer::tick);
}

void LessonPlayer::setRun(const SessionRun &run)
{
    pause();
    m_run = run;
    const VariantResult &v = run.variant();
    qint64 end = v.endNs;
    for (const ClientRecord &c : v.client)
        end = std::max(end, c.completeNs);
    for (const RequestRecord &r : v.server)
        end = std::max(end, r.respondedNs);
    m_durationNs = std::max<qint64>(end - v.startNs, 1'000'000);
    seek(0);
}

bool LessonPlayer::isPlaying() const
{
    return m_timer->isActive();
}

void LessonPlayer::play()
{
    if (!m_run.run || isPlaying())
        return;
    if (m_playheadNs >= m_durationNs)
        seek(0);
    m_lastTickNs = TraceClock::nowNs();
    m_timer->start();
    emit playingChanged(true);
}

void LessonPlayer::pause()
{
    if (!isPlaying())
        return;
    m_timer->stop();
    emit playingChanged(false);
}

void LessonPlayer::setSpeed(double speed)
{
    m_speed = std::clamp(speed, 0.1, 10.0);
}

void LessonPlayer::seek(qint64 relativeNs)
{
    if (!m_run.run)
        return;
    m_playheadNs = std::clamp<qint64>(relativeNs, 0, m_durationNs);
    buildFrame(m_run.variant(), m_run.variant().startNs + m_playheadNs, m_target);
    emit frame(m_playheadNs);
}

void LessonPlayer::tick()
{
    const qint64 now = TraceClock::nowNs();
    const qint64 step = qint64(double(now - m_lastTickNs) * m_speed);
    m_lastTickNs = now;
    seek(m_playheadNs + step);
    if (m_playheadNs >= m_durationNs)
        pause();
}

void LessonPlayer::buildFrame(const VariantResult &v, qint64 tNs, TimelineData *out)
{
    out->clear();
    out->setThreadNames(v.threadNames, v.threadKinds);
    QHash<quint64, qint64> sentByTag;
    for (const ClientRecord &c : v.client) {
        if (c.sentNs > 0 && c.sentNs <= tNs)
            sentByTag.insert(c.tag, c.sentNs);
    }
    // Arrival order; a request sent but not read yet (in the backlog) shows as waiting, its
    // arrival held at the playhead.
    // Other traffic (muted) appears when the server read it.
    std::vector<std::pair<RequestRecord, bool>> known;
    known.reserve(size_t(v.server.size() + v.other.size()));
    std::vector<std::pair<const RequestRecord *, bool>> all;
    all.reserve(known.capacity());
    for (const RequestRecord &s : v.server)
        all.emplace_back(&s, false);
    for (const RequestRecord &s : v.other)
        all.emplace_back(&s, true);
    for (const auto &[source, other] : all) {
        const RequestRecord &s = *source;
        const bool sent = !other && sentByTag.contains(s.clientTag);
        if (s.arrivedNs > tNs && !sent)
            continue;
        RequestRecord r = s;
        if (r.arrivedNs > tNs)
            r.arrivedNs = tNs;
        if (r.respondedNs > tNs) {
            r.respondedNs = 0;
            r.status = 0;
        }
        if (r.firstTokenNs > tNs)
            r.firstTokenNs = 0;
        if (r.startedNs > tNs)
            r.startedNs = 0;
        int spans = 0;
        for (int i = 0; i < r.spanCount; ++i) {
            TraceSpan &span = r.spans[size_t(i)];
            if (span.startNs > tNs)
                break;
            if (span.endNs > tNs)
                span.endNs = 0;
            ++spans;
        }
        r.spanCount = quint8(spans);
        known.emplace_back(r, other);
    }
    std::stable_sort(known.begin(), known.end(),
                     [](const auto &a, const auto &b) { return a.first.arrivedNs < b.first.arrivedNs; });
    for (const auto &[r, other] : known)
        out->append(r, other);
    out->joinClientSends(sentByTag);
}
