#include "chatendpoint.h"

#include "base/delays.h"
#include "base/threadregistry.h"
#include "pipeline/dispatch.h"
#include "pipeline/requesttrace.h"

#include <QJsonDocument>
#include <QTimer>
#include <qcoro/qcorosignal.h>
#include <qcoro/qcorotimer.h>

namespace {

double msBetween(qint64 a, qint64 b)
{
    return a && b ? double(b - a) / 1e6 : 0.0;
}

} // namespace

ChatEndpoint::ChatEndpoint(int worker, ServerContext *context, QObject *parent)
    : QObject(parent)
    , m_worker(worker)
    , m_context(context)
{ }

ChatEndpoint::~ChatEndpoint()
{
    m_stopping = true;
    // An intake loop awaiting its next job ends now; left suspended, its frame would leak.
    if (const auto consumer = std::exchange(m_intakeWaiter, {}))
        consumer.resume();
}

ReplyIdentity ChatEndpoint::identity(const Job &job) const
{
    const RequestRecord &r = job.trace->record();
    return { r.id, job.request.sessionId, m_worker,
             ThreadRegistry::name(r.spanCount ? r.spans[r.spanCount - 1].thread : r.loopThread),
             dispatchModeName(r.mode) };
}

void ChatEndpoint::accept(std::shared_ptr<ResponseChannel> channel, ChatRequest request,
                          std::shared_ptr<const ServerConfig> config, std::shared_ptr<RequestTrace> trace,
                          std::shared_ptr<const ChatProtocol> protocol)
{
    Job job { std::move(channel), std::move(request), std::move(config), std::move(trace),
              std::move(protocol) };
    if (job.config->intake == IntakeMode::Direct) {
        serve(std::move(job)); // detached: the task frees itself when done
        return;
    }
    // Through the queue of seed 2's worker loop.
    m_context->counters->waiting.fetch_add(1, std::memory_order_relaxed);
    job.pollSpan = job.trace->beginSpan(Phase::Poll);
    m_intake.push_back(std::move(job));
    if (!m_intakeRunning)
        intakeLoop();
    else if (m_intakeWaiter) {
        // Wakes an awaiting consumer (once, however many jobs came); a polling one keeps sleeping.
        QMetaObject::invokeMethod(
            this,
            [this] {
                if (const auto consumer = std::exchange(m_intakeWaiter, {}))
                    consumer.resume();
            },
            Qt::QueuedConnection);
    }
}

QCoro::Task<> ChatEndpoint::intakeLoop()
{
    m_intakeRunning = true;
    QPointer<ChatEndpoint> self(this);
    while (self && !m_stopping) {
        if (m_intake.empty()) {
            const auto config = m_context->config();
            if (config->intake == IntakeMode::Polling) {
                // task = queue.get_nowait() failed: await asyncio.sleep(0.5) and look again.
                co_await Delays::sleepFor(config->scaledNs(config->pollIntervalSeconds));
            } else {
                // task = await queue.get(): resumed the moment a job arrives.
                // (Not qCoro(timer, &QTimer::timeout): QCoro's queued connection binds the
                // signal's QPrivateSignal argument to a null pointer, which UBSan reports.)
                co_await IntakeWait { this };
            }
            if (!self)
                co_return;
            if (m_intake.empty() && config->intake == IntakeMode::Direct)
                break;
            continue;
        }
        Job job = std::move(m_intake.front());
        m_intake.pop_front();
        m_context->counters->waiting.fetch_sub(1, std::memory_order_relaxed);
        job.trace->endSpan(job.pollSpan);
        serve(std::move(job)); // asyncio.create_task(handler(task)): not awaited
    }
    if (self)
        m_intakeRunning = false;
}

// ---------------------------------------------------------------------------------------------

