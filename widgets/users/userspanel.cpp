#include "userspanel.h"

#include "gui/scrollingfields.h"
#include "http/chatserver.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QLocale>
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
    m_scenario->setObjectName(QStringLiteral("scenario"));
    m_scenario->addItem(tr("Custom burst"), QStringList());
    for (const QString &name : Scenario::builtinNames()) {
        Scenario sc;
        if (!Scenario::open(name, &sc, nullptr))
            continue;
        m_scenarios.append(sc);
        for (const ScenarioVariant &v : sc.variants)
            m_scenario->addItem(QStringLiteral("%1 · %2: %3")
                                    .arg(sc.name, v.name,
                                         QLocale().language() == QLocale::Chinese && !v.labelZh.isEmpty()
                                             ? v.labelZh
                                             : v.labelEn),
                                QStringList { sc.name, v.name });
    }
    m_scenario->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_scenario->setMinimumContentsLength(16);
    m_scenario->setToolTip(
        tr("The seeds' situations; choosing one fills the fields and, on start, the server settings"));
    form->addRow(tr("Scenario"), m_scenario);
    m_explanation = new QTextBrowser;
    m_explanation->setMinimumHeight(60);
    m_explanation->setMaximumHeight(90);
    m_explanation->setFrameShape(QFrame::NoFrame);
    m_explanation->setText(
        tr("<i>N users hit the server at once: in blocking mode they are served one after "
           "another (the seed's 2.15, 4.30, 6.45… s staircase); in executor or async mode together.</i>"));
    outer->addLayout(form);
    outer->addWidget(m_explanation);
    // The action right under the choice: on a 768-pixel screen it stays in view; the fields
    // below only refine the scenario.
    m_hint = new QLabel;
    m_hint->setObjectName(QStringLiteral("tourHint"));
    m_hint->setWordWrap(true);
    m_hint->setStyleSheet(
        QStringLiteral("QLabel#tourHint { font-weight: bold; color: palette(highlight); }"));
    m_hint->hide();
    outer->addWidget(m_hint);
    m_startStop = new QPushButton(tr("Start users"));
    m_startStop->setObjectName(QStringLiteral("startUsers"));
    outer->addWidget(m_startStop);
    m_progress = new QProgressBar;
    m_progress->setObjectName(QStringLiteral("usersProgress"));
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);
    m_progress->setTextVisible(true);
    m_progress->setFormat(tr("idle"));
    outer->addWidget(m_progress);
    m_eta = new QLabel;
    m_eta->setWordWrap(true);
    outer->addWidget(m_eta);
    auto *form2 = new QFormLayout;
    form2->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form2->setLabelAlignment(Qt::AlignRight);
    m_model = new QComboBox;
    m_model->setObjectName(QStringLiteral("loadModel"));
    m_model->addItem(tr("closed (users + think time)"), int(LoadSettings::Model::Closed));
    m_model->addItem(tr("open (arrival rate)"), int(LoadSettings::Model::Open));
    form2->addRow(tr("Model"), m_model);
    m_users = new QSpinBox;
    m_users->setObjectName(QStringLiteral("users"));
    m_users->setRange(1, 20000);
    m_users->setValue(10);
    form2->addRow(tr("Users"), m_users);
    m_requests = new QSpinBox;
    m_requests->setObjectName(QStringLiteral("requestsPerUser"));
    m_requests->setRange(1, 100000);
    m_requests->setValue(1);
    form2->addRow(tr("Requests / user"), m_requests);
    m_think = new QDoubleSpinBox;
    m_think->setObjectName(QStringLiteral("think"));
    m_think->setRange(0, 3600);
    m_think->setSuffix(QStringLiteral(" s"));
    form2->addRow(tr("Think time"), m_think);
    m_rampUp = new QDoubleSpinBox;
    m_rampUp->setObjectName(QStringLiteral("rampUp"));
    m_rampUp->setRange(0, 3600);
    m_rampUp->setSuffix(QStringLiteral(" s"));
    m_rampUp->setToolTip(tr("Time to start all users (0: all at once)"));
    form2->addRow(tr("Ramp-up"), m_rampUp);
    m_rate = new QDoubleSpinBox;
    m_rate->setObjectName(QStringLiteral("arrivalRate"));
    m_rate->setRange(0.1, 100000);
    m_rate->setValue(10);
    m_rate->setSuffix(tr(" req/s"));
    form2->addRow(tr("Arrival rate"), m_rate);
    m_duration = new QDoubleSpinBox;
    m_duration->setObjectName(QStringLiteral("duration"));
    m_duration->setRange(0, 36000);
    m_duration->setValue(10);
    m_duration->setSuffix(QStringLiteral(" s"));
    form2->addRow(tr("Duration"), m_duration);
    m_naive = new QCheckBox(tr("naive client (seed's test script)"));
    m_naive->setObjectName(QStringLiteral("naive"));
    m_naive->setToolTip(
        tr("The seed's test script: the \"concurrent\" users actually send one after another"));
    form2->addRow(QString(), m_naive);
    m_stream = new QCheckBox(tr("stream replies"));
    m_stream->setObjectName(QStringLiteral("stream"));
    form2->addRow(QString(), m_stream);
    // The fields that refine the scenario scroll on their own; the action above stays in view.
    outer->addWidget(scrollingFields(form2, QStringLiteral("loadFields"), 60), 1);

    connect(m_model, &QComboBox::currentIndexChanged, this, &UsersPanel::updateModelFields);
    connect(m_scenario, &QComboBox::currentIndexChanged, this, &UsersPanel::scenarioChosen);
    connect(m_startStop, &QPushButton::clicked, this, [this] {
        if (isRunning())
            stopRun();
        else
            startRun();
    });
    updateModelFields();
}

