#include "scenariorunner.h"

#include "base/threadregistry.h"
#include "base/traceclock.h"
#include "db/pgtempcluster.h"
#include "http/chatserver.h"

#include <QDateTime>
#include <QRandomGenerator>
#include <QSet>
#include <QTimer>
#include <algorithm>

ScenarioRunner::ScenarioRunner(QObject *parent)
    : QObject(parent)
{ }

ScenarioRunner::~ScenarioRunner()
{
    m_load.reset();
    if (m_server)
        m_server->stop(1000);
    m_server.reset();
    m_cluster.reset();
}

ServerConfig ScenarioRunner::effectiveServerConfig(const Scenario &s, const ScenarioVariant &v,
                                                   const RunOptions &o)
{
    ServerConfig c = s.serverConfig(v);
    applyServerOverrides(o.server, &c);
    c.port = 0;
    c.timeScale = o.timeScale;
    return c;
}

LoadSettings ScenarioRunner::effectiveLoadSettings(const Scenario &s, const ScenarioVariant &v,
                                                   const RunOptions &o)
{
    LoadSettings l = LoadSettings::fromJson(o.load, s.loadSettings(v));
    l.timeScale = o.timeScale;
    if (o.users > 0)
        l.users = o.users;
    if (!o.target.isEmpty()) {
        l.baseUrl = o.target;
        l.apiKey = o.apiKey;
    }
    return l;
}

bool ScenarioRunner::start(QString *error)
{
    if (m_running) {
        if (error)
            *error = QStringLiteral("already running");
        return false;
    }
    m_queue.clear();
    for (const ScenarioVariant &v : m_scenario.variants) {
        if (m_options.variant.isEmpty() || v.name.compare(m_options.variant, Qt::CaseInsensitive) == 0)
            m_queue.push_back(&v);
    }
    if (m_queue.isEmpty()) {
        if (error)
            *error
                = QStringLiteral("scenario %1 has no variant '%2'").arg(m_scenario.name, m_options.variant);
        return false;
    }
    m_dir = std::make_unique<QTemporaryDir>();
    m_database = m_options.database;
    if (m_database.isEmpty() && m_options.target.isEmpty() && m_scenario.needsPostgres()) {
        // No --db: a PostgreSQL server of the run's own, stopped and removed when the run ends.
        m_cluster = std::make_unique<PgTempCluster>();
        m_cluster->setCommitWithoutFlush(true);
        QString why;
        if (!m_cluster->start(m_options.scratchDir.isEmpty() ? m_dir->path() : m_options.scratchDir, &why)) {
            m_cluster.reset();
            m_dir.reset();
            if (error)
                *error = QStringLiteral("scenario %1 needs PostgreSQL and no --db was given; starting a "
                                        "temporary one failed: %2")
                             .arg(m_scenario.name, why);
            return false;
        }
        m_database = m_cluster->conninfo();
    }
    m_result = RunResult();
    m_result.scenario = m_scenario;
    m_result.options = m_options;
    m_result.machine = RunResult::machineInfo();
    m_loadAtStart = MachineLoad::now();
    m_result.createdMs = QDateTime::currentMSecsSinceEpoch();
    m_current = -1;
    m_running = true;
    m_stopping = false;
    QTimer::singleShot(0, this, &ScenarioRunner::runNext);
    return true;
}

void ScenarioRunner::stop()
{
    if (!m_running)
        return;
    m_stopping = true;
    if (m_load)
        m_load->stop();
}

