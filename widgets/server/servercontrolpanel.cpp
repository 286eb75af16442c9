#include "servercontrolpanel.h"

#include "gui/scrollingfields.h"
#include "http/apikey.h"
#include "http/chatserver.h"
#include "server/databasefields.h"

#include <QApplication>
#include <QButtonGroup>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace {

QDoubleSpinBox *secondsBox(double value, double max, const QString &suffix = QStringLiteral(" s"))
{
    auto *b = new QDoubleSpinBox;
    b->setRange(0, max);
    b->setDecimals(3);
    b->setSingleStep(0.05);
    b->setValue(value);
    b->setSuffix(suffix);
    return b;
}

} // namespace

ServerControlPanel::ServerControlPanel(ChatServer *server, QWidget *parent)
    : QWidget(parent)
    , m_server(server)
    , m_applyTimer(new QTimer(this))
{
    m_apiKey = ApiKey::resolve(QString());
    m_stopPool.setMaxThreadCount(1);
    m_stopPool.setObjectName(QStringLiteral("serverStopPool"));
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(6, 6, 6, 6);

    // Mode: the lesson, three ways of calling the same pipeline.
    auto *modeRow = new QHBoxLayout;
    modeRow->setSpacing(0);
    m_modeGroup = new QButtonGroup(this);
    const struct
    {
        DispatchMode mode;
        const char *text;
        const char *tip;
    } modes[] = {
        { DispatchMode::Blocking, QT_TR_NOOP("Blocking"),
          QT_TR_NOOP("The pipeline runs on the event loop and blocks it (sync call inside async def)") },
        { DispatchMode::Executor, QT_TR_NOOP("Executor"),
          QT_TR_NOOP("The same pipeline runs on a thread pool (run_in_executor)") },
        { DispatchMode::Async, QT_TR_NOOP("Async"),
          QT_TR_NOOP("Nothing waits on a thread: timers and non-blocking I/O (await)") },
    };
    for (const auto &m : modes) {
        auto *b = new QToolButton;
        b->setText(tr(m.text));
        b->setToolTip(tr(m.tip));
        b->setCheckable(true);
        b->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
        b->setObjectName(QStringLiteral("mode-%1").arg(dispatchModeName(m.mode)));
        m_modeGroup->addButton(b, int(m.mode));
        modeRow->addWidget(b);
    }
    m_modeGroup->button(int(DispatchMode::Blocking))->setChecked(true);
    connect(m_modeGroup, &QButtonGroup::idClicked, this, [this] { apply(); });

    // The primary controls stay in view on a 1366x768 screen: mode, start/stop, status and URL.
    // The settings below them scroll on their own.
    auto *top = new QFormLayout;
    top->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    top->setLabelAlignment(Qt::AlignRight);
    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setLabelAlignment(Qt::AlignRight);
    auto *modeBox = new QWidget;
    modeBox->setLayout(modeRow);
    modeRow->setContentsMargins(0, 0, 0, 0);
    modeBox->setStyleSheet(QStringLiteral(
        "QToolButton { padding: 4px 6px; }"
        "QToolButton:checked { background: palette(highlight); color: palette(highlighted-text);"
        " font-weight: bold; border: 1px solid palette(highlight); }"));
    top->addRow(tr("Mode"), modeBox);
    outer->addLayout(top);
    m_workers = new QSpinBox;
    m_workers->setObjectName(QStringLiteral("workers"));
    m_workers->setRange(1, 16);
    m_workers->setToolTip(tr("Event loops accepting on the same port (uvicorn --workers)"));
    form->addRow(tr("Workers"), m_workers);
    // The auto-scaling supervisor (seed 2's UltimateSupervisor): Workers is then the minimum.
    {
        auto *row = new QHBoxLayout;
        row->setContentsMargins(0, 0, 0, 0);
        m_workersMax = new QSpinBox;
        m_workersMax->setObjectName(QStringLiteral("workersMax"));
        m_workersMax->setRange(0, 16);
        m_workersMax->setSpecialValueText(tr("off"));
        m_workersMax->setToolTip(
            tr("Auto-scaling: the most worker loops (Workers is the fewest); off keeps Workers fixed"));
        m_scaleWaiting = new QSpinBox;
        m_scaleWaiting->setObjectName(QStringLiteral("scaleUpWaiting"));
        m_scaleWaiting->setRange(1, 100000);
        m_scaleWaiting->setPrefix(tr("> "));
        m_scaleWaiting->setToolTip(
            tr("Add a worker while more than this many requests wait (accept queue + not started)"));
        m_scaleIdle = secondsBox(2.0, 3600);
        m_scaleIdle->setObjectName(QStringLiteral("scaleDownIdle"));
        m_scaleIdle->setToolTip(tr("Retire a worker idle this long"));
        row->addWidget(m_workersMax);
        row->addWidget(m_scaleWaiting);
        row->addWidget(m_scaleIdle);
        auto *box = new QWidget;
        box->setLayout(row);
        form->addRow(tr("Auto-scale to"), box);
    }
    m_pool = new QSpinBox;
    m_pool->setObjectName(QStringLiteral("poolSize"));
    m_pool->setRange(0, 256);
    m_pool->setSpecialValueText(tr("auto (%1)").arg(ServerConfig::defaultPoolSize()));
    m_pool->setToolTip(tr("Executor size: threads, auto = min(32, cores + 4) like run_in_executor; or "
                          "processes, auto = cores like ProcessPoolExecutor"));
    form->addRow(tr("Pool size"), m_pool);
    // Seed 1's ThreadPool vs ProcessPool, and the GIL that decides between them in Python.
    m_executor = new QComboBox;
    m_executor->setObjectName(QStringLiteral("executorKind"));
    m_executor->addItem(tr("Thread pool"), int(ExecutorKind::Threads));
    m_executor->addItem(tr("Process pool"), int(ExecutorKind::Processes));
    m_executor->setToolTip(
        tr("What the executor mode hands work to. Threads: light, fast to start. Processes: "
           "loopscope worker processes, slow to start (traced), each with its own core and "
           "no shared lock; they run the CPU work, the rest of the pipeline stays here."));
    form->addRow(tr("Executor kind"), m_executor);
    m_gil = new QCheckBox(tr("Model CPython's GIL"));
    m_gil->setObjectName(QStringLiteral("gil"));
    m_gil->setToolTip(
        tr("A model of CPython, not a property of this server: pool threads take one interpreter "
           "lock to run CPU work, release it while they wait on I/O, and hand it over every 5 ms "
           "(sys.getswitchinterval). Off: C++ threads run CPU work in parallel on every core."));
    form->addRow(tr("Threads"), m_gil);
    m_cpuWork = secondsBox(0, ServerConfig::MaxCpuWorkSeconds);
    m_cpuWork->setObjectName(QStringLiteral("cpuWork"));
    m_cpuWork->setToolTip(tr("CPU-bound step per request: hashing until this much thread CPU time is used "
                             "(seed 2: async does not help CPU-bound work)"));
    form->addRow(tr("CPU work"), m_cpuWork);
    m_dbRead = secondsBox(0.1, 60);
    m_dbRead->setObjectName(QStringLiteral("dbRead"));
    form->addRow(tr("DB read"), m_dbRead);
    auto *llmRow = new QHBoxLayout;
    m_llm = secondsBox(2.0, 600);
    m_llm->setObjectName(QStringLiteral("llm"));
    m_llmKind = new QComboBox;
    m_llmKind->setObjectName(QStringLiteral("llmKind"));
    for (auto k : { LatencyModel::Kind::Fixed, LatencyModel::Kind::Uniform, LatencyModel::Kind::Normal,
                    LatencyModel::Kind::LogNormal })
        m_llmKind->addItem(LatencyModel::kindName(k), int(k));
    m_llmKind->setToolTip(tr("Distribution of the LLM latency"));
    llmRow->addWidget(m_llm, 2);
    llmRow->addWidget(m_llmKind, 2);
    form->addRow(tr("LLM call"), llmRow);
    m_llmSpread = secondsBox(0, 60, QStringLiteral(" s ±"));
    m_llmSpread->setObjectName(QStringLiteral("llmSpread"));
    m_llmSpread->setToolTip(tr("Half-width (uniform) or standard deviation (normal, log-normal)"));
    form->addRow(tr("LLM spread"), m_llmSpread);
    m_firstToken = secondsBox(0.1, 60);
    m_firstToken->setObjectName(QStringLiteral("firstToken"));
    form->addRow(tr("First token"), m_firstToken);
    m_dbWrite = secondsBox(0.05, 60);
    m_dbWrite->setObjectName(QStringLiteral("dbWrite"));
    form->addRow(tr("DB write"), m_dbWrite);
    m_db = new DatabaseFields(form, this);
    connect(m_db, &DatabaseFields::changed, this, &ServerControlPanel::updateState);
    connect(m_db, &DatabaseFields::message, this, &ServerControlPanel::message);
    m_timeScale = new QDoubleSpinBox;
    m_timeScale->setObjectName(QStringLiteral("timeScale"));
    m_timeScale->setRange(0.01, 100);
    m_timeScale->setValue(1.0);
    m_timeScale->setSingleStep(0.1);
    m_timeScale->setPrefix(QStringLiteral("× "));
    m_timeScale->setToolTip(tr("Multiplies every simulated delay (0.1 = ten times faster)"));
    form->addRow(tr("Time scale"), m_timeScale);
    m_limit = new QSpinBox;
    m_limit->setObjectName(QStringLiteral("admissionLimit"));
    m_limit->setRange(0, 100000);
    m_limit->setSpecialValueText(tr("none"));
    m_limit->setToolTip(tr("Answer 503 past this many requests in flight (uvicorn --limit-concurrency)"));
    form->addRow(tr("Admission limit"), m_limit);
    m_port = new QSpinBox;
    m_port->setObjectName(QStringLiteral("port"));
    m_port->setRange(0, 65535);
    m_port->setValue(8000);
    m_port->setSpecialValueText(tr("any free"));
    form->addRow(tr("Port"), m_port);

    m_startStop = new QPushButton(tr("Start server"));
    m_startStop->setObjectName(QStringLiteral("startStop"));
    connect(m_startStop, &QPushButton::clicked, this, [this] {
        if (m_work == Work::Starting) {
            m_cancel.request_stop(); // a database that does not answer: give up now
            return;
        }
        if (isBusy())
            return;
        if (m_server->isRunning())
            stopServer();
        else
            startServer();
    });
    m_controls = new QHBoxLayout;
    m_controls->addWidget(m_startStop, 1);
    outer->addLayout(m_controls);
    m_record = new QPushButton(tr("Record"));
    m_record->setObjectName(QStringLiteral("record"));
    m_record->setProperty("loopscopeAction", true); // not a setting: never restored as "on"
    m_record->setCheckable(true);
    m_record->setToolTip(tr("Record whatever load reaches this server (Locust, wrk, curl, the simulated "
                            "users) and keep it as a run in the Runs dock"));
    connect(m_record, &QPushButton::toggled, this, &ServerControlPanel::recordToggled);
    addControl(m_record);

    m_status = new QLabel;
    m_status->setObjectName(QStringLiteral("serverStatus"));
    m_status->setWordWrap(true);
    outer->addWidget(m_status);
    m_url = new QLabel;
    m_url->setObjectName(QStringLiteral("serverUrl"));
    m_url->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *urlRow = new QHBoxLayout;
    urlRow->addWidget(m_url, 1);
    outer->addLayout(urlRow);
    auto *keyRow = new QHBoxLayout;
    m_key = new QLineEdit(m_apiKey);
    m_key->setReadOnly(true);
    m_key->setEchoMode(QLineEdit::PasswordEchoOnEdit);
    m_key->setEchoMode(QLineEdit::Password);
    m_key->setToolTip(tr("X-API-Key of this server"));
    auto *show = new QToolButton;
    show->setText(tr("Show"));
    show->setCheckable(true);
    connect(show, &QToolButton::toggled, this,
            [this](bool on) { m_key->setEchoMode(on ? QLineEdit::Normal : QLineEdit::Password); });
    keyRow->addWidget(m_key, 1);
    keyRow->addWidget(show);
    form->addRow(tr("Key"), keyRow);
    m_copyCurl = new QPushButton(tr("Copy curl command"));
    m_copyCurl->setToolTip(tr("A streaming chat request to this server, ready to paste into a terminal"));
    connect(m_copyCurl, &QPushButton::clicked, this, [this] {
        QApplication::clipboard()->setText(curlCommand());
        emit message(tr("curl command copied to the clipboard"));
    });
    urlRow->addWidget(m_copyCurl);
    outer->addWidget(scrollingFields(form, QStringLiteral("serverSettings"), 80), 1);

    m_applyTimer->setSingleShot(true);
    m_applyTimer->setInterval(300);
    connect(m_applyTimer, &QTimer::timeout, this, &ServerControlPanel::apply);
    for (QSpinBox *b : { m_workers, m_pool, m_limit, m_workersMax, m_scaleWaiting })
        connect(b, &QSpinBox::valueChanged, this, &ServerControlPanel::scheduleApply);
    connect(m_executor, &QComboBox::currentIndexChanged, this, &ServerControlPanel::scheduleApply);
    connect(m_gil, &QCheckBox::toggled, this, &ServerControlPanel::scheduleApply);
    for (QDoubleSpinBox *b :
         { m_dbRead, m_llm, m_llmSpread, m_dbWrite, m_timeScale, m_firstToken, m_cpuWork, m_scaleIdle })
        connect(b, &QDoubleSpinBox::valueChanged, this, &ServerControlPanel::scheduleApply);
    connect(m_llmKind, &QComboBox::currentIndexChanged, this, &ServerControlPanel::scheduleApply);
    connect(server, &ChatServer::configChanged, this, &ServerControlPanel::updateState);
    updateState();
}

