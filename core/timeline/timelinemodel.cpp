#include "timelinemodel.h"

#include "timelinedata.h"

#include <algorithm>

TimelineDetails TimelineModel::details(qsizetype record, qint64 nowNs) const
{
    const TimelineData &d = *data();
    TimelineDetails out;
    out.record = d.at(record);
    out.sentNs = d.sentNs(record);
    out.other = d.isOther(record);
    out.loopThread = d.threadName(out.record.loopThread);
    const RequestRecord &r = out.record;
    for (int i = 0; i < r.spanCount; ++i) {
        const TraceSpan &s = r.spans[size_t(i)];
        TimelineDetails::Step step;
        step.phase = s.phase;
        step.index = s.index;
        step.thread = d.threadName(s.thread);
        step.startNs = s.startNs;
        step.endNs = s.endNs;
        if (s.phase == Phase::CpuWork) {
            // Under the GIL: the true sums of this step's turns, from the lock's own track.
            int turns = 0;
            bool holding = false;
            step.underGil = d.forEachLockSlice(s.thread, s.startNs, s.endNs > 0 ? s.endNs : nowNs, nowNs,
                                               [&](Phase p, qint64 a, qint64 b) {
                                                   if (p == Phase::CpuWork) {
                                                       step.heldNs += b - a;
                                                       turns += holding ? 0 : 1;
                                                       holding = true;
                                                   } else {
                                                       step.waitNs += b - a;
                                                       holding = false;
                                                   }
                                               });
            step.handOvers = std::max(0, turns - 1);
        }
        out.steps.push_back(step);
    }
    return out;
}
