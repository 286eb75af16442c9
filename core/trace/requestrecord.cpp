#include "requestrecord.h"

QString phaseName(Phase phase)
{
    switch (phase) {
    case Phase::Queued:
        return QStringLiteral("queued");
    case Phase::DbRead:
        return QStringLiteral("db_read");
    case Phase::Llm:
        return QStringLiteral("llm");
    case Phase::DbWrite:
        return QStringLiteral("db_write");
    case Phase::Prefetch:
        return QStringLiteral("prefetch");
    case Phase::Poll:
        return QStringLiteral("poll_wait");
    case Phase::Respond:
        return QStringLiteral("respond");
    case Phase::CpuWork:
        return QStringLiteral("cpu_work");
    case Phase::GilWait:
        return QStringLiteral("gil_wait");
    case Phase::Other:
        return QStringLiteral("other");
    case Phase::LoopWait:
        return QStringLiteral("loop_wait");
    case Phase::Handler:
        return QStringLiteral("handler");
    case Phase::DbPoolWait:
        return QStringLiteral("db_pool_wait");
    }
    return {};
}

int RequestRecord::beginSpan(Phase phase, qint64 nowNs, quint16 thread, quint8 index)
{
    if (spanCount >= MaxSpans)
        return -1;
    TraceSpan &s = spans[spanCount];
    s = TraceSpan { nowNs, 0, thread, phase, index, 1 };
    return spanCount++;
}

void RequestRecord::endSpan(int slot, qint64 nowNs)
{
    if (slot >= 0 && slot < spanCount)
        spans[size_t(slot)].endNs = nowNs;
}

qint64 phaseTotalNs(const RequestRecord &record, Phase phase)
{
    qint64 total = 0;
    for (int i = 0; i < record.spanCount && i < RequestRecord::MaxSpans; ++i) {
        const TraceSpan &s = record.spans[size_t(i)];
        if (s.phase == phase && s.endNs > s.startNs)
            total += s.endNs - s.startNs;
    }
    return total;
}