ServerConfig ServerControlPanel::config() const
{
    ServerConfig c = m_server->config();
    c.intake = m_extra.intake;
    c.pollIntervalSeconds = m_extra.pollIntervalSeconds;
    c.llm.tokensPerSecond = m_extra.llm.tokensPerSecond;
    c.mode = DispatchMode(m_modeGroup->checkedId());
    c.workers = m_workers->value();
    c.workersMax = m_workersMax->value();
    c.workersMin = c.workersMax > 0 ? c.workers : 0;
    c.scaleUpWaiting = m_scaleWaiting->value();
    c.scaleDownIdleSeconds = m_scaleIdle->value();
    c.poolSize = m_pool->value();
    c.executor = ExecutorKind(m_executor->currentData().toInt());
    c.gil = m_gil->isChecked();
    c.cpuWorkSeconds = m_cpuWork->value();
    c.dbReadSeconds = m_dbRead->value();
    c.dbWriteSeconds = m_dbWrite->value();
    c.llm.latency.kind = LatencyModel::Kind(m_llmKind->currentData().toInt());
    c.llm.latency.mean = m_llm->value();
    c.llm.latency.spread = m_llmSpread->value();
    c.llm.firstTokenSeconds = m_firstToken->value();
    c.timeScale = m_timeScale->value();
    c.maxInFlight = m_limit->value();
    c.port = quint16(m_port->value());
    c.apiKey = m_apiKey;
    if (!m_dbPath.isEmpty())
        c.dbPath = m_dbPath;
    else
        m_db->fill(&c);
    return c;
}

