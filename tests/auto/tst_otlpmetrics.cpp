// OTLP metrics and OTLP/gRPC: the metric decoders (every data type, both temporalities, protobuf
// and JSON), the metric store's tracks and metrics.csv, /v1/metrics on the HTTP receiver
// (malformed and oversized bodies, a full store), and the gRPC receiver's answers to a real gRPC
// client (OK, gzip, UNAUTHENTICATED, INVALID_ARGUMENT, RESOURCE_EXHAUSTED with RetryInfo, and
// messages over the size cap).
#include "otlp/otlp_metrics.pb.h"
#include "otlp/otlp_trace.pb.h"
#include "otlp/otlpassembler.h"
#include "otlp/otlpgrpcreceiver.h"
#include "otlp/otlpmetrics.h"
#include "otlp/otlpmetricstore.h"
#include "otlp/otlpreceiver.h"
#include "trace/tracerecorder.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTest>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

namespace {

using namespace loopscope::otlp;

constexpr quint64 Second = 1'000'000'000ULL;
const quint64 T0 = quint64(QDateTime::currentMSecsSinceEpoch()) * 1'000'000ULL - 30 * Second;

void setResource(ResourceMetrics *rm, const char *service, const char *host)
{
    auto *a = rm->mutable_resource()->add_attributes();
    a->set_key("service.name");
    a->mutable_value()->set_string_value(service);
    a = rm->mutable_resource()->add_attributes();
    a->set_key("host.name");
    a->mutable_value()->set_string_value(host);
}

Metric *addMetric(ResourceMetrics *rm, const char *name, const char *unit)
{
    if (rm->scope_metrics_size() == 0)
        rm->add_scope_metrics();
    Metric *m = rm->mutable_scope_metrics(0)->add_metrics();
    m->set_name(name);
    m->set_unit(unit);
    return m;
}

NumberDataPoint *number(google::protobuf::RepeatedPtrField<NumberDataPoint> *points, quint64 start, quint64 t)
{
    NumberDataPoint *p = points->Add();
    p->set_start_time_unix_nano(start);
    p->set_time_unix_nano(t);
    return p;
}

// Every data type: a gauge (double and int), a cumulative and a delta sum (process CPU time on two
// instances), an explicit and an exponential histogram, a summary.
ExportMetricsServiceRequest everyType()
{
    ExportMetricsServiceRequest request;
    ResourceMetrics *a = request.add_resource_metrics();
    setResource(a, "chat", "host-a");
    Metric *delay = addMetric(a, "nodejs.eventloop.delay.max", "s");
    number(delay->mutable_gauge()->mutable_data_points(), 0, T0)->set_as_double(0.31);
    number(delay->mutable_gauge()->mutable_data_points(), 0, T0 + Second)->set_as_double(0.02);
    Metric *heap = addMetric(a, "v8js.memory.heap.used", "By");
    for (const char *space : { "new_space", "old_space" }) {
        NumberDataPoint *p = number(heap->mutable_gauge()->mutable_data_points(), 0, T0);
        p->set_as_int(1024 * 1024);
        auto *kv = p->add_attributes();
        kv->set_key("v8js.heap.space.name");
        kv->mutable_value()->set_string_value(space);
    }
    Metric *cpu = addMetric(a, "process.cpu.time", "s");
    cpu->mutable_sum()->set_aggregation_temporality(AGGREGATION_TEMPORALITY_CUMULATIVE);
    cpu->mutable_sum()->set_is_monotonic(true);
    number(cpu->mutable_sum()->mutable_data_points(), T0 - 10 * Second, T0)->set_as_double(1.0);
    number(cpu->mutable_sum()->mutable_data_points(), T0 - 10 * Second, T0 + Second)->set_as_double(1.5);
    Metric *histogram = addMetric(a, "http.server.request.duration", "s");
    histogram->mutable_histogram()->set_aggregation_temporality(AGGREGATION_TEMPORALITY_DELTA);
    HistogramDataPoint *h = histogram->mutable_histogram()->add_data_points();
    h->set_time_unix_nano(T0);
    h->set_count(5);
    h->set_sum(1.5);
    h->set_min(0.3);
    h->set_max(0.31);
    h->add_bucket_counts(5);
    Metric *exponential = addMetric(a, "rpc.server.duration", "ms");
    exponential->mutable_exponential_histogram()->set_aggregation_temporality(
        AGGREGATION_TEMPORALITY_CUMULATIVE);
    ExponentialHistogramDataPoint *e = exponential->mutable_exponential_histogram()->add_data_points();
    e->set_time_unix_nano(T0);
    e->set_count(7);
    e->set_sum(70);
    Metric *summary = addMetric(a, "gc.pause", "ms");
    SummaryDataPoint *s = summary->mutable_summary()->add_data_points();
    s->set_time_unix_nano(T0);
    s->set_count(3);
    s->set_sum(9);
    auto *q = s->add_quantile_values();
    q->set_quantile(0.99);
    q->set_value(5);
    // A point without a time is rejected, not kept.
    number(addMetric(a, "broken", "1")->mutable_gauge()->mutable_data_points(), 0, 0)->set_as_double(1);

    ResourceMetrics *b = request.add_resource_metrics();
    setResource(b, "chat", "host-b");
    Metric *cpuDelta = addMetric(b, "process.cpu.time", "s");
    cpuDelta->mutable_sum()->set_aggregation_temporality(AGGREGATION_TEMPORALITY_DELTA);
    number(cpuDelta->mutable_sum()->mutable_data_points(), T0, T0 + Second / 2)->set_as_double(0.25);
    return request;
}

QByteArray bytes(const google::protobuf::MessageLite &m)
{
    const std::string s = m.SerializeAsString();
    return QByteArray(s.data(), qsizetype(s.size()));
}

// One unary gRPC call with raw bytes, as an exporter makes it.
grpc::Status grpcCall(quint16 port, const char *method, const QByteArray &body, const QByteArray &token = {},
                      bool gzip = false, QByteArray *answer = nullptr)
{
    auto channel = grpc::CreateChannel(QStringLiteral("127.0.0.1:%1").arg(port).toStdString(),
                                       grpc::InsecureChannelCredentials());
    grpc::GenericStub stub(channel);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    if (!token.isEmpty())
        context.AddMetadata("authorization", ("Bearer " + token).toStdString());
    if (gzip)
        context.set_compression_algorithm(GRPC_COMPRESS_GZIP);
    grpc::CompletionQueue cq;
    grpc::Slice slice(body.constData(), size_t(body.size()));
    const grpc::ByteBuffer request(&slice, 1);
    auto call = stub.PrepareUnaryCall(&context, method, request, &cq);
    call->StartCall();
    grpc::ByteBuffer response;
    grpc::Status status;
    call->Finish(&response, &status, reinterpret_cast<void *>(1));
    void *tag = nullptr;
    bool ok = false;
    cq.Next(&tag, &ok);
    if (answer && status.ok()) {
        std::vector<grpc::Slice> slices;
        (void)response.Dump(&slices);
        for (const grpc::Slice &s : slices)
            answer->append(reinterpret_cast<const char *>(s.begin()), qsizetype(s.size()));
    }
    return status;
}

const char *TraceExport = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
const char *MetricsExport = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";

QByteArray traceRequest(quint64 spanByte)
{
    ExportTraceServiceRequest request;
    ResourceSpans *rs = request.add_resource_spans();
    auto *kv = rs->mutable_resource()->add_attributes();
    kv->set_key("service.name");
    kv->mutable_value()->set_string_value("grpc-svc");
    Span *s = rs->add_scope_spans()->add_spans();
    s->set_trace_id(std::string(16, char(0x11)));
    s->set_span_id(std::string(7, char(0x22)) + char(spanByte));
    s->set_kind(2);
    s->set_start_time_unix_nano(T0);
    s->set_end_time_unix_nano(T0 + Second / 10);
    return bytes(request);
}

int httpStatus(quint16 port, const QByteArray &path, const QByteArray &contentType, const QByteArray &body)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(5000))
        return 0;
    socket.write("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: " + contentType
                 + "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    QByteArray data;
    while (!data.contains("\r\n") && socket.waitForReadyRead(10000))
        data += socket.readAll();
    return data.mid(9, 3).toInt();
}

} // namespace

