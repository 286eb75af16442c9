#include "timelinemodel.h"

#include "timelinedata.h"

TimelineDetails TimelineModel::details(qsizetype record, qint64 nowNs) const
{
    Q_UNUSED(nowNs);
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
        out.steps.push_back(step);
    }
    return out;
}