void ServerControlPanel::setConfig(const ServerConfig &c)
{
    const QSignalBlocker b0(m_modeGroup);
    m_modeGroup->button(int(c.mode))->setChecked(true);
    for (QWidget *w :
         std::initializer_list<QWidget *> { m_workers, m_pool, m_limit, m_port, m_dbRead, m_llm, m_llmSpread,
                                            m_dbWrite, m_timeScale, m_firstToken, m_llmKind, m_executor,
                                            m_gil, m_cpuWork, m_workersMax, m_scaleWaiting, m_scaleIdle })
        w->blockSignals(true);
    m_workers->setValue(c.initialWorkers());
    m_workersMax->setValue(c.workersMax);
    m_scaleWaiting->setValue(c.scaleUpWaiting);
    m_scaleIdle->setValue(c.scaleDownIdleSeconds);
    m_pool->setValue(c.poolSize);
    m_limit->setValue(c.maxInFlight);
    m_port->setValue(c.port);
    m_dbRead->setValue(c.dbReadSeconds);
    m_dbWrite->setValue(c.dbWriteSeconds);
    m_llm->setValue(c.llm.latency.mean);
    m_llmSpread->setValue(c.llm.latency.spread);
    m_firstToken->setValue(c.llm.firstTokenSeconds);
    m_timeScale->setValue(c.timeScale);
    m_llmKind->setCurrentIndex(m_llmKind->findData(int(c.llm.latency.kind)));
    m_executor->setCurrentIndex(m_executor->findData(int(c.executor)));
    m_gil->setChecked(c.gil);
    m_cpuWork->setValue(c.cpuWorkSeconds);
    m_db->show(c);
    for (QWidget *w :
         std::initializer_list<QWidget *> { m_workers, m_pool, m_limit, m_port, m_dbRead, m_llm, m_llmSpread,
                                            m_dbWrite, m_timeScale, m_firstToken, m_llmKind, m_executor,
                                            m_gil, m_cpuWork, m_workersMax, m_scaleWaiting, m_scaleIdle })
        w->blockSignals(false);
}

