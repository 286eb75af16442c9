#include "serverrecording.h"

#include "base/threadregistry.h"
#include "base/traceclock.h"
#include "http/chatserver.h"
#include "report/runexport.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTemporaryFile>
#include <QThread>
#include <algorithm>

namespace {

// Records begun this many places before the recording started are still looked at when it
// stops: a request in flight at the start is at most that far back in the recorder, unless
// thousands of others began and ended while it ran (it is then a boundary record left out).
constexpr quint64 LookBack = 16384;

const char *const FileNames[] = { "run.json", "requests.csv", "trace.json", "report.html", "report.pdf" };

QJsonObject recordingScenario()
{
    const QJsonObject label { { QStringLiteral("en"), QStringLiteral("Recorded (server-side)") },
                              { QStringLiteral("zh"), QStringLiteral("录制（服务器端）") } };
    return {
        { QStringLiteral("name"), QLatin1String(ServerRecording::ScenarioName) },
        { QStringLiteral("title"),
          QJsonObject { { QStringLiteral("en"), QStringLiteral("Recorded server traffic") },
                        { QStringLiteral("zh"), QStringLiteral("录制的服务器流量") } } },
        { QStringLiteral("explanation"),
          QJsonObject {
              { QStringLiteral("en"),
                QStringLiteral(
                    "Everything LoopScope's server handled while it was recording, whoever sent it "
                    "(Locust, wrk, curl, a browser). Latency is measured server-side, from reading the "
                    "request to writing its last byte; the client-side figures (send times, waits "
                    "before the server read the request, offered load) are not measured. Requests "
                    "in flight when the recording started or stopped are drawn muted and not "
                    "counted.") },
              { QStringLiteral("zh"),
                QStringLiteral("录制期间 LoopScope 服务器处理的全部请求，不论由谁发出（Locust、wrk、"
                               "curl、浏览器）。延迟在服务器端测量：从读完请求到写出最后一个字节；"
                               "客户端的指标（发送时间、服务器读取请求之前的等待、施加的负载）未测得。"
                               "录制开始或结束时仍在处理中的请求以淡色显示，不计入统计。") } } },
        { QStringLiteral("variants"),
          QJsonArray { QJsonObject { { QStringLiteral("name"), QLatin1String(ServerRecording::VariantName) },
                                     { QStringLiteral("label"), label } } } },
    };
}

} // namespace

ServerRecording::ServerRecording(ChatServer *server)
    : m_server(server)
{ }

void ServerRecording::start()
{
    m_fromSeq = m_server->recorder()->count();
    m_fromSample = m_server->counterSeries()->count();
    m_startNs = TraceClock::nowNs();
}

RunResult ServerRecording::stop()
{
    const qint64 endNs = TraceClock::nowNs();
    TraceRecorder *recorder = m_server->recorder();
    const quint64 from
        = std::max(recorder->firstAvailable(), m_fromSeq > LookBack ? m_fromSeq - LookBack : 0);
    const QList<RequestRecord> records = recorder->readFrom(from);
    const quint64 firstSample = m_fromSample > 0 ? m_fromSample - 1 : 0; // one sample before the start
    const QList<CounterSample> samples = m_server->counterSeries()->readFrom(firstSample);
    const RunResult run = build(std::span(records.constData(), size_t(records.size())), samples,
                                m_server->scaleEvents(), m_startNs, endNs, m_server->config().toJson());
    m_startNs = 0;
    return run;
}

RunResult ServerRecording::build(std::span<const RequestRecord> records, const QList<CounterSample> &samples,
                                 const QList<ScaleEvent> &scaleEvents, qint64 startNs, qint64 endNs,
                                 const QJsonObject &serverConfig)
{
    RunResult run;
    Scenario::fromJson(recordingScenario(), &run.scenario, nullptr);
    run.createdMs = QDateTime::currentMSecsSinceEpoch();
    run.machine = RunResult::machineInfo();

    VariantResult v;
    v.name = QLatin1String(VariantName);
    v.label = run.scenario.variants.value(0).labelEn;
    v.serverConfig = serverConfig;
    v.startNs = startNs;
    v.endNs = endNs;
    v.threadNames = ThreadRegistry::names();
    v.threadKinds = ThreadRegistry::kinds();
    for (RequestRecord r : records) {
        if (r.arrivedNs == 0 || v.threadKinds.value(r.loopThread, LaneKind::Other) == LaneKind::Service)
            continue; // not yet arrived, or an observed (OTLP) request sharing the recorder
        const bool answered = r.finished() && r.respondedNs <= endNs;
        if (r.arrivedNs >= startNs && r.arrivedNs <= endNs && answered) {
            v.server.append(r);
            continue;
        }
        const bool overlaps = r.arrivedNs <= endNs && (r.respondedNs == 0 || r.respondedNs >= startNs);
        if (!overlaps)
            continue;
        r.flags |= RequestRecord::BoundaryFlag;
        if (r.respondedNs > endNs) { // answered after the stop: drawn up to it, like one still running
            r.respondedNs = 0;
            r.status = 0;
        }
        v.other.append(r);
    }
    const auto byArrival
        = [](const RequestRecord &a, const RequestRecord &b) { return a.arrivedNs < b.arrivedNs; };
    std::sort(v.server.begin(), v.server.end(), byArrival);
    std::sort(v.other.begin(), v.other.end(), byArrival);
    const qint64 to = endNs + VariantResult::CounterTailNs;
    for (const CounterSample &s : samples) {
        if (s.tNs >= startNs && s.tNs <= to)
            v.counters.append(s);
    }
    for (const ScaleEvent &e : scaleEvents) {
        if (e.tNs >= startNs && e.tNs <= endNs)
            v.scaleEvents.append(e);
    }
    v.computeSummary();

    // Who sent what: requests per client (address, User-Agent, X-LoopScope-User).
    QMap<QString, int> perAddress, perAgent, perUser;
    for (const RequestRecord &r : std::as_const(v.server)) {
        perAddress[r.clientAddressText()] += 1;
        perAgent[r.userAgentText()] += 1;
        perUser[r.loopscopeUserText()] += 1;
    }
    const auto counts = [](const QMap<QString, int> &m) {
        QJsonObject o;
        for (auto it = m.begin(); it != m.end(); ++it)
            o.insert(it.key().isEmpty() ? QStringLiteral("(none)") : it.key(), it.value());
        return o;
    };
    run.machine.insert(QStringLiteral("recording"),
                       QJsonObject { { QStringLiteral("recorded_requests"), qint64(v.server.size()) },
                                     { QStringLiteral("boundary_requests"), qint64(v.other.size()) },
                                     { QStringLiteral("requests_per_address"), counts(perAddress) },
                                     { QStringLiteral("requests_per_user_agent"), counts(perAgent) },
                                     { QStringLiteral("requests_per_loopscope_user"), counts(perUser) },
                                     { QStringLiteral("latency"),
                                       QStringLiteral("server-side: from reading the request to writing "
                                                      "its last byte") } });
    run.options.variant = v.name;
    run.options.timeScale = serverConfig.value(QStringLiteral("time_scale")).toDouble(1.0);
    run.variants.append(std::move(v));
    run.evaluate();
    return run;
}

