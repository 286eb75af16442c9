#pragma once

#include "otlpdecoder.h"
#include "trace/requestrecord.h"

#include <QHash>
#include <QList>
#include <QMap>
#include <QSet>
#include <QString>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

class TraceRecorder;

// An observed service instance: one lane of the timeline.
struct ObservedLane
{
    quint16 lane = 0; // ThreadRegistry index (LaneKind::Service)
    QString service; // service.name
    QString host; // host.name
    QString instance; // service.instance.id or "pid N"
    QString thread; // thread.name / thread.id when the spans carry it
    QString name() const;
};

// Offset of one host's clock against another's, estimated from CLIENT spans and the SERVER spans
// they caused on the other host: ((server.start - client.start) + (server.end - client.end)) / 2.
struct ClockOffset
{
    QString fromHost; // the client's host
    QString toHost; // the server's host
    double offsetMs = 0; // toHost's clock minus fromHost's (median of the samples)
    int samples = 0;
};

// Turns decoded OTLP spans into RequestRecords in a TraceRecorder, on a thread of its own, so the
// window and the exporters read observed requests exactly like the in-process server's.
// - A request is a SERVER span, or a root span that is not a CLIENT/PRODUCER span.
// - Its phases come from the spans below it (to the nearest request above them): database spans
//   as DbRead/DbWrite, gen_ai.* and HTTP/RPC CLIENT spans as Llm, the rest as Other; the time
//   no span below it covers is the request's own, Handler.
// - Spans arrive only when they end, children usually before their parent: spans whose request
//   has not arrived yet wait in their trace (bounded, dropped after a while).
// - Times are the sender's wall clock converted to TraceClock with this machine's offset
//   between the wall clock and the steady clock; each host keeps its own clock (see offsets())
//   unless the estimated offsets are applied (setApplyClockOffsets).
class OtlpAssembler
{
public:
    explicit OtlpAssembler(TraceRecorder *recorder, qint64 maxQueuedSpans = 200000);
    ~OtlpAssembler();
    OtlpAssembler(const OtlpAssembler &) = delete;
    OtlpAssembler &operator=(const OtlpAssembler &) = delete;

    // Thread-safe. False (nothing queued) when the queue holds maxQueuedSpans already.
    bool enqueue(Otlp::Batch &&batch);
    // Blocks until every queued batch is assembled.
    void drain();
    // On: every host's spans, those already received and those to come, are moved onto one
    // clock (ClockCorrections: a host estimated to run `offset` ahead of its caller is moved
    // back by it); a correction that later moves by 1 ms or more is applied again to all of that
    // host's requests, so one host's requests are always moved by the same amount. Off: every
    // request is published again as sent. Done on the assembler's thread (drain() waits for it);
    // the corrections listener moves the metrics by the same amounts.
    void setApplyClockOffsets(bool on);
    bool applyClockOffsets() const { return m_applyOffsets.load(std::memory_order_relaxed); }
    // Called on the assembler's thread whenever the applied corrections change, with the ns
    // subtracted from each host's times (hosts without one: 0). Set before data arrives.
    void setCorrectionsListener(std::function<void(const QHash<QString, qint64> &)> listener)
    {
        m_correctionsListener = std::move(listener);
    }
    // The ns subtracted from each host's times now (empty when off or nothing is estimated).
    QHash<QString, qint64> appliedCorrectionsNs() const;
    // Changes whenever already published requests were moved (the live views read them again).
    quint64 correctionsVersion() const { return m_correctionsVersion.load(std::memory_order_acquire); }
    // Test hook: a paused assembler queues but does not assemble (its queue fills up).
    void setPaused(bool paused);

    struct Stats
    {
        quint64 spans = 0; // spans assembled
        quint64 requests = 0; // request spans (records published)
        quint64 phaseSpans = 0; // spans drawn as a phase of a request
        quint64 waitingSpans = 0; // spans whose request has not arrived (yet)
        int services = 0;
        int instances = 0; // lanes
    };
    Stats stats() const;
    QList<ObservedLane> lanes() const;
    ObservedLane laneInfo(quint16 lane) const;
    QList<ClockOffset> offsets() const;