void ServerControlPanel::setMode(DispatchMode mode)
{
    m_modeGroup->button(int(mode))->click();
}

void ServerControlPanel::applyScenarioConfig(const ServerConfig &scenario)
{
    const ServerConfig mine = config();
    ServerConfig c = scenario;
    c.port = mine.port;
    c.host = mine.host;
    c.apiKey = mine.apiKey;
    c.dbPath = mine.dbPath;
    c.timeScale = mine.timeScale;
    setConfig(c);
    // Fields without a widget (intake, poll interval, history) come from the scenario.
    m_extra = c;
    apply();
}

void ServerControlPanel::scheduleApply()
{
    m_applyTimer->start();
}

void ServerControlPanel::apply()
{
    m_applyTimer->stop();
    if (isBusy()) {
        m_applyPending = true;
        return;
    }
    if (!m_server->isRunning())
        return;
    ServerConfig c = config();
    const ServerConfig current = m_server->config();
    if (const QString e = c.workersError(); !e.isEmpty()) {
        emit message(tr("Not applied: %1").arg(e)); // the server keeps its settings
        return;
    }
    if (c.workers != current.workers || c.host != current.host || c.workersMax != current.workersMax
        || c.workersMin != current.workersMin) {
        // New listeners: ChatServer::reconfigure would drain on this thread. Stop and start again
        // on the same port, both off it.
        c.port = m_server->port();
        emit message(tr("Restarting with %1 worker(s)…").arg(c.workers));
        const bool resolve = m_dbPath.isEmpty();
        offGui(
            Work::Stopping,
            [server = m_server, c, resolve](const std::stop_token &stop) {
                server->stop(3000);
                return startOn(server, c, resolve, stop); // the port went meanwhile: any
            },
            [this](const Outcome &r) {
                if (r.started) {
                    updateState();
                    emit serverStarted();
                    emit message(tr("Server now %1, %2 worker(s), pool %3")
                                     .arg(dispatchModeName(r.config.mode))
                                     .arg(r.config.workers)
                                     .arg(r.config.effectivePoolSize()));
                } else {
                    emit serverStopped();
                    emit message(tr("Restart failed: %1").arg(r.error));
                }
            });
        return;
    }
    c.port = 0; // keep the bound port
    QString error;
    if (!m_server->reconfigure(c, &error))
        emit message(tr("Reconfiguration failed: %1").arg(error));
    else
        emit message(tr("Server now %1, %2 worker(s), pool %3")
                         .arg(dispatchModeName(c.mode))
                         .arg(c.workers)
                         .arg(c.effectivePoolSize()));
    updateState();
}

