#include "requestrowmodel.h"

#include "pipeline/dispatchpolicy.h"

TimelineRow RequestRowModel::row(qsizetype r) const
{
    return { QStringLiteral("#%1").arg(record(r).id), LaneKind::Other, 1, 0 };
}

void RequestRowModel::forEachPiece(qsizetype r, const std::function<void(const TimelinePiece &)> &f) const
{
    const bool other = isOther(r);
    const DispatchMode mode = record(r).mode;
    forEachPiece(r, m_nowNs, [&](int cat, qint64 s, qint64 e) {
        if (e >= m_fromNs && s <= m_toNs)
            f(TimelinePiece { s, e, r, quint8(cat), 0,
                              cat > 0 && DispatchPolicy::holdsThread(mode, Phase(cat - 1)), other });
    });
}
