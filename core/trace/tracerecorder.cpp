#include "tracerecorder.h"

#include <bit>
#include <cstdlib>
#include <cstring>

namespace {
quint64 roundUpPow2(quint64 v)
{
    return std::bit_ceil(std::max<quint64>(v, 4096));
}
} // namespace

TraceRecorder::TraceRecorder(quint64 capacity)
    : m_capacity(roundUpPow2(capacity))
    , m_mask(m_capacity - 1)
    , m_chunks(new std::atomic<Slot *>[m_capacity / ChunkSize])
{
    for (quint64 i = 0; i < m_capacity / ChunkSize; ++i)
        m_chunks[i].store(nullptr, std::memory_order_relaxed);
    ensureChunk(0);
}

TraceRecorder::~TraceRecorder()
{
    {
        std::lock_guard lock(m_prefaultMutex);
        for (std::thread &t : m_prefaulters)
            t.join();
    }
    for (quint64 i = 0; i < m_capacity / ChunkSize; ++i)
        std::free(m_chunks[i].load(std::memory_order_relaxed));
}

TraceRecorder::Slot *TraceRecorder::ensureChunk(quint64 chunkIndex)
{
    std::atomic<Slot *> &chunk = m_chunks[chunkIndex];
    Slot *c = chunk.load(std::memory_order_acquire);
    if (c)
        return c;
    std::lock_guard lock(m_allocMutex);
    c = chunk.load(std::memory_order_acquire);
    if (!c) {
        static_assert(std::is_trivially_destructible_v<Slot>);
        c = static_cast<Slot *>(std::aligned_alloc(alignof(Slot), ChunkSize * sizeof(Slot)));
        if (!c)
            qFatal("TraceRecorder: out of memory");
        // Fault every page in now: on this path, not on the first request that lands there.
        std::memset(static_cast<void *>(c), 0, ChunkSize * sizeof(Slot));
        chunk.store(c, std::memory_order_release);
    }
    return c;
}

void TraceRecorder::prepareChunkAhead(quint64 chunkIndex)
{
    if (chunkIndex >= m_capacity / ChunkSize || m_chunks[chunkIndex].load(std::memory_order_acquire))
        return;
    // A new page costs microseconds to fault in (more in a VM); doing it for a whole chunk on a
    // helper thread, one chunk ahead, keeps that cost off the request path.
    std::lock_guard lock(m_prefaultMutex);
    m_prefaulters.emplace_back([this, chunkIndex] { ensureChunk(chunkIndex); });
}

TraceRecorder::Slot &TraceRecorder::slot(quint64 seq)
{
    const quint64 index = seq & m_mask;
    const quint64 chunkIndex = index / ChunkSize;
    Slot *c = m_chunks[chunkIndex].load(std::memory_order_acquire);
    if (!c)
        c = ensureChunk(chunkIndex);
    return c[index % ChunkSize];
}

const TraceRecorder::Slot *TraceRecorder::slotIfAllocated(quint64 seq) const
{
    const quint64 index = seq & m_mask;
    const Slot *c = m_chunks[index / ChunkSize].load(std::memory_order_acquire);
    return c ? &c[index % ChunkSize] : nullptr;
}

void TraceRecorder::write(Slot &s, quint64 seq, const RequestRecord &record)
{
    quint64 words[Words];
    std::memcpy(words, &record, sizeof(words));
    // Take the slot's write lock: version odd. Only two writers can ever meet here (an old request
    // updating its record just as the ring wraps onto it), so a spin is enough.
    quint64 v = s.version.load(std::memory_order_relaxed);
    for (;;) {
        if (v & 1) {
            v = s.version.load(std::memory_order_relaxed);
            continue;
        }
        if (s.version.compare_exchange_weak(v, v + 1, std::memory_order_acquire, std::memory_order_relaxed))
            break;
    }
    // A newer record may already own this slot after a wrap: never overwrite it with an old one.
    if (s.owner.load(std::memory_order_relaxed) > seq + 1) {
        s.version.store(v, std::memory_order_release); // unchanged: nothing was written
        return;
    }
    std::atomic_thread_fence(std::memory_order_release);
    s.owner.store(seq + 1, std::memory_order_relaxed);
    for (int i = 0; i < Words; ++i)
        s.words[i].store(words[i], std::memory_order_relaxed);
    // Every write moves the version on, so a reader that overlapped any write (even a re-publish
    // of the same request) sees a different version afterwards and retries.
    s.version.store(v + 2, std::memory_order_release);
}

