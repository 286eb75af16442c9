#include "recordingcontroller.h"

#include "base/traceclock.h"
#include "http/chatserver.h"
#include "server/servercontrolpanel.h"

#include <QTimer>

RecordingController::RecordingController(ChatServer *server, ServerControlPanel *panel, QObject *parent)
    : QObject(parent)
    , m_server(server)
    , m_panel(panel)
    , m_recording(server)
    , m_ticker(new QTimer(this))
{
    connect(panel, &ServerControlPanel::recordToggled, this, [this](bool on) { on ? start() : stop(); });
    // The server stopping ends the recording: nothing more can reach it.
    connect(panel, &ServerControlPanel::serverStopped, this, [this] {
        if (isRecording())
            stop();
    });
    m_ticker->setInterval(1000);
    connect(m_ticker, &QTimer::timeout, this, &RecordingController::tick);
}

void RecordingController::start()
{
    if (isRecording() || !m_server->isRunning()) {
        m_panel->setRecording(isRecording(), QString());
        return;
    }
    m_recording.start();
    m_ticker->start();
    tick();
    emit message(tr("Recording every request that reaches %1 (Locust, wrk, curl, the simulated users); "
                    "press Stop recording to keep it as a run")
                     .arg(m_server->url().toString()));
}

void RecordingController::stop()
{
    if (!isRecording())
        return;
    m_ticker->stop();
    const RunResult run = m_recording.stop();
    m_panel->setRecording(false, QString());
    const VariantResult &v = run.variants.first();
    emit message(tr("Recorded %1 request(s) (%2 in flight at the start or stop: shown, not counted)")
                     .arg(v.server.size())
                     .arg(v.other.size()));
    emit recorded(run);
}

void RecordingController::tick()
{
    const double seconds = double(TraceClock::nowNs() - m_recording.startNs()) / 1e9;
    m_panel->setRecording(true, tr("■ Stop recording (%1 s)").arg(seconds, 0, 'f', 0));
}
