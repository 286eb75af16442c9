#pragma once

#include "otlpmetrics.h"
#include "otlpreceiver.h"

#include <QString>
#include <atomic>
#include <functional>
#include <memory>

namespace grpc {
class Server;
}
class OtlpGrpcServices;

// OTLP/gRPC receiver (default port 4317): the unary calls
// opentelemetry.proto.collector.trace.v1.TraceService/Export and
// opentelemetry.proto.collector.metrics.v1.MetricsService/Export, served by gRPC's own threads
// (Debian's libgrpc++), never the GUI thread. gRPC inflates gzip messages itself and refuses
// messages over Otlp::MaxBodyBytes (also after decompression) with RESOURCE_EXHAUSTED; the
// bodies are decoded by the same decoders as OTLP/HTTP's and handed to the same sinks.
// Refusals are gRPC statuses: UNAUTHENTICATED (bearer token), INVALID_ARGUMENT (undecodable),
// RESOURCE_EXHAUSTED with a google.rpc.RetryInfo of 1 s when a sink's queue is full.
class OtlpGrpcReceiver
{
public:
    using TraceSink = OtlpReceiver::Sink;
    // Called on a gRPC thread; returns false when the points cannot be kept.
    using MetricsSink = std::function<bool(const Otlp::MetricBatch &batch)>;

    OtlpGrpcReceiver(TraceSink traces, MetricsSink metrics);
    ~OtlpGrpcReceiver();
    OtlpGrpcReceiver(const OtlpGrpcReceiver &) = delete;
    OtlpGrpcReceiver &operator=(const OtlpGrpcReceiver &) = delete;

    // options.port: 0 picks a free port. Blocks until the server is up or has failed.
    bool start(const OtlpReceiverOptions &options, QString *error);
    void stop();
    bool isRunning() const { return m_server != nullptr; }
    quint16 port() const { return m_port; }
    // What to put in OTEL_EXPORTER_OTLP_ENDPOINT with OTEL_EXPORTER_OTLP_PROTOCOL=grpc.
    QString endpoint() const;

    struct Stats
    {
        quint64 requests = 0; // calls answered OK
        quint64 spans = 0;
        quint64 points = 0; // metric data points accepted
        quint64 errors = 0; // calls refused
    };
    Stats stats() const;

private:
    friend class OtlpGrpcServices;
    TraceSink m_traces;
    MetricsSink m_metrics;
    OtlpReceiverOptions m_options;
    quint16 m_port = 0;
    std::unique_ptr<OtlpGrpcServices> m_services;
    std::unique_ptr<grpc::Server> m_server;
    std::atomic<quint64> m_requests { 0 }, m_spans { 0 }, m_points { 0 }, m_errors { 0 };
};