class TestOtlpMetrics : public QObject
{
    Q_OBJECT

private slots:
    void decodesEveryTypeAndTemporality();
    void jsonRules();
    void storeTracksAndCsv();
    void httpMetricsRoute();
    void grpcStatusCodes();
    void grpcQueueFullRetryInfo();
};

void TestOtlpMetrics::decodesEveryTypeAndTemporality()
{
    Otlp::MetricBatch batch;
    QString error;
    QCOMPARE(Otlp::decodeMetrics(bytes(everyType()), Otlp::Format::Protobuf, &batch, &error),
             Otlp::Result::Ok);
    QCOMPARE(batch.resources.size(), 2);
    QCOMPARE(batch.resources[1].hostName, QStringLiteral("host-b"));
    QCOMPARE(batch.rejected, qint64(1)); // "broken": no time
    QHash<QString, QList<Otlp::MetricPoint>> by;
    for (const Otlp::MetricPoint &p : batch.points)
        by[p.name + QLatin1Char('@') + QString::number(p.resource)].append(p);
    const Otlp::MetricPoint delay = by.value(QStringLiteral("nodejs.eventloop.delay.max@0")).value(0);
    QCOMPARE(delay.type, Otlp::MetricType::Gauge);
    QCOMPARE(delay.value, 0.31);
    QCOMPARE(delay.unit, QStringLiteral("s"));
    const QList<Otlp::MetricPoint> heap = by.value(QStringLiteral("v8js.memory.heap.used@0"));
    QCOMPARE(heap.size(), 2);
    QCOMPARE(heap[0].value, 1024.0 * 1024.0); // as_int
    QCOMPARE(heap[0].attributes, QStringLiteral("v8js.heap.space.name=new_space"));
    const Otlp::MetricPoint cumulative = by.value(QStringLiteral("process.cpu.time@0")).value(1);
    QCOMPARE(cumulative.type, Otlp::MetricType::Sum);
    QCOMPARE(cumulative.temporality, Otlp::Temporality::Cumulative);
    QVERIFY(cumulative.monotonic);
    QCOMPARE(cumulative.value, 1.5);
    const Otlp::MetricPoint delta = by.value(QStringLiteral("process.cpu.time@1")).value(0);
    QCOMPARE(delta.temporality, Otlp::Temporality::Delta);
    QCOMPARE(delta.timeUnixNs - delta.startUnixNs, Second / 2);
    const Otlp::MetricPoint h = by.value(QStringLiteral("http.server.request.duration@0")).value(0);
    QCOMPARE(h.type, Otlp::MetricType::Histogram);
    QCOMPARE(h.temporality, Otlp::Temporality::Delta);
    QCOMPARE(h.count, quint64(5));
    QVERIFY(h.hasSum && h.hasMin && h.hasMax);
    QCOMPARE(h.max, 0.31);
    const Otlp::MetricPoint e = by.value(QStringLiteral("rpc.server.duration@0")).value(0);
    QCOMPARE(e.type, Otlp::MetricType::ExponentialHistogram);
    QCOMPARE(e.temporality, Otlp::Temporality::Cumulative);
    QCOMPARE(e.count, quint64(7));
    QCOMPARE(e.sum, 70.0);
    QVERIFY(!e.hasMin);
    const Otlp::MetricPoint s = by.value(QStringLiteral("gc.pause@0")).value(0);
    QCOMPARE(s.type, Otlp::MetricType::Summary);
    QCOMPARE(s.quantiles.size(), 1);
    QCOMPARE(s.quantiles[0].second, 5.0);

    // Undecodable bodies.
    QCOMPARE(Otlp::decodeMetrics("\xff\xff\xff", Otlp::Format::Protobuf, &batch, &error),
             Otlp::Result::BadData);
    QVERIFY(!error.isEmpty());
    QCOMPARE(Otlp::decodeMetrics(QByteArray(Otlp::MaxBodyBytes + 1, ' '), Otlp::Format::Json, &batch, &error),
             Otlp::Result::TooLarge);
    // The answer: partial success when points were rejected.
    ExportMetricsServiceResponse response;
    QVERIFY(response.ParseFromString(
        Otlp::metricsSuccessBody(Otlp::Format::Protobuf, 1, QStringLiteral("x")).toStdString()));
    QCOMPARE(response.partial_success().rejected_data_points(), 1);
}