quint64 TraceRecorder::begin(const RequestRecord &record)
{
    const quint64 seq = m_next.fetch_add(1, std::memory_order_acq_rel);
    if ((seq & (ChunkSize - 1)) == 0 && seq < m_capacity)
        prepareChunkAhead(seq / ChunkSize + 1);
    write(slot(seq), seq, record);
    return seq;
}

void TraceRecorder::publish(quint64 seq, const RequestRecord &record)
{
    if (seq + m_capacity < count())
        return; // already overwritten by a newer request
    write(slot(seq), seq, record);
}

quint64 TraceRecorder::firstAvailable() const
{
    const quint64 n = count();
    return n > m_capacity ? n - m_capacity : 0;
}

bool TraceRecorder::read(quint64 seq, RequestRecord *out) const
{
    if (seq >= count() || seq < firstAvailable())
        return false;
    const Slot *s = slotIfAllocated(seq);
    if (!s)
        return false;
    quint64 words[Words];
    for (int attempt = 0; attempt < 1000; ++attempt) {
        const quint64 before = s->version.load(std::memory_order_acquire);
        if (before & 1)
            continue; // being written right now
        if (s->owner.load(std::memory_order_relaxed) != seq + 1) {
            // Not yet published (owner still older) or already overwritten (owner newer).
            std::atomic_thread_fence(std::memory_order_acquire);
            if (s->version.load(std::memory_order_relaxed) == before)
                return false;
            continue;
        }
        for (int i = 0; i < Words; ++i)
            words[i] = s->words[i].load(std::memory_order_relaxed);
        std::atomic_thread_fence(std::memory_order_acquire);
        if (s->version.load(std::memory_order_relaxed) == before) {
            std::memcpy(static_cast<void *>(out), words, sizeof(words));
            return true;
        }
    }
    return false;
}

QList<RequestRecord> TraceRecorder::readFrom(quint64 from, quint64 *next) const
{
    const quint64 end = count();
    QList<RequestRecord> out;
    from = std::max(from, firstAvailable());
    if (end > from)
        out.reserve(qsizetype(end - from));
    RequestRecord r;
    quint64 seq = from;
    for (; seq < end; ++seq) {
        if (read(seq, &r)) {
            out.append(r);
        } else if (seq >= firstAvailable()) {
            // Claimed but not yet published (its writer is between fetch_add and the first
            // write): stop here so the caller's cursor comes back for it, instead of skipping it.
            break;
        }
    }
    if (next)
        *next = seq;
    return out;
}

void TraceRecorder::clear()
{
    std::lock_guard lock(m_allocMutex);
    for (quint64 i = 0; i < m_capacity / ChunkSize; ++i) {
        if (Slot *c = m_chunks[i].load(std::memory_order_relaxed)) {
            for (quint64 j = 0; j < ChunkSize; ++j)
                c[j].owner.store(0, std::memory_order_relaxed);
        }
    }
    m_next.store(0, std::memory_order_release);
    m_lockTrack.clear();
    std::lock_guard scale(m_scaleMutex);
    m_scaleEvents.clear();
}

void TraceRecorder::addScaleEvent(const ScaleEvent &event)
{
    std::lock_guard lock(m_scaleMutex);
    m_scaleEvents.append(event);
}

QList<ScaleEvent> TraceRecorder::scaleEvents() const
{
    std::lock_guard lock(m_scaleMutex);
    return m_scaleEvents;
}

qsizetype TraceRecorder::scaleEventCount() const
{
    std::lock_guard lock(m_scaleMutex);
    return m_scaleEvents.size();
}