QCoro::Task<> ChatEndpoint::serve(Job job)
{
    QPointer<ChatEndpoint> self(this);
    CancelToken cancel;
    job.channel->onGone([cancel] { cancel.cancel(); });

    const bool stream = job.request.stream;
    const ChatProtocol *protocol = job.protocol.get();
    if (stream) {
        job.streamStart = protocol->streamStart(identity(job));
        if (protocol->opensStreamEarly())
            writeStreamed(*job.channel, job.streamStart, {});
    }

    TokenSink sink;
    if (stream && DispatchPolicy::tokensOffLoop(job.config->mode)) {
        // Tokens are produced on a pool thread and written by this loop (the socket's owner).
        auto channel = job.channel;
        auto trace = job.trace;
        auto format = job.protocol; // read-only: safe to encode on the pool thread
        sink = [this, channel, trace, format, start = job.streamStart](const QString &delta) {
            trace->markFirstToken(); // on the pool thread: the pipeline owns the trace now
            const QByteArray chunk = format->streamToken(delta);
            QMetaObject::invokeMethod(
                this, [channel, start, chunk] { writeStreamed(*channel, start, chunk); },
                Qt::QueuedConnection);
        };
    } else if (stream) {
        sink = [&job, protocol](const QString &delta) {
            job.trace->markFirstToken();
            writeStreamed(*job.channel, job.streamStart, protocol->streamToken(delta));
        };
    }
    // The dispatch itself (pipeline/dispatch.h): one function per mode.
    const ChatResult result = co_await m_context->dispatcher.run(
        job.config->mode, { job.request, *job.config, *job.trace, sink, cancel });
    if (!self)
        co_return; // the worker was torn down while we waited
    respond(job, result);
}

void ChatEndpoint::writeStreamed(ResponseChannel &channel, const QByteArray &start, const QByteArray &chunk)
{
    if (!channel.streaming()) {
        channel.beginStream("text/event-stream; charset=utf-8");
        channel.writeChunk(start);
    }
    channel.writeChunk(chunk);
}

void ChatEndpoint::respond(Job &job, const ChatResult &result)
{
    ServerCounters *counters = m_context->counters;
    RequestTrace &trace = *job.trace;
    const int status = result.ok ? 200 : result.httpStatus;
    if (result.ok && job.request.prefetch)
        m_context->dispatcher.prefetch(job.config->mode, job.request, job.config);

    ReplyIdentity who = identity(job); // names the thread that ran the pipeline
    const int respondSpan = trace.beginSpan(Phase::Respond);
    const RequestRecord &rec = trace.record();
    const ChatReply reply { result, status, std::move(who), msBetween(rec.arrivedNs, rec.firstTokenNs),
                            msBetween(rec.arrivedNs, TraceClock::nowNs()) };
    // A stream that has not begun yet (no token came) can still answer with a real error status.
    if (job.request.stream && (result.ok || job.channel->streaming())) {
        writeStreamed(*job.channel, job.streamStart, job.protocol->streamEnd(reply));
        job.channel->endStream();
    } else {
        job.protocol->sendReply(*job.channel, reply);
    }
    trace.record().tokens = quint32(result.tokens);
    trace.endSpan(respondSpan);
    trace.finish(status, job.channel->bytesWritten());

    counters->inFlight.fetch_sub(1, std::memory_order_relaxed);
    LoopHeartbeat &loop = counters->loops[size_t(m_worker)];
    loop.lastActiveNs.store(TraceClock::nowNs(), std::memory_order_relaxed);
    loop.inFlight.fetch_sub(1, std::memory_order_relaxed);
    (result.ok ? counters->completed : counters->failed).fetch_add(1, std::memory_order_relaxed);
    if (job.config->logRequests) {
        const RequestRecord &r = trace.record();
        qInfo("%s",
              qPrintable(QStringLiteral("[worker %1] #%2 %3 user=%4 %5 ms mode=%6")
                             .arg(m_worker)
                             .arg(r.id)
                             .arg(status)
                             .arg(r.userId())
                             .arg(msBetween(r.arrivedNs, r.respondedNs), 0, 'f', 1)
                             .arg(dispatchModeName(r.mode))));
    }
}
