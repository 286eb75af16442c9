#include "otlpgrpcreceiver.h"

#include "otlp/otlp_metrics_service.grpc.pb.h"
#include "otlp/otlp_trace.pb.h"
#include "otlp/otlp_trace_service.grpc.pb.h"
#include "otlpdecodeutil.h"

#include <grpcpp/grpcpp.h>

namespace {

using TraceBase = opentelemetry::proto::collector::trace::v1::TraceService::WithRawCallbackMethod_Export<
    opentelemetry::proto::collector::trace::v1::TraceService::Service>;
using MetricsBase
    = opentelemetry::proto::collector::metrics::v1::MetricsService::WithRawCallbackMethod_Export<
        opentelemetry::proto::collector::metrics::v1::MetricsService::Service>;

QByteArray bytesOf(const grpc::ByteBuffer &buffer)
{
    std::vector<grpc::Slice> slices;
    QByteArray out;
    if (!buffer.Dump(&slices).ok())
        return out;
    out.reserve(qsizetype(buffer.Length()));
    for (const grpc::Slice &s : slices)
        out.append(reinterpret_cast<const char *>(s.begin()), qsizetype(s.size()));
    return out;
}

grpc::ByteBuffer bufferOf(const QByteArray &bytes)
{
    grpc::Slice slice(bytes.constData(), size_t(bytes.size()));
    return grpc::ByteBuffer(&slice, 1);
}

// RESOURCE_EXHAUSTED with google.rpc.RetryInfo (retry in 1 s): the exporters back off and retry.
grpc::Status retryLater(const std::string &message)
{
    loopscope::otlp::RpcRetryInfo retry;
    retry.mutable_retry_delay()->set_seconds(1);
    loopscope::otlp::RpcStatus status;
    status.set_code(int(grpc::StatusCode::RESOURCE_EXHAUSTED));
    status.set_message(message);
    auto *detail = status.add_details();
    detail->set_type_url("type.googleapis.com/google.rpc.RetryInfo");
    detail->set_value(retry.SerializeAsString());
    return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, message, status.SerializeAsString());
}

} // namespace

// The two services; each call is answered on the gRPC thread that received it.
class OtlpGrpcServices
{
public:
    explicit OtlpGrpcServices(OtlpGrpcReceiver *receiver)
        : traces(this)
        , metrics(this)
        , m_receiver(receiver)
    { }

    struct Traces : TraceBase
    {
        explicit Traces(OtlpGrpcServices *owner)
            : m_owner(owner)
        { }
        grpc::ServerUnaryReactor *Export(grpc::CallbackServerContext *context,
                                         const grpc::ByteBuffer *request, grpc::ByteBuffer *response) override
        {
            grpc::ServerUnaryReactor *reactor = context->DefaultReactor();
            reactor->Finish(m_owner->exportTraces(context, *request, response));
            return reactor;
        }
        OtlpGrpcServices *m_owner;
    } traces;

    struct Metrics : MetricsBase
    {
        explicit Metrics(OtlpGrpcServices *owner)
            : m_owner(owner)
        { }
        grpc::ServerUnaryReactor *Export(grpc::CallbackServerContext *context,
                                         const grpc::ByteBuffer *request, grpc::ByteBuffer *response) override
        {
            grpc::ServerUnaryReactor *reactor = context->DefaultReactor();
            reactor->Finish(m_owner->exportMetrics(context, *request, response));
            return reactor;
        }
        OtlpGrpcServices *m_owner;
    } metrics;

private:
    grpc::Status refuse(grpc::Status status)
    {
        m_receiver->m_errors.fetch_add(1, std::memory_order_relaxed);
        return status;
    }

    bool authorized(const grpc::CallbackServerContext *context) const
    {
        const QString &token = m_receiver->m_options.token;
        if (token.isEmpty())
            return true;
        const auto &metadata = context->client_metadata();
        const auto it = metadata.find("authorization");
        if (it == metadata.end())
            return false;
        return Otlp::detail::sameSecret(QByteArray(it->second.data(), qsizetype(it->second.size())),
                                        "Bearer " + token.toUtf8());
    }

