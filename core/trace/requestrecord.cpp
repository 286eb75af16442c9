#include "requestrecord.h"

#include <QHostAddress>

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

QString RequestRecord::clientAddressText() const
{
    if (!hasClient())
        return {};
    QHostAddress address(clientAddress.data());
    bool v4 = false;
    const quint32 ip4 = address.toIPv4Address(&v4);
    return v4 ? QHostAddress(ip4).toString() : address.toString();
}

QString RequestRecord::clientEndpointText() const
{
    if (!hasClient())
        return {};
    const QString address = clientAddressText();
    return (address.contains(QLatin1Char(':')) ? QStringLiteral("[%1]:%2") : QStringLiteral("%1:%2"))
        .arg(address)
        .arg(clientPort);
}

bool RequestRecord::setClientAddressText(const QString &text)
{
    clientAddress = {};
    QHostAddress address;
    if (!address.setAddress(text))
        return false;
    const Q_IPV6ADDR v6 = address.toIPv6Address();
    std::memcpy(clientAddress.data(), v6.c, clientAddress.size());
    return true;
}