void ScenarioRunner::runNext()
{
    ++m_current;
    if (m_stopping || m_current >= m_queue.size()) {
        m_running = false;
        m_cluster.reset();
        m_dir.reset();
        m_result.machine.insert(QStringLiteral("cores_busy_elsewhere"),
                                MachineLoad::othersBusyCores(m_loadAtStart, MachineLoad::now()));
        m_result.evaluate();
        emit finished(m_result.passed());
        return;
    }
    const ScenarioVariant &v = *m_queue[m_current];
    emit variantStarted(m_current, v.name);

    m_pending = VariantResult();
    m_pending.name = v.name;
    m_pending.label = v.labelEn;
    // A figure that adds what does not shrink with the time scale gets a pass at a tenth of the
    // run's time scale first, on the same server settings, database and load, so that both see
    // the same machine.
    const bool shortPass = m_options.target.isEmpty()
        && std::any_of(m_scenario.expected.begin(), m_scenario.expected.end(), [&](const ExpectedFigure &f) {
                               return f.plusUnscaled && f.variant.compare(v.name, Qt::CaseInsensitive) == 0;
                           });
    m_shortPassesLeft = shortPass ? ShortPasses : 0;
    startPass(v, shortPass);
}

void ScenarioRunner::startPass(const ScenarioVariant &v, bool shortPass)
{
    m_shortPass = shortPass;
    RunOptions options = m_options;
    if (shortPass)
        options.timeScale = m_options.timeScale * ShortPassScale;
    LoadSettings load = effectiveLoadSettings(m_scenario, v, options);
    if (m_options.target.isEmpty()) {
        ServerConfig config = effectiveServerConfig(m_scenario, v, options);
        config.apiKey = QString::number(QRandomGenerator::global()->generate64(), 36);
        config.dbPath = m_database.isEmpty()
            ? m_dir->filePath(QStringLiteral("%1-%2.sqlite").arg(m_scenario.name, v.name))
            : m_database;
        m_server = std::make_unique<ChatServer>();
        QString error;
        if (!m_server->start(config, &error)) {
            m_pending.error = QStringLiteral("server did not start: %1").arg(error);
            m_server.reset();
            finishVariant(m_pending);
            return;
        }
        if (!shortPass)
            m_pending.serverConfig = m_server->config().toJson();
        load.baseUrl = m_server->url();
        load.apiKey = m_server->apiKey();
    }
    if (!shortPass)
        m_pending.load = load;
    m_load = std::make_unique<LoadGenerator>();
    m_load->setSettings(load);
    const QString name = shortPass ? v.name + QStringLiteral(" (short pass)") : v.name;
    connect(m_load.get(), &LoadGenerator::progressChanged, this,
            [this, name](const LoadProgress &p) { emit progressChanged(name, p); });
    connect(m_load.get(), &LoadGenerator::finished, this, &ScenarioRunner::loadFinished);
    QString error;
    if (!m_load->start(&error)) {
        m_pending.error = error;
        m_load.reset();
        if (m_server) {
            m_server->stop(1000);
            m_server.reset();
        }
        finishVariant(m_pending);
    }
}

void ScenarioRunner::loadFinished()
{
    // With the auto-scaling supervisor, the variant lasts until it has retired the loops the
    // load made it add (at most its idle time and a few seconds more): the shrink is part of the
    // lesson.
    if (m_server && m_server->config().autoscale()
        && m_server->liveWorkers() > m_server->config().initialWorkers()) {
        const ServerConfig c = m_server->config();
        const qint64 deadline
            = TraceClock::nowNs() + c.scaledNs(c.scaleDownIdleSeconds) * (c.workersMax + 1) + 3'000'000'000;
        auto *settle = new QTimer(this);
        settle->setInterval(20);
        auto settledSince = std::make_shared<qint64>(0);
        connect(settle, &QTimer::timeout, this, [this, settle, deadline, settledSince] {
            const qint64 now = TraceClock::nowNs();
            if (m_server && m_server->liveWorkers() > m_server->config().initialWorkers() && now < deadline)
                return;
            // A little longer, so that the counter samples show the last change too.
            if (*settledSince == 0)
                *settledSince = now;
            if (now - *settledSince < 150'000'000 && now < deadline)
                return;
            settle->deleteLater();
            collectVariant();
        });
        settle->start();
        return;
    }
    collectVariant();
}

