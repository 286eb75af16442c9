#include "observedialog.h"

#include "otlp/otlpobserver.h"
#include "scenario/runresult.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>

ObserveDialog::ObserveDialog(TraceRecorder *liveRecorder, QWidget *parent)
    : QDialog(parent)
    , m_liveRecorder(liveRecorder)
{
    setWindowTitle(tr("Observe services (OpenTelemetry)"));
    QSettings settings;
    m_host = new QLineEdit(
        settings.value(QStringLiteral("observe/host"), QStringLiteral("127.0.0.1")).toString());
    m_host->setToolTip(tr("127.0.0.1: this machine only; 0.0.0.0: services on other hosts too"));
    m_port = new QSpinBox;
    m_port->setRange(0, 65535);
    m_port->setValue(settings.value(QStringLiteral("observe/port"), 4318).toInt());
    m_grpcPort = new QSpinBox;
    m_grpcPort->setRange(0, 65535);
    m_grpcPort->setValue(settings.value(QStringLiteral("observe/grpcPort"), 4317).toInt());
    m_grpcPort->setToolTip(tr("OTLP/gRPC, the Python and .NET SDKs' default"));
    m_token = new QLineEdit;
    m_token->setPlaceholderText(tr("optional bearer token"));
    m_token->setEchoMode(QLineEdit::PasswordEchoOnEdit);
    m_button = new QPushButton(tr("Start receiving"));
    m_env = new QPlainTextEdit;
    m_env->setReadOnly(true);
    m_env->setMaximumHeight(110);
    m_env->setPlaceholderText(tr("The environment variables for your services appear here."));
    m_status = new QLabel(tr("Not receiving."));
    m_status->setWordWrap(true);
    auto *note = new QLabel(OtlpObserver::batchDelayNote());
    note->setWordWrap(true);
    note->setObjectName(QStringLiteral("muted"));

    auto *form = new QFormLayout;
    form->addRow(tr("Listen on"), m_host);
    form->addRow(tr("HTTP port"), m_port);
    form->addRow(tr("gRPC port"), m_grpcPort);
    form->addRow(tr("Token"), m_token);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::hide);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_button);
    layout->addWidget(new QLabel(
        tr("Point your services at LoopScope (OpenTelemetry SDKs and the Collector's otlphttp exporter):")));
    layout->addWidget(m_env);
    layout->addWidget(m_status);
    layout->addWidget(note);
    layout->addWidget(buttons);
    resize(560, 420);

    m_timer = new QTimer(this);
    m_timer->setInterval(1000);
    connect(m_timer, &QTimer::timeout, this, &ObserveDialog::refresh);
    connect(m_button, &QPushButton::clicked, this, &ObserveDialog::toggle);
}

ObserveDialog::~ObserveDialog()
{
    if (m_observer)
        m_observer->stop();
}

bool ObserveDialog::isObserving() const
{
    return m_observer && m_observer->isRunning();
}

void ObserveDialog::toggle()
{
    if (isObserving())
        stop();
    else
        start();
}

void ObserveDialog::start()
{
    OtlpReceiverOptions options;
    options.host = m_host->text().trimmed();
    options.port = quint16(m_port->value());
    options.token = m_token->text();
    m_observer = std::make_unique<OtlpObserver>(200000, m_liveRecorder);
    QString error;
    if (!m_observer->start(options, m_grpcPort->value(), &error)) {
        m_observer.reset();
        m_status->setText(tr("Cannot receive: %1").arg(error));
        return;
    }
    QSettings settings;
    settings.setValue(QStringLiteral("observe/host"), options.host);
    settings.setValue(QStringLiteral("observe/port"), options.port);
    settings.setValue(QStringLiteral("observe/grpcPort"), m_grpcPort->value());
    const QString endpoint = m_observer->receiver()->endpoint();
    QString env = QStringLiteral("OTEL_EXPORTER_OTLP_ENDPOINT=%1\nOTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf\n"
                                 "OTEL_TRACES_EXPORTER=otlp\nOTEL_METRICS_EXPORTER=otlp\n"
                                 "OTEL_METRIC_EXPORT_INTERVAL=1000\nOTEL_BSP_SCHEDULE_DELAY=500\n"
                                 "# or gRPC (Python's and .NET's default):\n"
                                 "# OTEL_EXPORTER_OTLP_ENDPOINT=%2 OTEL_EXPORTER_OTLP_PROTOCOL=grpc")
                      .arg(endpoint, m_observer->grpcReceiver()->endpoint());
    if (!options.token.isEmpty())
        env += QStringLiteral("\nOTEL_EXPORTER_OTLP_HEADERS=Authorization=Bearer%20") + options.token;
    m_env->setPlainText(env);
    m_host->setEnabled(false);
    m_port->setEnabled(false);
    m_grpcPort->setEnabled(false);
    m_token->setEnabled(false);
    m_button->setText(tr("Stop and keep as a run"));
    m_lastSpans = 0;
    m_timer->start();
    refresh();
    emit observingStarted(m_observer.get());
}

void ObserveDialog::stop()
{
    m_timer->stop();
    m_observer->stop();
    const RunResult run = m_observer->buildRun();
    emit observingStopped();
    m_observer.reset();
    m_host->setEnabled(true);
    m_port->setEnabled(true);
    m_grpcPort->setEnabled(true);
    m_token->setEnabled(true);
    m_button->setText(tr("Start receiving"));
    m_status->setText(tr("Stopped: %1 observed request(s) kept in the Runs dock.")
                          .arg(run.variants.isEmpty() ? 0 : run.variants.first().server.size()));
    emit runFinished(run);
}

void ObserveDialog::refresh()
{
    if (!m_observer)
        return;
    const quint64 spans = m_observer->assembler()->stats().spans;
    const double rate = double(spans - m_lastSpans) / (m_timer->interval() / 1000.0);
    m_lastSpans = spans;
    QString text = tr("Receiving at %1/v1/traces — %2")
                       .arg(m_observer->receiver()->endpoint(), m_observer->summaryLine(rate));
    // Each host keeps its own clock: the offsets estimated so far (applied by the observe panel's
    // Apply clock offsets).
    for (const ClockOffset &o : m_observer->assembler()->offsets())
        text += QLatin1Char('\n')
            + tr("clock of %1 vs %2: %3 ms (%4 client/server span pairs)")
                  .arg(o.toHost, o.fromHost)
                  .arg(o.offsetMs, 0, 'f', 1)
                  .arg(o.samples);
    m_status->setText(text);
}
