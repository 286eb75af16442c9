#pragma once

#include "timelinedata.h"
#include "timelinemodel.h"

// The request view's model: one row per request in arrival order, its bar split into pieces
// (waiting in the backlog or for the loop, then each phase), other traffic marked. A thin,
// widget-free reading of TimelineData (see threadlanemodel.h for the thread view's model and
// tracesource.h for where the records come from), so the widget only maps rows and times to
// pixels. The templates below are the views' fast path; TimelineModel's virtual interface is the
// same pieces for any consumer.
class RequestRowModel final : public TimelineModel
{
public:
    explicit RequestRowModel(const TimelineData *data = nullptr)
        : m_data(data)
    { }
    void setData(const TimelineData *data) { m_data = data; }
    const TimelineData *data() const override { return m_data; }

    qsizetype rowCount() const override { return m_data ? m_data->size() : 0; }
    const RequestRecord &record(qsizetype row) const { return m_data->at(row); }
    // Not the run's own request (muted and labelled in a run's view).
    bool isOther(qsizetype row) const { return m_data->isOther(row); }
    qsizetype otherCount() const { return m_data->otherCount(); }
    // First row whose bar may still reach `ns` (following the live edge shows rows from there).
    qsizetype firstRowReaching(qint64 ns) const { return m_data->firstOverlapping(ns); }
    // Where row's bar starts (the client's send time when known) and ends (now while in flight).
    qint64 barStartNs(qsizetype row) const { return m_data->barStartNs(row); }
    qint64 barEndNs(qsizetype row, qint64 nowNs) const
    {
        const RequestRecord &r = record(row);
        return r.respondedNs > 0 ? r.respondedNs : nowNs;
    }
    // Calls f(category, startNs, endNs) for each piece of row's bar (TimelineData::forEachSegment).
    template<typename F> void forEachPiece(qsizetype row, qint64 nowNs, F &&f) const
    {
        TimelineData::forEachSegment(record(row), nowNs, std::forward<F>(f), m_data->sentNs(row), m_data);
    }

    // TimelineModel: rows are requests; a selection keeps every row, its pieces in the window.
    TimelineRow row(qsizetype r) const override;
    void select(qint64 fromNs, qint64 toNs, qint64 nowNs) override
    {
        m_fromNs = fromNs;
        m_toNs = toNs;
        m_nowNs = nowNs;
    }
    void forEachPiece(qsizetype r, const std::function<void(const TimelinePiece &)> &f) const override;

private:
    const TimelineData *m_data;
    qint64 m_fromNs = 0, m_toNs = 0, m_nowNs = 0;
};