    grpc::Status exportTraces(grpc::CallbackServerContext *context, const grpc::ByteBuffer &request,
                              grpc::ByteBuffer *response)
    {
        if (!authorized(context))
            return refuse({ grpc::StatusCode::UNAUTHENTICATED,
                            "missing or wrong bearer token (authorization: Bearer ...)" });
        Otlp::Batch batch;
        QString error;
        if (Otlp::decodeProtobuf(bytesOf(request), &batch, &error) != Otlp::Result::Ok)
            return refuse({ grpc::StatusCode::INVALID_ARGUMENT, error.toStdString() });
        const qint64 rejected = batch.rejected;
        const QString reason = batch.rejectReason;
        const quint64 spans = quint64(batch.spans.size());
        if (!m_receiver->m_traces(std::move(batch)))
            return refuse(retryLater("LoopScope's ingest queue is full; retry later"));
        m_receiver->m_requests.fetch_add(1, std::memory_order_relaxed);
        m_receiver->m_spans.fetch_add(spans, std::memory_order_relaxed);
        *response = bufferOf(Otlp::successBody(Otlp::Format::Protobuf, rejected, reason));
        return grpc::Status::OK;
    }

    grpc::Status exportMetrics(grpc::CallbackServerContext *context, const grpc::ByteBuffer &request,
                               grpc::ByteBuffer *response)
    {
        if (!authorized(context))
            return refuse({ grpc::StatusCode::UNAUTHENTICATED,
                            "missing or wrong bearer token (authorization: Bearer ...)" });
        if (!m_receiver->m_metrics)
            return refuse({ grpc::StatusCode::UNIMPLEMENTED, "this receiver takes traces only" });
        Otlp::MetricBatch batch;
        QString error;
        if (Otlp::decodeMetricsProtobuf(bytesOf(request), &batch, &error) != Otlp::Result::Ok)
            return refuse({ grpc::StatusCode::INVALID_ARGUMENT, error.toStdString() });
        if (!m_receiver->m_metrics(batch))
            return refuse(retryLater("LoopScope's metric store is full; retry later"));
        m_receiver->m_requests.fetch_add(1, std::memory_order_relaxed);
        m_receiver->m_points.fetch_add(quint64(batch.points.size()), std::memory_order_relaxed);
        *response
            = bufferOf(Otlp::metricsSuccessBody(Otlp::Format::Protobuf, batch.rejected, batch.rejectReason));
        return grpc::Status::OK;
    }

    OtlpGrpcReceiver *m_receiver;
};

OtlpGrpcReceiver::OtlpGrpcReceiver(TraceSink traces, MetricsSink metrics)
    : m_traces(std::move(traces))
    , m_metrics(std::move(metrics))
{ }

OtlpGrpcReceiver::~OtlpGrpcReceiver()
{
    stop();
}

bool OtlpGrpcReceiver::start(const OtlpReceiverOptions &options, QString *error)
{
    stop();
    m_options = options;
    QString host = options.host;
    if (host.isEmpty() || host == QLatin1String("*"))
        host = QStringLiteral("0.0.0.0");
    if (host.contains(QLatin1Char(':')) && !host.startsWith(QLatin1Char('[')))
        host = QLatin1Char('[') + host + QLatin1Char(']');
    const std::string address = QStringLiteral("%1:%2").arg(host).arg(options.port).toStdString();
    m_services = std::make_unique<OtlpGrpcServices>(this);
    grpc::ServerBuilder builder;
    int selected = 0;
    builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &selected);
    builder.RegisterService(&m_services->traces);
    builder.RegisterService(&m_services->metrics);
    builder.SetMaxReceiveMessageSize(int(Otlp::MaxBodyBytes));
    // gRPC binds with SO_REUSEPORT by default: a second receiver on a port in use must fail,
    // not share the exporters' connections with the first.
    builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
    m_server = builder.BuildAndStart();
    if (!m_server || selected == 0) {
        if (error)
            *error = QStringLiteral("cannot listen for OTLP/gRPC on %1 (in use, or not an address here)")
                         .arg(QString::fromStdString(address));
        stop();
        return false;
    }
    m_port = quint16(selected);
    return true;
}

void OtlpGrpcReceiver::stop()
{
    if (m_server) {
        m_server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
        m_server->Wait();
        m_server.reset();
    }
    m_services.reset();
}

QString OtlpGrpcReceiver::endpoint() const
{
    return Otlp::detail::endpointUrl(m_options.host, m_port);
}

OtlpGrpcReceiver::Stats OtlpGrpcReceiver::stats() const
{
    Stats s;
    s.requests = m_requests.load(std::memory_order_relaxed);
    s.spans = m_spans.load(std::memory_order_relaxed);
    s.points = m_points.load(std::memory_order_relaxed);
    s.errors = m_errors.load(std::memory_order_relaxed);
    return s;
}