void ScenarioRunner::collectVariant()
{
    // A reply reaches its client a moment before the server's thread books the request as
    // finished: wait for that (a little), or the run would keep a finished request as in flight.
    if (m_server && m_server->counters()->inFlight.load() > 0) {
        const qint64 now = TraceClock::nowNs();
        if (m_settleDeadlineNs == 0)
            m_settleDeadlineNs = now + SettleNs;
        if (now < m_settleDeadlineNs) {
            QTimer::singleShot(2, this, &ScenarioRunner::collectVariant);
            return;
        }
    }
    m_settleDeadlineNs = 0;
    if (m_shortPass) {
        collectShortPass();
        return;
    }
    VariantResult r = m_pending;
    r.startNs = m_load->startNs();
    r.endNs = m_load->endNs();
    if (m_server && m_server->config().autoscale())
        r.endNs = std::max(r.endNs, TraceClock::nowNs()); // includes the supervisor's settling
    r.client = m_load->snapshot();
    r.clientCpuSeconds = m_load->cpuSeconds();
    if (m_server) {
        // Only this run's requests: joined by the tags the load generator sent. Nothing else
        // reaches a private server, unless someone aimed at it.
        const QList<RequestRecord> all = m_server->recorder()->readFrom(0);
        r.joinServer(std::span(all.constData(), size_t(all.size())),
                     m_server->counterSeries()->between(r.startNs, r.endNs + VariantResult::CounterTailNs));
        r.threadNames = ThreadRegistry::names();
        r.threadKinds = ThreadRegistry::kinds();
        for (const ScaleEvent &e : m_server->scaleEvents()) {
            if (e.tNs >= r.startNs && e.tNs <= r.endNs + 100'000'000)
                r.scaleEvents.append(e);
        }
        r.lockHolds = m_server->recorder()->lockTrack().between(r.startNs, r.endNs);
    }
    // Destroyed later: we are inside its finished() signal.
    m_load.release()->deleteLater();
    if (m_server) {
        m_server->stop(2000);
        m_server.reset();
    }
    finishVariant(r);
}

void ScenarioRunner::collectShortPass()
{
    // Only its figures are kept: its requests, counters and threads are not the variant's.
    VariantResult pass;
    pass.startNs = m_load->startNs();
    pass.endNs = m_load->endNs();
    pass.client = m_load->snapshot();
    pass.load = m_load->settings();
    if (m_server) {
        const QList<RequestRecord> all = m_server->recorder()->readFrom(0);
        pass.joinServer(std::span(all.constData(), size_t(all.size())),
                        m_server->counterSeries()->between(pass.startNs, pass.endNs));
    }
    pass.computeSummary();
    m_load.release()->deleteLater();
    if (m_server) {
        m_server->stop(2000);
        m_server.reset();
    }
    // A calibration's noise only adds time (a stall, another process): the faster pass counts.
    const QString makespan = QStringLiteral("makespan_s");
    if (m_pending.shortPassMetrics.isEmpty()
        || pass.metrics.value(makespan) < m_pending.shortPassMetrics.value(makespan)) {
        m_pending.shortPassMetrics = pass.metrics;
        m_pending.shortPassTimeScale = pass.load.timeScale;
    }
    const ScenarioVariant *v = m_queue[m_current];
    if (m_stopping) {
        finishVariant(m_pending);
        return;
    }
    emit shortPassMeasured(v->name, pass.load.timeScale, pass.metrics.value(makespan));
    const bool again = --m_shortPassesLeft > 0;
    QTimer::singleShot(0, this, [this, v, again] { startPass(*v, again); });
}

void ScenarioRunner::finishVariant(VariantResult result)
{
    result.computeSummary();
    m_result.variants.push_back(result);
    emit variantFinished(m_current, result.name);
    QTimer::singleShot(0, this, &ScenarioRunner::runNext);
}