void TestOtlpMetrics::jsonRules()
{
    const QByteArray json = QStringLiteral(R"({"resourceMetrics":[{"resource":{"attributes":[
        {"key":"service.name","value":{"stringValue":"api"}}]},
      "scopeMetrics":[{"metrics":[
        {"name":"nodejs.eventloop.utilization","unit":"1","gauge":{"dataPoints":[
            {"timeUnixNano":"%1","asDouble":0.93}]}},
        {"name":"requests","sum":{"aggregationTemporality":"AGGREGATION_TEMPORALITY_DELTA","isMonotonic":true,
            "dataPoints":[{"startTimeUnixNano":"%1","timeUnixNano":"%2","asInt":"12"}]}},
        {"name":"latency","histogram":{"aggregationTemporality":2,"dataPoints":[
            {"timeUnixNano":%2,"count":"4","sum":2.5,"min":0.5,"bucketCounts":["4"],"explicitBounds":[]}]}},
        {"name":"pauses","summary":{"dataPoints":[{"timeUnixNano":"%2","count":2,"sum":3,
            "quantileValues":[{"quantile":0.5,"value":1},{"quantile":1,"value":2}]}]}},
        {"name":"bad","gauge":{"dataPoints":[{"timeUnixNano":"%2","asDouble":"not a number"}]}},
        {"name":"nodata"}
      ]}]}]})")
                                .arg(T0)
                                .arg(T0 + Second)
                                .toUtf8();
    Otlp::MetricBatch batch;
    QString error;
    QCOMPARE(Otlp::decodeMetrics(json, Otlp::Format::Json, &batch, &error), Otlp::Result::Ok);
    QCOMPARE(batch.points.size(), 4);
    QCOMPARE(batch.rejected, qint64(2));
    QCOMPARE(batch.points[0].value, 0.93);
    QCOMPARE(batch.points[1].temporality, Otlp::Temporality::Delta);
    QCOMPARE(batch.points[1].value, 12.0);
    QCOMPARE(batch.points[2].temporality, Otlp::Temporality::Cumulative);
    QCOMPARE(batch.points[2].count, quint64(4));
    QVERIFY(batch.points[2].hasMin && !batch.points[2].hasMax);
    QCOMPARE(batch.points[3].quantiles.size(), 2);
    QCOMPARE(Otlp::decodeMetrics("{nope", Otlp::Format::Json, &batch, &error), Otlp::Result::BadData);
    QCOMPARE(Otlp::decodeMetrics(R"({"resourceMetrics":3})", Otlp::Format::Json, &batch, &error),
             Otlp::Result::BadData);
}