bool ServerRecording::isRecording(const RunResult &run)
{
    return run.scenario.name == QLatin1String(ScenarioName);
}

bool ServerRecording::WriteControl::cancel()
{
    std::lock_guard lock(m_mutex);
    if (m_done)
        return false;
    m_cancelled = true;
    if (m_tempDir.isEmpty())
        return true;
    // The writer may open its next file while this removes the folder; it cannot once the folder
    // is gone, so remove until it is.
    for (int attempt = 0; attempt < 200 && QFileInfo::exists(m_tempDir); ++attempt) {
        QDir(m_tempDir).removeRecursively();
        if (QFileInfo::exists(m_tempDir))
            QThread::msleep(5);
    }
    return true;
}

bool ServerRecording::writeAll(const RunResult &run, const QString &dirPath, QStringList *written,
                               QString *error, WriteControl *control)
{
    const auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        return false;
    };
    QDir dir(dirPath);
    if (!dir.mkpath(QStringLiteral(".")))
        return fail(QStringLiteral("cannot create %1").arg(dirPath));
    // Created under the control's lock: cancel() either comes first (no folder) or knows it.
    std::unique_lock<std::mutex> creating;
    if (control) {
        creating = std::unique_lock(control->m_mutex);
        if (control->m_cancelled)
            return fail(QStringLiteral("cancelled"));
    }
    QTemporaryDir temp(dir.filePath(QStringLiteral(".loopscope-recording-XXXXXX")));
    if (!temp.isValid())
        return fail(QStringLiteral("cannot write into %1: %2").arg(dirPath, temp.errorString()));
    if (control) {
        control->m_tempDir = temp.path();
        creating.unlock();
    }
    const auto cancelled = [control] {
        if (!control)
            return false;
        std::lock_guard lock(control->m_mutex);
        return control->m_cancelled;
    };
    RunExport::ExportOptions options;
    options.progress = [&](int, int) { return !cancelled(); };
    options.createDir = false; // cancel() may have removed it: never make it again
    QString exportError;
    if (!RunExport::writeAll(run, temp.path(), nullptr, &exportError, options))
        return fail(cancelled() ? QStringLiteral("cancelled") : exportError);

    std::unique_lock<std::mutex> lock; // cancel() waits until all five are in place
    if (control) {
        lock = std::unique_lock(control->m_mutex);
        if (control->m_cancelled)
            return fail(QStringLiteral("cancelled"));
    }
    QStringList done;
    for (const char *name : FileNames) {
        const QString from = QDir(temp.path()).filePath(QLatin1String(name));
        const QString to = dir.filePath(QLatin1String(name));
        if (QFileInfo::exists(to) && !QFile::remove(to))
            return fail(QStringLiteral("cannot replace %1").arg(to));
        if (!QFile::rename(from, to))
            return fail(QStringLiteral("cannot move %1 into %2").arg(QLatin1String(name), dirPath));
        done << to;
    }
    if (control) {
        control->m_tempDir.clear();
        control->m_done = true;
    }
    if (written)
        *written = done;
    return true;
}

QString ServerRecording::prepareOutputDir(const QString &dirPath, bool force)
{
    const QFileInfo info(dirPath);
    if (info.exists() && !info.isDir())
        return QStringLiteral("%1 is a file, not a folder").arg(dirPath);
    if (info.exists()) {
        const QStringList entries
            = QDir(dirPath).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System);
        if (!entries.isEmpty() && !force)
            return QStringLiteral(
                       "%1 is not empty (%2 entries); pass --force to write the recording into it "
                       "anyway (run.json, requests.csv, trace.json, report.html and report.pdf are "
                       "replaced, nothing else is touched)")
                .arg(dirPath)
                .arg(entries.size());
    } else if (!QDir().mkpath(dirPath)) {
        return QStringLiteral("cannot create %1: its parent folder is not writable").arg(dirPath);
    }
    // Permissions alone do not say it (root, a read-only file system, /proc): try.
    QTemporaryFile probe(QDir(dirPath).filePath(QStringLiteral(".loopscope-probe-XXXXXX")));
    if (!probe.open())
        return QStringLiteral("cannot write into %1: the folder is not writable (%2)")
            .arg(dirPath, probe.errorString());
    return {};
}
