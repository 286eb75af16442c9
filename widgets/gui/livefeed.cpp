#include "livefeed.h"

#include "http/chatserver.h"

#include <limits>

LiveFeed::LiveFeed(ChatServer *server)
    : m_server(server)
    , m_source(server->recorder())
{ }

LiveFeed::Pull LiveFeed::pull(qint64 nowNs, bool settling)
{
    Pull p;
    p.changed = m_source.pull(m_data);
    // Send times are joined a few times a second: a second is summarised once it is settled.
    m_latency.addFinished(m_data.takeFinished());
    const qint64 settled = settling ? nowNs - 1'200'000'000 : std::numeric_limits<qint64>::max();
    p.latency = m_latency.takeSettled(m_data, settled);
    p.samples = m_server->counterSeries()->readFrom(m_sampleCursor, &m_sampleCursor);
    if (!p.samples.isEmpty())
        m_lastSampleNs = p.samples.last().tNs;
    return p;
}

void LiveFeed::rereadRecords()
{
    m_data.reread(*m_server->recorder());
    replayLatency();
}

qint64 LiveFeed::liveEdge(bool running, qint64 nowNs) const
{
    return running ? nowNs : std::max(m_data.latestNs(), m_lastSampleNs);
}

void LiveFeed::restart(qint64 originNs)
{
    m_originNs = originNs;
    m_latency.restart(originNs);
}

void LiveFeed::replay()
{
    m_sampleCursor = 0;
    replayLatency();
}

void LiveFeed::replayLatency()
{
    m_latency.restart(m_originNs);
    m_data.takeFinished();
    std::vector<quint64> finished;
    for (qsizetype i = 0; i < m_data.size(); ++i) {
        if (m_data.at(i).finished())
            finished.push_back(quint64(i));
    }
    m_latency.addFinished(finished);
}

bool LiveFeed::joinClientSends(const QHash<quint64, qint64> &sentByTag)
{
    return m_data.joinClientSends(sentByTag);
}
