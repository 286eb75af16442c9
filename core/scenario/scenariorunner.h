#pragma once

#include "load/loadgenerator.h"
#include "runresult.h"

#include <QObject>
#include <QTemporaryDir>
#include <memory>

class ChatServer;
class PgTempCluster;

// Runs a scenario's variants one after another: for each, starts the in-process server with the
// variant's configuration (or uses --target), drives the simulated users, then joins the client
// records with the server's (by client tag), takes the counter series and computes the summary.
// Lives on the caller's thread; the server and the load run on threads of their own.
class ScenarioRunner : public QObject
{
    Q_OBJECT
public:
    explicit ScenarioRunner(QObject *parent = nullptr);
    ~ScenarioRunner() override;

    void setScenario(const Scenario &scenario) { m_scenario = scenario; }
    void setOptions(const RunOptions &options) { m_options = options; }

    bool start(QString *error = nullptr);
    void stop(); // cancels the running variant; the rest are skipped
    bool isRunning() const { return m_running; }

    const RunResult &result() const { return m_result; }
    // While a variant runs (nullptr otherwise): for live views.
    LoadGenerator *currentLoad() const { return m_load.get(); }
    ChatServer *currentServer() const { return m_server.get(); }

    static constexpr double ShortPassScale = 0.1; // of the run's time scale
    static constexpr int ShortPasses = 2; // the faster one counts
    // The variant's effective settings with the run options applied (time scale, users, target).
    static ServerConfig effectiveServerConfig(const Scenario &s, const ScenarioVariant &v,
                                              const RunOptions &o);
    static LoadSettings effectiveLoadSettings(const Scenario &s, const ScenarioVariant &v,
                                              const RunOptions &o);

signals:
    void variantStarted(int index, const QString &name);
    void progressChanged(const QString &variant, const LoadProgress &progress);
    void variantFinished(int index, const QString &name);
    // A variant whose figures add what does not shrink with the time scale ran a pass at a tenth
    // of the run's time scale first: that scale and the pass's makespan.
    void shortPassMeasured(const QString &name, double timeScale, double makespanSeconds);
    void finished(bool passed);

private:
    void runNext();
    void startPass(const ScenarioVariant &v, bool shortPass);
    void collectShortPass();
    void loadFinished();
    void collectVariant();
    void finishVariant(VariantResult result);

    Scenario m_scenario;
    RunOptions m_options;
    RunResult m_result;
    MachineLoad m_loadAtStart; // what other processes cost during the run (multi-core figures)
    QList<const ScenarioVariant *> m_queue;
    int m_current = -1;
    bool m_running = false;
    bool m_stopping = false;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<PgTempCluster> m_cluster; // a throwaway PostgreSQL for this run, if needed
    QString m_database; // what every variant's --db is (empty: a SQLite file per variant)
    std::unique_ptr<ChatServer> m_server;
    std::unique_ptr<LoadGenerator> m_load;
    VariantResult m_pending;
    bool m_shortPass = false; // the running pass is one of the variant's short ones (plus_unscaled)
    int m_shortPassesLeft = 0;
    // Requests still in flight on the server when the load finished are waited for until then.
    static constexpr qint64 SettleNs = 2'000'000'000;
    qint64 m_settleDeadlineNs = 0;
};