void TestOtlpMetrics::storeTracksAndCsv()
{
    Otlp::MetricBatch batch;
    QString error;
    QCOMPARE(Otlp::decodeMetrics(bytes(everyType()), Otlp::Format::Protobuf, &batch, &error),
             Otlp::Result::Ok);
    const qint64 offset = 5'000'000'000LL; // wall clock minus TraceClock, any value
    OtlpMetricStore store(offset);
    QVERIFY(store.add(batch));
    QVERIFY(store.add(batch)); // sent twice (a retry): kept once
    QCOMPARE(store.pointCount(), quint64(batch.points.size()));
    QCOMPARE(store.instances().size(), 2);
    QCOMPARE(store.instances()[0].name(), QStringLiteral("chat @ host-a"));
    // Delay in ms, on the TraceClock axis.
    const QList<OtlpMetricStore::Sample> delay = store.track(0, OtlpMetricStore::Track::LoopDelayMax);
    QCOMPARE(delay.size(), 2);
    QCOMPARE(delay[0].value, 310.0);
    QCOMPARE(delay[0].tNs, qint64(T0) - offset);
    // CPU from a cumulative sum (1.0 -> 1.5 s in 1 s) and from a delta one (0.25 s in 0.5 s).
    const QList<OtlpMetricStore::Sample> cpuA = store.track(0, OtlpMetricStore::Track::CpuPercent);
    QCOMPARE(cpuA.size(), 1);
    QCOMPARE(cpuA[0].value, 50.0);
    const QList<OtlpMetricStore::Sample> cpuB = store.track(1, OtlpMetricStore::Track::CpuPercent);
    QCOMPARE(cpuB.size(), 1);
    QCOMPARE(cpuB[0].value, 50.0);
    // Heap: the spaces summed, in MiB.
    QCOMPARE(store.track(0, OtlpMetricStore::Track::HeapUsedMb).value(0).value, 2.0);
    QVERIFY(store.names(0).contains(QStringLiteral("gc.pause")));

    const QList<QByteArray> rows = store.csv(qint64(T0) - offset).trimmed().split('\n');
    QCOMPARE(rows[0], QByteArray("service,host,instance,time_ms,name,value"));
    QVERIFY(rows.contains("chat,host-a,,0.000,nodejs.eventloop.delay.max,0.31"));
    QVERIFY(rows.contains("chat,host-a,,1000.000,nodejs.eventloop.delay.max,0.02"));
    QVERIFY(
        rows.contains("chat,host-a,,0.000,v8js.memory.heap.used{v8js.heap.space.name=old_space},1048576"));
    QVERIFY(rows.contains("chat,host-a,,0.000,http.server.request.duration.count,5"));
    QVERIFY(rows.contains("chat,host-a,,0.000,http.server.request.duration.max,0.31"));
    QVERIFY(rows.contains("chat,host-a,,0.000,rpc.server.duration.sum,70"));
    QVERIFY(rows.contains("chat,host-a,,0.000,gc.pause.p99,5"));
    QVERIFY(rows.contains("chat,host-b,,500.000,process.cpu.time,0.25"));
    QCOMPARE(rows.size(), 1 + 2 + 2 + 2 + 4 + 2 + 3 + 1);

    const QJsonArray json = store.toJson(qint64(T0) - offset);
    QCOMPARE(json.size(), 2);
    const QJsonObject a = json[0].toObject();
    QCOMPARE(
        a.value(QStringLiteral("peaks")).toObject().value(QStringLiteral("loop_delay_max_ms")).toDouble(),
        310.0);
    QCOMPARE(a.value(QStringLiteral("series")).toArray().size(), 7);

    // A full store refuses (the receiver answers "retry later").
    OtlpMetricStore small(offset, 3);
    QVERIFY(small.add(batch));
    QVERIFY(!small.add(batch));
}

