#include "requestrowmodel.h"

#include "pipeline/dispatchpolicy.h"

TimelineRow RequestRowModel::row(qsizetype r) const
{
    return { QStringLiteral("#%1").arg(record(r).id), LaneKind::Other, 1, 0, r };
}

void RequestRowModel::forEachPiece(qsizetype r, const std::function<void(const TimelinePiece &)> &f) const
{
    // A bar wholly outside the selection has nothing in it (rows thinner than a pixel ask for
    // hundreds of thousands).
    if (barStartNs(r) > m_toNs || barEndNs(r, m_nowNs) < m_fromNs)
        return;
    const bool other = isOther(r);
    const DispatchMode mode = record(r).mode;
    forEachPiece(r, m_nowNs, [&](int cat, qint64 s, qint64 e) {
        if (e >= m_fromNs && s <= m_toNs)
            f(TimelinePiece { s, e, r, quint8(cat), 0,
                              cat > 0 && DispatchPolicy::holdsThread(mode, Phase(cat - 1)), other });
    });
}

void RequestRowModel::forEachPieceOfRecord(
    qsizetype record, qint64 nowNs, bool lodSubRows,
    const std::function<void(qsizetype, const TimelinePiece &)> &f) const
{
    if (!m_data || record < 0 || record >= rowCount())
        return;
    Q_UNUSED(lodSubRows); // one sub-row
    const bool other = isOther(record);
    forEachPiece(record, nowNs, [&](int cat, qint64 s, qint64 e) {
        f(record, TimelinePiece { s, e, record, quint8(cat), 0, false, other });
    });
}

void RequestRowModel::addToLod(qsizetype row)
{
    const quint16 other = isOther(row) ? TimelineLod::OtherKey : 0;
    // Finished: no piece depends on "now" any more (one the recorder's ring overwrote in flight
    // keeps what was last seen, ending at the latest time known).
    forEachPiece(row, m_data->latestNs(),
                 [&](int cat, qint64 s, qint64 e) { m_lod.add(row, 0, quint16(cat) | other, s, e); });
    m_inLod[size_t(row)] = true;
    m_lod.complete(row);
}

void RequestRowModel::sync(const TimelineData &data)
{
    m_data = &data;
    if (m_lodData != &data || m_generation != data.generation()
        || m_finishedCursor > data.finishedOrder().size()) {
        m_lodData = &data;
        m_generation = data.generation();
        m_finishedCursor = m_joinedCursor = 0;
        m_lod.clear();
        m_inLod.clear();
    }
    m_inLod.resize(size_t(data.size()), false);
    // A send time joined after its request was added: its wait before arrival, added now.
    const auto &joined = data.joinedOrder();
    for (; m_joinedCursor < joined.size(); ++m_joinedCursor) {
        const qsizetype row = qsizetype(joined[m_joinedCursor]);
        if (m_inLod[size_t(row)] && data.barStartNs(row) < record(row).arrivedNs)
            m_lod.add(row, 0, quint16(0) | (isOther(row) ? TimelineLod::OtherKey : 0), data.barStartNs(row),
                      record(row).arrivedNs);
    }
    const auto &finished = data.finishedOrder();
    for (; m_finishedCursor < finished.size(); ++m_finishedCursor)
        addToLod(qsizetype(finished[m_finishedCursor]));
}

void RequestRowModel::forEachPieceOutsideLod(qsizetype r, qint64 fromNs, qint64 toNs, qint64 nowNs,
                                             const std::function<void(const TimelinePiece &)> &f) const
{
    if (size_t(r) < m_inLod.size() && m_inLod[size_t(r)])
        return;
    const bool other = isOther(r);
    forEachPiece(r, nowNs, [&](int cat, qint64 s, qint64 e) {
        if (e >= fromNs && s <= toNs)
            f(TimelinePiece { s, e, r, quint8(cat), 0, false, other });
    });
}
