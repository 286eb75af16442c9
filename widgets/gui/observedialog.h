#pragma once

#include "scenario/runresult.h"

#include <QDialog>
#include <memory>

class OtlpObserver;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTimer;
class TraceRecorder;

// File > Observe services (OTLP)…: starts and stops the OTLP/HTTP and OTLP/gRPC receivers (host,
// ports, optional bearer token) and shows the endpoint to paste into OTEL_EXPORTER_OTLP_ENDPOINT.
// Observed requests are published into `liveRecorder` (the window's live recorder), so the
// timelines draw them as they arrive; on Stop the observation becomes a run (runFinished).
// Receiving and decoding run on the receiver's and the assembler's threads, never on this one.
class ObserveDialog : public QDialog
{
    Q_OBJECT
public:
    explicit ObserveDialog(TraceRecorder *liveRecorder, QWidget *parent = nullptr);
    ~ObserveDialog() override;

    bool isObserving() const;
    // Starts receiving with the ports and token shown (Start receiving).
    void start();

signals:
    void runFinished(const RunResult &run);
    // The receivers are up (the observe layout shows `observer` until observingStopped).
    void observingStarted(OtlpObserver *observer);
    void observingStopped();

private:
    void toggle();
    void stop();
    void refresh();

    TraceRecorder *m_liveRecorder;
    std::unique_ptr<OtlpObserver> m_observer;
    QLineEdit *m_host;
    QSpinBox *m_port;
    QSpinBox *m_grpcPort;
    QLineEdit *m_token;
    QPushButton *m_button;
    QPlainTextEdit *m_env;
    QLabel *m_status;
    QTimer *m_timer;
    quint64 m_lastSpans = 0;
};
