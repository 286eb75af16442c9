#pragma once

#include "locktrack.h"
#include "requestrecord.h"
#include "servercounters.h"

#include <QList>
#include <atomic>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

// Keeps the RequestRecord of every request the server sees, for the timeline and the exporters.
//
// - Thread-safe without locks on the hot path: a request claims a slot with one fetch_add and
//   publishes its record with a per-slot sequence lock (version odd while being written, moved
//   on by every write so a reader overlapping a re-publish retries), copying the
//   record as 64-bit relaxed atomics. Publishing costs tens of nanoseconds.
// - Bounded: a ring of `capacity` slots, allocated in chunks as it fills. When it wraps, the
//   oldest records are overwritten and counted as dropped; readers notice and skip them.
//   Each new chunk's memory is faulted in by a helper thread one chunk ahead of the writers.
// - Readers (GUI, exporters) copy records out at any time without stopping the server.
//   In-flight records are readable too: their unfinished timestamps are still 0.
class TraceRecorder
{
public:
    explicit TraceRecorder(quint64 capacity = quint64(1) << 19);
    ~TraceRecorder();
    TraceRecorder(const TraceRecorder &) = delete;
    TraceRecorder &operator=(const TraceRecorder &) = delete;

    // Claims the next sequence number (0, 1, 2...) and publishes the first version of the record.
    quint64 begin(const RequestRecord &record);
    // Publishes a newer version of the record claimed as `seq`.
    void publish(quint64 seq, const RequestRecord &record);

    // How many records were ever begun; the valid range is [firstAvailable(), count()).
    quint64 count() const { return m_next.load(std::memory_order_acquire); }
    quint64 firstAvailable() const;
    quint64 capacity() const { return m_capacity; }
    quint64 dropped() const { return firstAvailable(); }

    // Copies record `seq`; false if it was overwritten or not yet published.
    bool read(quint64 seq, RequestRecord *out) const;
    // Copies records [from, count()) that are still available, in order. Stops before a record
    // that is claimed but not yet published; *next is where to continue from next time.
    QList<RequestRecord> readFrom(quint64 from, quint64 *next = nullptr) const;

    // Forgets everything (between runs). Not to be called while requests are being recorded.
    void clear();

    // The modelled interpreter lock's turns (pipeline/interpreterlock.h), beside the records.
    LockTrack &lockTrack() { return m_lockTrack; }
    const LockTrack &lockTrack() const { return m_lockTrack; }
    // The auto-scaling supervisor's decisions, beside the records (the timelines mark them).
    void addScaleEvent(const ScaleEvent &event);
    QList<ScaleEvent> scaleEvents() const;
    qsizetype scaleEventCount() const;

private:
    static constexpr int Words = int(sizeof(RequestRecord) / 8);
    static constexpr quint64 ChunkSize = 4096;
    // Cache-line aligned: two threads publishing neighbouring records (the common case: records
    // n and n + 1 belong to requests in flight at the same time) never write the same line.
    // Unaligned, 360-byte slots shared a line at every boundary and two publishing threads cost
    // ~290 ns per call instead of ~35.
    struct alignas(64) Slot
    {
        std::atomic<quint64> version { 0 }; // odd while a write is in progress; +2 per write
        std::atomic<quint64> owner { 0 }; // n + 1 when the slot holds record n
        std::atomic<quint64> words[Words];
    };

    Slot &slot(quint64 seq);
    Slot *ensureChunk(quint64 chunkIndex);
    void prepareChunkAhead(quint64 chunkIndex);
    const Slot *slotIfAllocated(quint64 seq) const;
    void write(Slot &s, quint64 seq, const RequestRecord &record);

    const quint64 m_capacity;
    const quint64 m_mask;
    std::unique_ptr<std::atomic<Slot *>[]> m_chunks;
    // The one word every publishing thread writes: on a line of its own, so that claiming a slot
    // does not evict the read-only fields above from the other cores' caches.
    alignas(64) std::atomic<quint64> m_next { 0 };
    char m_pad[64 - sizeof(std::atomic<quint64>)] = {};
    std::mutex m_allocMutex;
    std::mutex m_prefaultMutex;
    std::vector<std::thread> m_prefaulters;
    LockTrack m_lockTrack;
    mutable std::mutex m_scaleMutex;
    QList<ScaleEvent> m_scaleEvents;
};
