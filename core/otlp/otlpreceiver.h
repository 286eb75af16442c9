#pragma once

#include "otlpdecoder.h"
#include "otlpmetrics.h"

#include <QObject>
#include <QString>
#include <atomic>
#include <functional>
#include <memory>

class QThread;
class OtlpHttpServer;

struct OtlpReceiverOptions
{
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 4318; // 0: any free port
    QString token; // non-empty: requests need "Authorization: Bearer <token>"
    // A kept-alive connection idle this long is closed. Longer than the chat server's 5 s: an SDK
    // exports every 5 s (spans) or 60 s (metrics) and reuses its connection between exports.
    int idleTimeoutMs = 120'000;
};

// OTLP/HTTP receiver: POST /v1/traces (and /v1/metrics with a metrics sink) on its own listener and its own
// thread, an epoll loop served by the HTTP/1.1 connection layer of core/http (keep-alive, pipelining, chunked
// bodies, Expect: 100-continue, header limits). A request is judged by its head before its body is read
// (token, path, method, media type, declared size); gzip bodies are inflated (capped at Otlp::MaxBodyBytes
// after decompression), decoded from protobuf or JSON and handed to the sink, all on the receiver's thread:
// the GUI thread never decodes. Answers as the OTLP spec says, with a google.rpc.Status body: 200 (+ partial
// success), 400, 401, 404, 405, 413, 415, and 503 with Retry-After when the sink refuses a batch (its queue
// is full).
class OtlpReceiver : public QObject
{
    Q_OBJECT
public:
    // Called on the receiver's thread; returns false when the batch cannot be queued.
    using Sink = std::function<bool(Otlp::Batch &&batch)>;

    explicit OtlpReceiver(Sink sink, QObject *parent = nullptr);
    // POST /v1/metrics, answered 404 without a metrics sink. Called on the receiver's thread;
    // false when the points cannot be kept (503). Set before start().
    using MetricsSink = std::function<bool(const Otlp::MetricBatch &batch)>;
    void setMetricsSink(MetricsSink sink) { m_metricsSink = std::move(sink); }
    ~OtlpReceiver() override;

    // Starts listening (blocks until the listener is up or has failed).
    bool start(const OtlpReceiverOptions &options, QString *error);
    void stop();
    bool isRunning() const;
    quint16 port() const { return m_port; }
    QString host() const { return m_options.host; }
    // What to put in OTEL_EXPORTER_OTLP_ENDPOINT (the SDKs append /v1/traces).
    QString endpoint() const;

    struct Stats
    {
        quint64 requests = 0; // export requests answered 200
        quint64 spans = 0; // spans accepted
        quint64 rejectedSpans = 0; // spans dropped (partial success)
        quint64 errors = 0; // requests answered 4xx/5xx
        quint64 bytes = 0; // body bytes received (before decompression)
    };
    Stats stats() const;

private:
    friend class OtlpHttpServer;
    Sink m_sink;
    MetricsSink m_metricsSink;
    OtlpReceiverOptions m_options;
    quint16 m_port = 0;
    QThread *m_thread = nullptr;
    OtlpHttpServer *m_server = nullptr; // lives on m_thread
    std::atomic<quint64> m_requests { 0 }, m_spans { 0 }, m_rejected { 0 }, m_errors { 0 }, m_bytes { 0 };
};
