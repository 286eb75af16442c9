#include "runstore.h"

#include "export/reportexporter.h"
#include "http/chatserver.h"
#include "load/loadgenerator.h"
#include "report/runexport.h"
#include "runs/runspanel.h"
#include "users/userspanel.h"

#include <QFileInfo>
#include <QSaveFile>

void RunStore::add(const SessionRun &run)
{
    m_panel->addRun(run);
}

int RunStore::open(const QString &path, int *variants, QString *error)
{
    RunResult run;
    QString err;
    if (!RunExport::readRunJson(path, &run, &err)) {
        if (error)
            *error = err;
        return -1;
    }
    if (run.variants.isEmpty()) {
        if (error)
            *error = tr("the run has no variants");
        return -1;
    }
    const int first = int(m_panel->count());
    const QList<SessionRun> runs = SessionRuns::fromRunResult(run, QFileInfo(path).fileName());
    for (const SessionRun &r : runs)
        add(r);
    if (variants)
        *variants = int(runs.size());
    return first;
}

bool RunStore::save(int row, const QString &path, QString *error) const
{
    if (row < 0 || row >= m_panel->count())
        return false;
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(RunExport::runJson(*m_panel->at(row).run)) < 0
        || !f.commit()) {
        if (error)
            *error = f.errorString();
        return false;
    }
    return true;
}

bool RunStore::exportReport(int row, const QString &dir, QStringList *written, QString *error) const
{
    if (row < 0 || row >= m_panel->count())
        return false;
    QString err;
    RunExport::ExportOptions options;
    options.language = ReportExporter::uiLanguage();
    const bool ok = RunExport::writeAll(*m_panel->at(row).run, dir, written, &err, options);
    if (!ok && error)
        *error = err;
    return ok;
}

void RunStore::captureLoad(const UsersPanel *users, ChatServer *server,
                           const std::vector<RequestRecord> &records)
{
    const LoadGenerator *load = users->generator();
    if (load->startNs() == 0 || load->snapshot().isEmpty())
        return;
    const qint64 end = std::max(load->endNs(), load->startNs());
    VariantResult v = SessionRuns::fromLoad(
        *load, records, server->counterSeries()->between(load->startNs(), end + 100'000'000),
        server->config().toJson());
    Scenario scenario;
    QString variant;
    QString title;
    const QString mode = dispatchModeName(server->config().mode);
    if (users->currentScenario(&scenario, &variant)) {
        if (const ScenarioVariant *sv = scenario.variant(variant)) {
            v.name = sv->name;
            v.label = sv->labelEn;
        }
        title = tr("%1/%2 · %3 users · %4").arg(scenario.name, v.name).arg(v.load.users).arg(mode);
    } else {
        v.label = tr("burst from the users panel");
        title = tr("burst · %1 users · %2").arg(v.load.users).arg(mode);
    }
    title = QStringLiteral("#%1 ").arg(m_panel->count() + 1) + title;
    add({ title, SessionRuns::wrap(scenario, std::move(v)), 0 });
}