void TestOtlpMetrics::httpMetricsRoute()
{
    TraceRecorder recorder;
    OtlpAssembler assembler(&recorder);
    OtlpMetricStore store(assembler.unixMinusSteadyNs(), 1);
    OtlpReceiver receiver([&](Otlp::Batch &&b) { return assembler.enqueue(std::move(b)); });
    OtlpReceiverOptions options;
    options.port = 0;
    QString error;
    QVERIFY2(receiver.start(options, &error), qPrintable(error));
    // Without a metrics sink the route does not exist.
    QCOMPARE(httpStatus(receiver.port(), "/v1/metrics", "application/x-protobuf", bytes(everyType())), 404);
    receiver.stop();
    receiver.setMetricsSink([&](const Otlp::MetricBatch &b) { return store.add(b); });
    QVERIFY2(receiver.start(options, &error), qPrintable(error));
    const quint16 port = receiver.port();
    QCOMPARE(httpStatus(port, "/v1/metrics", "application/x-protobuf", bytes(everyType())), 200);
    QCOMPARE(store.pointCount(), quint64(10));
    QCOMPARE(httpStatus(port, "/v1/metrics", "application/json", "{nope"), 400);
    QCOMPARE(httpStatus(port, "/v1/metrics", "application/x-protobuf", "\xff\xff\xff"), 400);
    QCOMPARE(httpStatus(port, "/v1/metrics", "application/json", QByteArray(Otlp::MaxBodyBytes + 1, ' ')),
             413);
    QCOMPARE(httpStatus(port, "/v1/metrics", "text/plain", "{}"), 415);
    // The store is full (cap 1 point): 503, retry later.
    QCOMPARE(httpStatus(port, "/v1/metrics", "application/x-protobuf", bytes(everyType())), 503);
    QCOMPARE(store.pointCount(), quint64(10));
}