void ServerControlPanel::setRecording(bool on, const QString &text)
{
    const QSignalBlocker block(m_record);
    m_record->setChecked(on);
    m_record->setText(on ? text : tr("Record"));
    m_record->setEnabled(on || (!isBusy() && m_server->isRunning()));
}

void ServerControlPanel::updateState()
{
    const bool busy = isBusy();
    m_startStop->setEnabled(!busy || m_work == Work::Starting);
    m_record->setEnabled(m_record->isChecked() || (!busy && m_server->isRunning()));
    m_workers->setEnabled(!busy);
    if (busy) {
        if (m_work == Work::Starting)
            m_startStop->setText(tr("Cancel start"));
        m_db->setEditable(false);
        m_status->setText(m_work == Work::Starting ? tr("<b>Starting…</b> opening the database")
                                                   : tr("<b>Stopping…</b> requests in flight are finishing"));
        m_copyCurl->setEnabled(false);
        return;
    }
    const bool running = m_server->isRunning();
    m_startStop->setText(running ? tr("Stop server") : tr("Start server"));
    m_port->setEnabled(!running);
    // The database is chosen for the next start (a new database means new connections).
    m_db->setEditable(!running && m_dbPath.isEmpty());
    m_copyCurl->setEnabled(running);
    if (running) {
        const ServerConfig c = m_server->config();
        m_url->setText(QStringLiteral("<a href=\"%1\">%1</a>").arg(m_server->url().toString()));
        m_status->setText(tr("<b>Serving</b> · %1 · %2 worker(s) · pool %3 · %4")
                              .arg(dispatchModeName(c.mode))
                              .arg(c.autoscale()
                                       ? QStringLiteral("%1–%2").arg(c.initialWorkers()).arg(c.workersMax)
                                       : QString::number(c.workers))
                              .arg(c.effectivePoolSize())
                              .arg(m_db->describe(c).toHtmlEscaped()));
    } else {
        m_url->setText(tr("not listening"));
        m_status->setText(tr("<b>Stopped</b>"));
    }
}

void ServerControlPanel::addControl(QWidget *control)
{
    m_controls->addWidget(control);
}

QString ServerControlPanel::curlCommand() const
{
    const QString url = m_server->url().toString() + QStringLiteral("/v1/chat/stream");
    return QStringLiteral("curl -N -H 'X-API-Key: %1' -H 'Content-Type: application/json' "
                          "-d '{\"user_id\":\"me\",\"session_id\":\"curl\",\"message\":\"Hello!\"}' %2")
        .arg(m_apiKey, url);
}
