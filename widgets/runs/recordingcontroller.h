#pragma once

#include "record/serverrecording.h"

#include <QObject>

class ChatServer;
class QTimer;
class ServerControlPanel;

// The window's Record/Stop (issue #23): the server panel's Record button starts a recording of
// whatever load reaches the in-process server; Stop (or the server stopping) ends it and hands
// the run to the window for the Runs dock. The recorder is only read when the recording stops.
class RecordingController : public QObject
{
    Q_OBJECT
public:
    RecordingController(ChatServer *server, ServerControlPanel *panel, QObject *parent = nullptr);

    bool isRecording() const { return m_recording.isRecording(); }
    void start();
    void stop();

signals:
    void recorded(const RunResult &run);
    void message(const QString &text);

private:
    void tick();

    ChatServer *m_server;
    ServerControlPanel *m_panel;
    ServerRecording m_recording;
    QTimer *m_ticker;
};