UsersPanel::~UsersPanel()
{
    if (m_generator->isRunning())
        m_generator->stop();
}

void UsersPanel::newGenerator()
{
    // A LoadGenerator runs once: every run gets a fresh one (the last stays readable until then).
    if (m_generator)
        m_generator->deleteLater();
    m_generator = new LoadGenerator(this);
    connect(m_generator, &LoadGenerator::progressChanged, this, &UsersPanel::showProgress);
    connect(m_generator, &LoadGenerator::finished, this, [this] {
        const LoadProgress p = m_generator->progress();
        showProgress(p);
        m_progress->setValue(1000);
        m_progress->setFormat(tr("done: %1 ok, %2 errors").arg(p.ok).arg(p.errors));
        m_eta->setText(tr("%1 requests in %2 s").arg(p.done).arg(p.elapsedSeconds, 0, 'f', 2));
        m_startStop->setText(tr("Start users"));
        if (m_guided)
            advanceGuidedTour();
        emit runFinished();
    });
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

void UsersPanel::startGuidedTour()
{
    if (!selectScenario(QStringLiteral("pseudo_async/A")))
        return;
    m_guided = true;
    m_hint->setText(
        tr("Start here: press Start users. Five users, one blocking server: watch the staircase."));
    m_hint->show();
}

void UsersPanel::advanceGuidedTour()
{
    Scenario sc;
    QString variant;
    if (!currentScenario(&sc, &variant) || sc.name != QLatin1String("pseudo_async")) {
        m_guided = false;
        m_hint->hide();
        return;
    }
    if (variant == QLatin1String("A")) {
        selectScenario(QStringLiteral("pseudo_async/B"));
        m_hint->setText(tr("Now press Start users again: the same five users with run_in_executor."));
        return;
    }
    m_guided = false;
    m_hint->setText(tr("Both runs are in the Runs tab: Ctrl+click the two and press Compare."));
}

bool UsersPanel::selectScenario(const QString &nameAndVariant)
{
    if (nameAndVariant.isEmpty()) {
        m_scenario->setCurrentIndex(0); // the custom burst
        return true;
    }
    const QStringList want = nameAndVariant.split(QLatin1Char('/'));
    for (int i = 1; i < m_scenario->count(); ++i) {
        const QStringList key = m_scenario->itemData(i).toStringList();
        if (key.value(0) == want.value(0) && (want.size() < 2 || key.value(1) == want.value(1))) {
            m_scenario->setCurrentIndex(i);
            return true;
        }
    }
    return false;
}

QString UsersPanel::scenarioExplanation() const
{
    return m_explanation->toPlainText();
}

void UsersPanel::scenarioChosen(int index)
{
    const QStringList key = m_scenario->itemData(index).toStringList();
    m_scenarioBase = LoadSettings();
    if (key.isEmpty())
        return;
    for (const Scenario &sc : std::as_const(m_scenarios)) {
        if (sc.name != key.value(0))
            continue;
        const ScenarioVariant *v = sc.variant(key.value(1));
        if (!v)
            return;
        // The seeds are bilingual: the UI language picks the text.
        const bool zh = QLocale().language() == QLocale::Chinese;
        const auto pick
            = [zh](const QString &en, const QString &cn) { return zh && !cn.isEmpty() ? cn : en; };
        m_explanation->setHtml(QStringLiteral("<b>%1</b><br>%2<br><i>%3: %4</i>")
                                   .arg(pick(sc.titleEn, sc.titleZh).toHtmlEscaped(),
                                        pick(sc.explanationEn, sc.explanationZh).toHtmlEscaped(), v->name,
                                        pick(v->labelEn, v->labelZh).toHtmlEscaped()));
        m_scenarioBase = sc.loadSettings(*v);
        setLoadFields(m_scenarioBase);
        return;
    }
}

void UsersPanel::setLoadFields(const LoadSettings &s)
{
    m_model->setCurrentIndex(m_model->findData(int(s.model)));
    m_users->setValue(s.users);
    m_requests->setValue(s.requestsPerUser);
    m_think->setValue(s.thinkSeconds);
    m_rampUp->setValue(s.spawnRate > 0 ? s.users / s.spawnRate : 0);
    m_rate->setValue(s.arrivalRate);
    m_duration->setValue(s.durationSeconds);
    m_naive->setChecked(s.naive);
    m_stream->setChecked(s.stream);
}

LoadSettings UsersPanel::settings() const
{
    LoadSettings s = m_scenarioBase; // keeps a scenario's message, options and sessions
    s.model = LoadSettings::Model(m_model->currentData().toInt());
    s.users = m_users->value();
    s.requestsPerUser = m_requests->value();
    s.thinkSeconds = m_think->value();
    s.spawnRate = m_rampUp->value() > 0 ? m_users->value() / m_rampUp->value() : 0;
    s.arrivalRate = m_rate->value();
    s.durationSeconds = s.model == LoadSettings::Model::Open ? m_duration->value() : 0;
    s.naive = m_naive->isChecked();
    s.stream = m_stream->isChecked();
    if (s.sessionPrefix.isEmpty())
        s.sessionPrefix = QStringLiteral("sim-");
    s.timeScale = m_server->config().timeScale;
    s.baseUrl = m_server->url();
    s.apiKey = m_server->apiKey();
    s.threads = s.users >= 500 ? 2 : 1;
    return s;
}

bool UsersPanel::currentScenario(Scenario *scenario, QString *variant) const
{
    const QStringList key = m_scenario->currentData().toStringList();
    for (const Scenario &sc : std::as_const(m_scenarios)) {
        if (!key.isEmpty() && sc.name == key.value(0)) {
            *scenario = sc;
            *variant = key.value(1);
            return true;
        }
    }
    return false;
}

void UsersPanel::setUsers(int users)
{
    m_users->setValue(users);
}

bool UsersPanel::startRun()
{
    if (!m_guided)
        m_hint->hide(); // the tour is over once the user runs something else
    if (!m_serverBusy && !m_server->isRunning()) {
        emit message(tr("Start the server first."));
        return false;
    }
    const QStringList key = m_scenario->currentData().toStringList();
    for (const Scenario &sc : std::as_const(m_scenarios)) {
        if (!key.isEmpty() && sc.name == key.value(0)) {
            if (const ScenarioVariant *v = sc.variant(key.value(1)))
                emit serverConfigRequested(sc.serverConfig(*v));
        }
    }
    if (m_serverBusy) { // the scenario's settings restart the server: start once it listens again
        m_startPending = true;
        m_progress->setFormat(tr("waiting for the server to restart…"));
        return true;
    }
    return startLoad();
}

void UsersPanel::setServerBusy(bool busy)
{
    m_serverBusy = busy;
    if (!busy && m_startPending) {
        m_startPending = false;
        if (m_server->isRunning())
            startLoad();
        else
            emit message(tr("The server did not come back; users not started."));
    }
}

bool UsersPanel::startLoad()
{
    newGenerator();
    m_generator->setSettings(settings()); // after the server settings: the URL may have changed
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

void UsersPanel::stopRun()
{
    m_generator->stop();
}

bool UsersPanel::isRunning() const
{
    return m_generator->isRunning();
}

void UsersPanel::showProgress(const LoadProgress &p)
{
    m_progress->setValue(int(p.fraction * 1000));
    m_progress->setFormat(p.total > 0 ? tr("%1 / %2 requests").arg(p.done).arg(p.total)
                                      : tr("%1 requests").arg(p.done));
    QString eta;
    if (p.fraction > 0.01 && p.fraction < 1.0) {
        const double remaining = p.elapsedSeconds * (1.0 - p.fraction) / p.fraction;
        eta = tr("ETA %1 s · ").arg(remaining, 0, 'f', remaining < 10 ? 1 : 0);
    }
    m_eta->setText(eta
                   + tr("%1 in flight · %2 req/s · %3 errors · %4 late sends")
                         .arg(p.inFlight)
                         .arg(p.requestsPerSecond, 0, 'f', 1)
                         .arg(p.errors)
                         .arg(p.late));
}
