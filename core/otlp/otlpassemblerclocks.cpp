// OtlpAssembler's applied clock offsets: what is published is moved by each host's correction
// (ClockCorrections), and moved again, all of it, when a correction changes.
#include "otlp/clockcorrections.h"
#include "otlpassembler.h"
#include "trace/tracerecorder.h"

#include <algorithm>
#include <cmath>

namespace {

// An applied correction is applied again (every request of its host published again) only when
// the estimate moves by this much: the median of new client/server pairs wanders by microseconds.
constexpr qint64 ReapplyNs = 1'000'000;

// Moves a record's times (and its spans', each by its own lane's amount) back by `by(lane)`.
template<typename By> void moveBack(RequestRecord &r, By &&by)
{
    const qint64 own = by(r.loopThread);
    r.arrivedNs -= own;
    r.startedNs -= own;
    if (r.respondedNs)
        r.respondedNs -= own;
    for (int i = 0; i < r.spanCount; ++i) {
        TraceSpan &s = r.spans[size_t(i)];
        const qint64 d = by(s.thread);
        s.startNs -= d;
        if (s.endNs)
            s.endNs -= d;
    }
}

} // namespace

void OtlpAssembler::setApplyClockOffsets(bool on)
{
    m_applyOffsets.store(on, std::memory_order_relaxed);
    {
        std::lock_guard lock(m_queueMutex);
        m_correctionsDue = true;
    }
    m_queueCv.notify_all();
}

qint64 OtlpAssembler::laneCorrectionNs(quint16 lane) const
{
    if (m_applied.isEmpty())
        return 0;
    const auto host = m_laneHost.constFind(lane);
    return host == m_laneHost.constEnd() ? 0 : m_applied.value(*host);
}

RequestRecord OtlpAssembler::corrected(const RequestRecord &raw) const
{
    RequestRecord r = raw;
    if (!m_applied.isEmpty())
        moveBack(r, [this](quint16 lane) { return laneCorrectionNs(lane); });
    return r;
}

bool OtlpAssembler::updateCorrections()
{
    QHash<int, qint64> target;
    if (m_applyOffsets.load(std::memory_order_relaxed)) {
        QMap<QPair<int, int>, qint64> medians;
        for (auto it = m_offsetSamples.constBegin(); it != m_offsetSamples.constEnd(); ++it) {
            if (it->isEmpty())
                continue;
            QList<double> s = it.value();
            std::sort(s.begin(), s.end());
            medians.insert(it.key(), qint64(std::llround(s[s.size() / 2] * 1e6)));
        }
        target = ClockCorrections::solve(medians);
        target.removeIf([](const QHash<int, qint64>::iterator &it) { return it.value() == 0; });
    }
    QHash<int, qint64> delta; // host -> ns to move its published times back by, on top
    QSet<int> hosts(target.keyBegin(), target.keyEnd());
    for (auto it = m_applied.constBegin(); it != m_applied.constEnd(); ++it)
        hosts.insert(it.key());
    for (int h : std::as_const(hosts)) {
        const qint64 want = target.value(h), have = m_applied.value(h);
        if (want == have)
            continue;
        if (target.contains(h) && m_applied.contains(h) && std::abs(want - have) < ReapplyNs)
            continue; // the same estimate, give or take: keep what is published
        delta.insert(h, want - have);
        if (target.contains(h))
            m_applied.insert(h, want);
        else
            m_applied.remove(h);
    }
    if (delta.isEmpty())
        return false;
    // Requests the ring overwrote are gone for good: stop tracking them.
    const quint64 first = m_recorder->firstAvailable();
    m_published.erase(m_published.begin(), std::lower_bound(m_published.begin(), m_published.end(), first));
    const auto by = [&](quint16 lane) {
        const auto host = m_laneHost.constFind(lane);
        return host == m_laneHost.constEnd() ? 0 : delta.value(*host);
    };
    // What is published moves by the difference (a request still assembling is published from
    // its times as sent with the new corrections when it next changes, which comes to the same).
    for (quint64 seq : m_published) {
        RequestRecord r;
        // Overwritten by the ring, or not an observed request: left alone.
        if (!m_recorder->read(seq, &r) || !m_laneHost.contains(r.loopThread))
            continue;
        moveBack(r, by);
        m_recorder->publish(seq, r);
    }
    return true;
}

void OtlpAssembler::settle()
{
    const bool moved = updateCorrections();
    publishDirty();
    if (!moved)
        return;
    m_correctionsVersion.fetch_add(1, std::memory_order_release);
    if (m_correctionsListener) {
        QHash<QString, qint64> byName;
        for (auto it = m_applied.constBegin(); it != m_applied.constEnd(); ++it)
            byName.insert(m_hosts.value(it.key()), it.value());
        m_correctionsListener(byName);
    }
}

QHash<QString, qint64> OtlpAssembler::appliedCorrectionsNs() const
{
    std::lock_guard lock(m_stateMutex);
    QHash<QString, qint64> out;
    for (auto it = m_applied.constBegin(); it != m_applied.constEnd(); ++it)
        out.insert(m_hosts.value(it.key()), it.value());
    return out;
}
