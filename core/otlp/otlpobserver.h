#pragma once

#include "otlpassembler.h"
#include "otlpgrpcreceiver.h"
#include "otlpmetricstore.h"
#include "otlpreceiver.h"
#include "scenario/runresult.h"

#include <QByteArray>
#include <memory>

class TraceRecorder;

// One observation of outside services: the OTLP receiver, the assembler and the recorder the
// observed requests land in. The window reads recorder() like the in-process server's
// recorder; `loopscope observe` and the Runs dock turn it into a RunResult with buildRun().
class OtlpObserver
{
public:
    // With `sharedRecorder` (the window passes its server's), observed requests land in that
    // recorder next to the in-process server's, so the live views draw both; buildRun() keeps
    // only the observed ones (those on this observer's Service lanes).
    explicit OtlpObserver(qint64 maxQueuedSpans = 200000, TraceRecorder *sharedRecorder = nullptr);
    ~OtlpObserver();

    // OTLP/HTTP on options.port and, with grpcPort >= 0, OTLP/gRPC on grpcPort (0: a free port)
    // on the same address with the same token. Both or neither: a failure stops the other.
    bool start(const OtlpReceiverOptions &options, int grpcPort, QString *error);
    void stop();
    bool isRunning() const;

    TraceRecorder *recorder() const { return m_sharedRecorder ? m_sharedRecorder : m_recorder.get(); }
    OtlpAssembler *assembler() const { return m_assembler.get(); }
    OtlpReceiver *receiver() const { return m_receiver.get(); }
    OtlpGrpcReceiver *grpcReceiver() const { return m_grpc.get(); }
    OtlpMetricStore *metrics() const { return m_metrics.get(); }
    qint64 startedNs() const { return m_startedNs; }

    // Everything observed so far as a run of one variant ("observed"): the requests, lanes,
    // in-flight counters derived from the spans, summary metrics, clock offsets between hosts.
    RunResult buildRun() const;

    // requests.csv of an observed run: one row per observed request.
    static QByteArray requestsCsv(const RunResult &run);
    // metrics.csv: service,host,instance,time_ms,name,value, from the run's start.
    QByteArray metricsCsv(const RunResult &run) const;
    // One line: spans/s, requests, services, instances.
    QString summaryLine(double spansPerSecond) const;

    // Largest number of requests in flight at once on each lane (overlap), from their spans.
    static QMap<quint16, int> maxInFlightPerLane(const QList<RequestRecord> &records);

    static QString batchDelayNote();

private:
    std::unique_ptr<TraceRecorder> m_recorder; // own recorder (headless)
    TraceRecorder *m_sharedRecorder = nullptr;
    std::unique_ptr<OtlpAssembler> m_assembler;
    std::unique_ptr<OtlpReceiver> m_receiver;
    std::unique_ptr<OtlpMetricStore> m_metrics;
    std::unique_ptr<OtlpGrpcReceiver> m_grpc;
    qint64 m_startedNs = 0;
};
