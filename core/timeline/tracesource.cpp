#include "tracesource.h"

#include "scenario/runresult.h"
#include "timelinedata.h"
#include "trace/tracerecorder.h"

#include <algorithm>

bool RecorderSource::pull(TimelineData &data)
{
    // Lane names and kinds stay empty: the data reads this process's ThreadRegistry when asked.
    const bool records = data.update(*m_recorder);
    const bool locks = data.updateLocks(m_recorder->lockTrack());
    const bool markers = m_recorder->scaleEventCount() != data.scaleEvents().size();
    if (markers)
        data.setScaleEvents(m_recorder->scaleEvents());
    return records || locks || markers;
}

bool SavedRunSource::pull(TimelineData &data)
{
    if (std::exchange(m_done, true))
        return false;
    const VariantResult &v = *m_variant;
    data.clear();
    std::vector<std::pair<const RequestRecord *, bool>> rows;
    rows.reserve(size_t(v.server.size() + v.other.size()));
    for (const RequestRecord &r : v.server)
        rows.emplace_back(&r, false);
    for (const RequestRecord &r : v.other)
        rows.emplace_back(&r, true);
    std::stable_sort(rows.begin(), rows.end(),
                     [](const auto &x, const auto &y) { return x.first->arrivedNs < y.first->arrivedNs; });
    for (const auto &[r, other] : rows)
        data.append(*r, other);
    QHash<quint64, qint64> sent;
    for (const ClientRecord &c : v.client) {
        if (c.sentNs > 0)
            sent.insert(c.tag, c.sentNs);
    }
    data.joinClientSends(sent);
    data.setThreadNames(v.threadNames, v.threadKinds);
    data.setLockHolds(v.lockHolds);
    data.setScaleEvents(v.scaleEvents);
    return true;
}
