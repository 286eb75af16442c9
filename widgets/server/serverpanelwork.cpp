// The panel's work off the GUI thread: starting the server (its database), stopping it, and the
// restart of a worker-count change, one at a time on the panel's one-thread pool.
#include "db/pgpassword.h"
#include "http/chatserver.h"
#include "server/databasefields.h"
#include "servercontrolpanel.h"

#include <QCoreApplication>
#include <QFuture>
#include <QLabel>
#include <QtConcurrent/QtConcurrentRun>

// On the pool's thread: the keychain (when libpq has no password of its own), the database and
// the port. A taken port falls back to any free one (not after a database error, which would only
// be waited for twice).
ServerControlPanel::Outcome ServerControlPanel::startOn(ChatServer *server, ServerConfig c,
                                                        bool resolvePassword, const std::stop_token &stop)
{
    Outcome out;
    if (resolvePassword && c.usesPostgres())
        c.dbPath = PgPassword::resolve(c.dbPath, &out.passwordSource);
    out.started = server->start(c, &out.error, stop);
    if (!out.started && c.port != 0 && out.error.startsWith(QLatin1String("cannot listen on"))) {
        c.port = 0;
        out.started = server->start(c, &out.error, stop);
    }
    out.config = c;
    return out;
}

void ServerControlPanel::offGui(Work work, std::function<Outcome(const std::stop_token &)> job,
                                std::function<void(const Outcome &)> then)
{
    setWork(work);
    m_cancel = std::stop_source();
    QtConcurrent::run(&m_stopPool, [job = std::move(job), stop = m_cancel.get_token()] {
        return job(stop);
    }).then(this, [this, then = std::move(then)](const Outcome &r) {
        setWork(Work::None);
        then(r);
        if (m_applyPending) {
            m_applyPending = false;
            apply();
        }
    });
}

ServerControlPanel::~ServerControlPanel()
{
    m_cancel.request_stop();
    m_stopPool.waitForDone(); // its result, posted to this panel, goes with it
}

bool ServerControlPanel::startServer()
{
    if (isBusy())
        return false;
    QString error;
    const ServerConfig c = config();
    if (m_dbPath.isEmpty() && !m_db->checkStart(c, &error)) {
        updateState();
        notStarted(error);
        return false;
    }
    const bool resolve = m_dbPath.isEmpty();
    offGui(
        Work::Starting,
        [server = m_server, c, resolve](const std::stop_token &stop) {
            return startOn(server, c, resolve, stop);
        },
        [this](const Outcome &r) { startFinished(r); });
    return true;
}

void ServerControlPanel::notStarted(const QString &error)
{
    // The error names the database without its password (PgConnInfo::redacted).
    m_status->setText(tr("<b>Not started</b>: %1").arg(error.toHtmlEscaped()));
    emit message(tr("Server did not start: %1").arg(error));
    emit startFailed(error);
}

void ServerControlPanel::startFinished(const Outcome &r)
{
    if (!r.started)
        return notStarted(r.error);
    m_db->setPasswordSource(r.passwordSource);
    updateState();
    emit serverStarted();
}

void ServerControlPanel::stopServer()
{
    if (isBusy() || !m_server->isRunning())
        return;
    emit message(tr("Stopping: letting requests in flight finish…"));
    offGui(
        Work::Stopping,
        [server = m_server](const std::stop_token &) {
            server->stop(3000); // waits for in-flight requests
            return Outcome();
        },
        [this](const Outcome &) {
            emit serverStopped();
            emit message(tr("Server stopped"));
        });
}

void ServerControlPanel::stopServerNow()
{
    m_cancel.request_stop(); // a start still connecting gives up now
    waitIdle();
    if (!m_server->isRunning())
        return;
    m_server->stop(3000);
    updateState();
    emit serverStopped();
}

void ServerControlPanel::waitIdle()
{
    m_stopPool.waitForDone();
    // The continuation is queued to this thread; run it so the state is final.
    QCoreApplication::sendPostedEvents();
}

void ServerControlPanel::setWork(Work work)
{
    if (m_work == work)
        return;
    const bool wasBusy = isBusy();
    m_work = work;
    updateState();
    if (isBusy() != wasBusy)
        emit busyChanged(isBusy());
}