    // The parts of `request` that none of `children` covers, as Handler spans on its lane.
    static QList<TraceSpan> handlerGaps(const RequestRecord &request, const QList<TraceSpan> &children);

    // TraceClock ns for a sender's unix-epoch ns.
    qint64 toTraceClock(quint64 unixNs) const { return qint64(unixNs) - m_unixMinusSteady; }
    qint64 unixMinusSteadyNs() const { return m_unixMinusSteady; }

private:
    struct Node
    {
        QByteArray parent;
        qint64 startNs = 0;
        qint64 endNs = 0;
        qint64 startUnix = 0;
        qint64 endUnix = 0;
        quint16 lane = 0;
        Phase phase = Phase::Other;
        Otlp::SpanKind kind = Otlp::SpanKind::Unspecified;
        int host = 0;
        bool request = false;
        bool attached = false;
        quint64 seq = 0; // recorder sequence, for a request
    };
    struct Trace
    {
        QHash<QByteArray, Node> nodes;
        qint64 touchedNs = 0;
        int waiting = 0;
    };
    struct Request
    {
        RequestRecord record;
        QList<TraceSpan> phases;
        bool dirty = false;
    };

    void run();
    void assemble(const Otlp::Batch &batch);
    quint16 laneFor(const Otlp::Resource &resource, const Otlp::Span &span);
    int hostId(const QString &host);
    const Node *requestAbove(const Trace &trace, const Node &node) const;
    void attachWaiting(Trace &trace);
    void clockSample(const Node &client, const Node &server);
    void expire(qint64 nowNs);
    void publishDirty();
    // ns to subtract from the times of spans on `lane` (its host's applied correction, or 0).
    qint64 laneCorrectionNs(quint16 lane) const;
    // `raw` (times as sent) moved by its lanes' hosts' corrections.
    RequestRecord corrected(const RequestRecord &raw) const;
    // Re-estimates the corrections (on) or drops them (off); publishes every request of a host
    // whose correction changed again, moved accordingly. True if any moved.
    bool updateCorrections();
    // After a batch or a switch: corrections, then the dirty requests; tells the listener.
    void settle();

    TraceRecorder *m_recorder;
    const qint64 m_maxQueuedSpans;
    const qint64 m_unixMinusSteady;

    std::mutex m_queueMutex;
    std::condition_variable m_queueCv;
    std::condition_variable m_drainedCv;
    std::deque<Otlp::Batch> m_queue;
    qint64 m_queuedSpans = 0;
    bool m_busy = false;
    bool m_paused = false;
    bool m_stop = false;
    bool m_correctionsDue = false; // setApplyClockOffsets was called: update on the thread

    // Assembly state: written by the assembler thread under m_stateMutex, read by stats().
    mutable std::mutex m_stateMutex;
    QHash<QByteArray, Trace> m_traces;
    QHash<quint64, Request> m_requests;
    QList<quint64> m_dirty;
    QHash<QString, quint16> m_laneByKey;
    QMap<quint16, ObservedLane> m_lanes;
    QHash<quint16, int> m_laneHost; // lane -> host id
    std::vector<quint64> m_published; // recorder sequences of every request begun
    QHash<int, qint64> m_applied; // host id -> ns subtracted from its published times
    QHash<QString, int> m_hostIds;
    QStringList m_hosts;
    QMap<QPair<int, int>, QList<double>> m_offsetSamples;
    QSet<QString> m_services;
    Stats m_stats;
    quint64 m_nextId = 1;
    qint64 m_lastExpireNs = 0;

    std::atomic<bool> m_applyOffsets { false };
    std::atomic<quint64> m_correctionsVersion { 0 };
    std::function<void(const QHash<QString, qint64> &)> m_correctionsListener;
    std::thread m_thread;
};
