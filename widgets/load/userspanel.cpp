#include "userspanel.h"

#include "http/chatserver.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTextBrowser>
#include <QVBoxLayout>

UsersPanel::UsersPanel(ChatServer *server, QWidget *parent)
    : QWidget(parent)
    , m_server(server)
    , m_generator(new LoadGenerator(this))
{
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(6, 6, 6, 6);
    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setLabelAlignment(Qt::AlignRight);
    m_scenario = new QComboBox;
    m_scenario->addItem(tr("Custom"));
    form->addRow(tr("Scenario"), m_scenario);
    m_explanation = new QTextBrowser;
    m_explanation->setMaximumHeight(70);
    m_explanation->setFrameShape(QFrame::NoFrame);
    m_explanation->setText(tr("<i>N users hit the server at once: in blocking mode they are served one after "
                              "another (the seed's 2.15, 4.30, 6.45… s staircase); in executor or async mode together.</i>"));
    outer->addLayout(form);
    outer->addWidget(m_explanation);
    auto *form2 = new QFormLayout;
    form2->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form2->setLabelAlignment(Qt::AlignRight);
    m_model = new QComboBox;
    m_model->addItem(tr("closed (users + think time)"), int(LoadSettings::Model::Closed));
    m_model->addItem(tr("open (arrival rate)"), int(LoadSettings::Model::Open));
    form2->addRow(tr("Model"), m_model);
    m_users = new QSpinBox;
    m_users->setRange(1, 20000);
    m_users->setValue(10);
    form2->addRow(tr("Users"), m_users);
    m_requests = new QSpinBox;
    m_requests->setRange(1, 100000);
    m_requests->setValue(1);
    form2->addRow(tr("Requests / user"), m_requests);
    m_think = new QDoubleSpinBox;
    m_think->setRange(0, 3600);
    m_think->setSuffix(QStringLiteral(" s"));
    form2->addRow(tr("Think time"), m_think);
    m_rampUp = new QDoubleSpinBox;
    m_rampUp->setRange(0, 3600);
    m_rampUp->setSuffix(QStringLiteral(" s"));
    m_rampUp->setToolTip(tr("Time to start all users (0: all at once)"));
    form2->addRow(tr("Ramp-up"), m_rampUp);
    m_rate = new QDoubleSpinBox;
    m_rate->setRange(0.1, 100000);
    m_rate->setValue(10);
    m_rate->setSuffix(tr(" req/s"));
    form2->addRow(tr("Arrival rate"), m_rate);
    m_duration = new QDoubleSpinBox;
    m_duration->setRange(0, 36000);
    m_duration->setValue(10);
    m_duration->setSuffix(QStringLiteral(" s"));
    form2->addRow(tr("Duration"), m_duration);
    m_naive = new QCheckBox(tr("naive client (async def + requests.post)"));
    m_naive->setToolTip(tr("The seed's test script: the \"concurrent\" users actually send one after another"));
    form2->addRow(QString(), m_naive);
    m_stream = new QCheckBox(tr("stream replies (measure first token)"));
    form2->addRow(QString(), m_stream);
    outer->addLayout(form2);

    m_startStop = new QPushButton(tr("Start users"));
    m_startStop->setObjectName(QStringLiteral("startUsers"));
    outer->addWidget(m_startStop);
    m_progress = new QProgressBar;
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);
    m_progress->setTextVisible(true);
    m_progress->setFormat(tr("idle"));
    outer->addWidget(m_progress);
    m_eta = new QLabel;
    m_eta->setWordWrap(true);
    outer->addWidget(m_eta);
    outer->addStretch(1);

    connect(m_model, &QComboBox::currentIndexChanged, this, &UsersPanel::updateModelFields);
    connect(m_startStop, &QPushButton::clicked, this, [this] {
        if (isRunning())
            stopRun();
        else
            startRun();
    });
    connect(m_generator, &LoadGenerator::progressChanged, this, &UsersPanel::showProgress);
    connect(m_generator, &LoadGenerator::finished, this, [this] {
        const LoadProgress p = m_generator->progress();
        showProgress(p);
        m_progress->setValue(1000);
        m_progress->setFormat(tr("done: %1 ok, %2 errors").arg(p.ok).arg(p.errors));
        m_eta->setText(tr("%1 requests in %2 s").arg(p.done).arg(p.elapsedSeconds, 0, 'f', 2));
        m_startStop->setText(tr("Start users"));
        emit runFinished();
    });
    updateModelFields();
}

UsersPanel::~UsersPanel()
{
    if (m_generator->isRunning())
        m_generator->stop();
}

void UsersPanel::updateModelFields()
{
    const bool closed = m_model->currentData().toInt() == int(LoadSettings::Model::Closed);
    m_users->setEnabled(closed);
    m_requests->setEnabled(closed);
    m_think->setEnabled(closed);
    m_rampUp->setEnabled(closed);
    m_naive->setEnabled(closed);
    m_rate->setEnabled(!closed);
    m_duration->setEnabled(!closed);
}

LoadSettings UsersPanel::settings() const
{
    LoadSettings s;
    s.model = LoadSettings::Model(m_model->currentData().toInt());
    s.users = m_users->value();
    s.requestsPerUser = m_requests->value();
    s.thinkSeconds = m_think->value();
    s.spawnRate = m_rampUp->value() > 0 ? m_users->value() / m_rampUp->value() : 0;
    s.arrivalRate = m_rate->value();
    s.durationSeconds = s.model == LoadSettings::Model::Open ? m_duration->value() : 0;
    s.naive = m_naive->isChecked();
    s.stream = m_stream->isChecked();
    s.sessionPrefix = QStringLiteral("sim-");
    s.baseUrl = m_server->url();
    s.apiKey = m_server->apiKey();
    s.threads = s.users >= 500 ? 2 : 1;
    return s;
}

void UsersPanel::setUsers(int users) { m_users->setValue(users); }

bool UsersPanel::startRun()
{
    if (!m_server->isRunning()) {
        emit message(tr("Start the server first."));
        return false;
    }
    m_generator->setSettings(settings());
    QString error;
    if (!m_generator->start(&error)) {
        emit message(tr("Users did not start: %1").arg(error));
        return false;
    }
    m_startStop->setText(tr("Stop users"));
    m_progress->setValue(0);
    m_progress->setFormat(tr("starting…"));
    emit runStarted();
    return true;
}

void UsersPanel::stopRun() { m_generator->stop(); }

bool UsersPanel::isRunning() const { return m_generator->isRunning(); }

void UsersPanel::showProgress(const LoadProgress &p)
{
    m_progress->setValue(int(p.fraction * 1000));
    m_progress->setFormat(p.total > 0 ? tr("%1 / %2 requests").arg(p.done).arg(p.total) : tr("%1 requests").arg(p.done));
    QString eta;
    if (p.fraction > 0.01 && p.fraction < 1.0) {
        const double remaining = p.elapsedSeconds * (1.0 - p.fraction) / p.fraction;
        eta = tr("ETA %1 s · ").arg(remaining, 0, 'f', remaining < 10 ? 1 : 0);
    }
    m_eta->setText(eta + tr("%1 in flight · %2 req/s · %3 errors · %4 late sends")
                                 .arg(p.inFlight).arg(p.requestsPerSecond, 0, 'f', 1).arg(p.errors).arg(p.late));
}