void TestOtlpMetrics::grpcStatusCodes()
{
    TraceRecorder recorder;
    OtlpAssembler assembler(&recorder);
    OtlpMetricStore store(assembler.unixMinusSteadyNs());
    OtlpGrpcReceiver receiver([&](Otlp::Batch &&b) { return assembler.enqueue(std::move(b)); },
                              [&](const Otlp::MetricBatch &b) { return store.add(b); });
    OtlpReceiverOptions options;
    options.port = 0;
    options.token = QStringLiteral("s3cret");
    QString error;
    QVERIFY2(receiver.start(options, &error), qPrintable(error));
    const quint16 port = receiver.port();
    QVERIFY(port != 0);
    QVERIFY(receiver.endpoint().startsWith(QLatin1String("http://127.0.0.1:")));

    QCOMPARE(grpcCall(port, TraceExport, traceRequest(1)).error_code(), grpc::StatusCode::UNAUTHENTICATED);
    QCOMPARE(grpcCall(port, TraceExport, traceRequest(1), "wrong").error_code(),
             grpc::StatusCode::UNAUTHENTICATED);
    QByteArray answer;
    grpc::Status status = grpcCall(port, TraceExport, traceRequest(1), "s3cret", false, &answer);
    QVERIFY2(status.ok(), status.error_message().c_str());
    QVERIFY(answer.isEmpty()); // an empty ExportTraceServiceResponse
    status = grpcCall(port, TraceExport, traceRequest(2), "s3cret", true); // gzip
    QVERIFY2(status.ok(), status.error_message().c_str());
    status = grpcCall(port, MetricsExport, bytes(everyType()), "s3cret", true, &answer);
    QVERIFY2(status.ok(), status.error_message().c_str());
    ExportMetricsServiceResponse response;
    QVERIFY(response.ParseFromString(answer.toStdString()));
    QCOMPARE(response.partial_success().rejected_data_points(), 1);

    status = grpcCall(port, TraceExport, "\xff\xff\xff", "s3cret");
    QCOMPARE(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    QVERIFY(!status.error_message().empty());
    QCOMPARE(grpcCall(port, MetricsExport, "\xff\xff\xff", "s3cret").error_code(),
             grpc::StatusCode::INVALID_ARGUMENT);
    // Over the cap, plain and after decompression.
    QCOMPARE(grpcCall(port, MetricsExport, QByteArray(Otlp::MaxBodyBytes + 16, '\0'), "s3cret").error_code(),
             grpc::StatusCode::RESOURCE_EXHAUSTED);
    QCOMPARE(
        grpcCall(port, MetricsExport, QByteArray(Otlp::MaxBodyBytes + 16, '\0'), "s3cret", true).error_code(),
        grpc::StatusCode::RESOURCE_EXHAUSTED);

    assembler.drain();
    QCOMPARE(assembler.stats().requests, quint64(2));
    QCOMPARE(store.instances().size(), 2);
    const OtlpGrpcReceiver::Stats stats = receiver.stats();
    QCOMPARE(stats.requests, quint64(3));
    QCOMPARE(stats.spans, quint64(2));
    QCOMPARE(stats.points, quint64(10));
    QCOMPARE(stats.errors, quint64(4));
    receiver.stop();
    QVERIFY(!receiver.isRunning());
}

void TestOtlpMetrics::grpcQueueFullRetryInfo()
{
    TraceRecorder recorder;
    OtlpAssembler assembler(&recorder, 1);
    assembler.setPaused(true);
    OtlpGrpcReceiver receiver([&](Otlp::Batch &&b) { return assembler.enqueue(std::move(b)); }, {});
    OtlpReceiverOptions options;
    options.port = 0;
    QString error;
    QVERIFY2(receiver.start(options, &error), qPrintable(error));
    QVERIFY(grpcCall(receiver.port(), TraceExport, traceRequest(1)).ok());
    const grpc::Status full = grpcCall(receiver.port(), TraceExport, traceRequest(2));
    QCOMPARE(full.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
    // google.rpc.Status with a RetryInfo of 1 s in grpc-status-details-bin.
    RpcStatus details;
    QVERIFY(details.ParseFromString(full.error_details()));
    QCOMPARE(details.code(), int(grpc::StatusCode::RESOURCE_EXHAUSTED));
    QCOMPARE(details.details_size(), 1);
    QCOMPARE(details.details(0).type_url(), std::string("type.googleapis.com/google.rpc.RetryInfo"));
    RpcRetryInfo retry;
    QVERIFY(retry.ParseFromString(details.details(0).value()));
    QCOMPARE(retry.retry_delay().seconds(), 1);
    // Without a metrics sink the metrics service is not there.
    QCOMPARE(grpcCall(receiver.port(), MetricsExport, bytes(everyType())).error_code(),
             grpc::StatusCode::UNIMPLEMENTED);
    assembler.setPaused(false);
    assembler.drain();
    QVERIFY(grpcCall(receiver.port(), TraceExport, traceRequest(2)).ok());
    assembler.drain();
    QCOMPARE(assembler.stats().requests, quint64(2));
    // A port in use is a clear error.
    OtlpGrpcReceiver second([](Otlp::Batch &&) { return true; }, {});
    options.port = receiver.port();
    QVERIFY(!second.start(options, &error));
    QVERIFY(error.contains(QString::number(options.port)));
}

QTEST_GUILESS_MAIN(TestOtlpMetrics)
#include "tst_otlpmetrics.moc"
