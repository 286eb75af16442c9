#include "mainwindow.h"

#include "base/traceclock.h"
#include "chat/chatpanel.h"
#include "gui/observedialog.h"
#include "gui/theme.h"
#include "http/chatserver.h"
#include "lesson/lessonbar.h"
#include "lesson/lessoncontroller.h"
#include "lesson/lessonplayer.h"
#include "load/clientrecord.h"
#include "load/userspanel.h"
#include "plots/counterplot.h"
#include "plots/counterplotspanel.h"
#include "plots/latencyseries.h"
#include "report/reportexporter.h"
#include "report/runexport.h"
#include "runs/runcomparisonview.h"
#include "runs/runspanel.h"
#include "runs/runstore.h"
#include "server/llmsettingsdialog.h"
#include "server/servercontrolpanel.h"
#include "stats/latencystats.h"
#include "timeline/phaselegend.h"
#include "timeline/timelineview.h"
#include "timeline/timeviewstate.h"

#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QMenuBar>
#include <QMessageBox>
#include <QSaveFile>
#include <QScrollArea>
#include <QSettings>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTextBrowser>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

namespace {

// Where file dialogs start: the user's documents, never the directory the program was started in
// (from a desktop menu that may be / or the install prefix).
QString documentsDir()
{
    return QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
}

QDockWidget *makeDock(const QString &title, const QString &name, QWidget *content, QMainWindow *parent,
                      bool scroll)
{
    auto *dock = new QDockWidget(title, parent);
    dock->setObjectName(name);
    dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable
                      | QDockWidget::DockWidgetClosable);
    if (scroll) {
        auto *area = new QScrollArea;
        area->setWidget(content);
        area->setWidgetResizable(true);
        area->setFrameShape(QFrame::NoFrame);
        area->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
        dock->setWidget(area);
    } else {
        dock->setWidget(content);
    }
    return dock;
}

} // namespace

MainWindow::MainWindow(ChatServer *server, QWidget *parent)
    : QMainWindow(parent)
    , m_server(server)
    , m_live(server)
    , m_state(new TimeViewState(this))
    , m_pullTimer(new QTimer(this))
{
    setWindowTitle(tr("LoopScope"));
    m_state->setOrigin(TraceClock::nowNs());
    m_state->advance(TraceClock::nowNs());
    m_live.restart(m_state->originNs());

    buildCentre();
    buildViewToolBar();
    buildDocks();
    connectPanels();
    buildMenus();

    // The coalescing pump: ~30 Hz, only new data, queued replots.
    m_pullTimer->setInterval(33);
    m_pullTimer->setTimerType(Qt::PreciseTimer);
    connect(m_pullTimer, &QTimer::timeout, this, &MainWindow::pullData);
    m_pullTimer->start();
}

MainWindow::~MainWindow() = default;

// Centre: the lesson bar, the legend, the two timelines and the counter plots, one time axis.
void MainWindow::buildCentre()
{
    auto *centre = new QWidget;
    auto *cl = new QVBoxLayout(centre);
    cl->setContentsMargins(4, 4, 4, 0);
    cl->setSpacing(2);
    m_lessonBar = new LessonBar;
    m_lessonBar->hide();
    cl->addWidget(m_lessonBar);
    cl->addWidget(new PhaseLegend);
    m_centre = new QSplitter(Qt::Vertical);
    m_centre->setObjectName(QStringLiteral("centreSplitter"));
    m_requestView = new TimelineView(TimelineView::Mode::Requests, &m_live.data(), m_state);
    m_requestView->setToolTip(QString());
    m_threadView = new TimelineView(TimelineView::Mode::Threads, &m_live.data(), m_state);
    m_plots = new CounterPlotsPanel(m_state);
    m_centre->addWidget(m_requestView);
    m_centre->addWidget(m_threadView);
    m_centre->addWidget(m_plots);
    // The plots take the largest share: five of them stack in the third pane.
    m_centre->setStretchFactor(0, 4);
    m_centre->setStretchFactor(1, 2);
    m_centre->setStretchFactor(2, 7);
    m_centre->setSizes({ 400, 200, 700 }); // scaled to the height the window gets
    m_centre->setChildrenCollapsible(false);
    cl->addWidget(m_centre, 1);
    setCentralWidget(centre);

    for (TimelineView *v : { m_requestView, m_threadView }) {
        connect(v, &TimelineView::requestSelected, this, &MainWindow::showSelected);
        connect(v, &TimelineView::rangeSelected, this,
                [this](qint64 from, qint64 to) { m_details->setHtml(rangeStatistics(from, to)); });
    }
}

// View controls live in a toolbar so the legend keeps the whole width.
void MainWindow::buildViewToolBar()
{
    QToolBar *tools = addToolBar(tr("View"));
    tools->setObjectName(QStringLiteral("viewToolBar"));
    tools->setMovable(false);
    auto *span = new QComboBox;
    span->setToolTip(tr("Width of the visible time window"));
    for (int s : { 2, 5, 10, 30, 60, 120, 300, 900 })
        span->addItem(s < 60 ? tr("%1 s window").arg(s) : tr("%1 min window").arg(s / 60), s);
    span->setCurrentIndex(3);
    connect(span, &QComboBox::activated, this,
            [this, span] { m_state->setSpan(qint64(span->currentData().toInt()) * 1'000'000'000); });
    m_followButton = new QToolButton;
    m_followButton->setText(tr("Follow live"));
    m_followButton->setCheckable(true);
    m_followButton->setChecked(true);
    m_followButton->setToolTip(tr("Keep the newest requests in view (zooming or panning pauses it)"));
    connect(m_followButton, &QToolButton::toggled, m_state, &TimeViewState::setFollowing);
    connect(m_state, &TimeViewState::followingChanged, m_followButton, &QToolButton::setChecked);
    auto *fit = new QToolButton;
    fit->setText(tr("Fit all"));
    fit->setToolTip(tr("Show everything recorded so far"));
    connect(fit, &QToolButton::clicked, this, &MainWindow::fitToData);
    tools->addWidget(new QLabel(tr(" Timeline: ")));
    tools->addWidget(m_followButton);
    tools->addWidget(fit);
    tools->addWidget(span);
    tools->addSeparator();
    m_runLabel = new QLabel;
    m_runLabel->setObjectName(QStringLiteral("shownRun"));
    m_runLabelAction = tools->addWidget(m_runLabel);
    auto *live = new QToolButton;
    live->setText(tr("Back to live"));
    live->setToolTip(tr("Leave the saved run and show the server again"));
    connect(live, &QToolButton::clicked, this, &MainWindow::showLive);
    m_liveAction = tools->addWidget(live);
    m_runLabelAction->setVisible(false);
    m_liveAction->setVisible(false);
    tools->addSeparator();
    auto *hint = new QLabel(tr("  wheel: zoom · Ctrl+wheel: rows · drag: pan · Shift+drag: range stats · "
                               "click: details · double-click: live"));
    hint->setEnabled(false);
    tools->addWidget(hint);
}

// Left: server, simulated users and runs. Right: chat and request details.
void MainWindow::buildDocks()
{
    m_serverPanel = new ServerControlPanel(m_server);
    m_usersPanel = new UsersPanel(m_server);
    m_chat = new ChatPanel(m_server);
    m_details = new QTextBrowser;
    m_details->setPlaceholderText(tr("Click a request in a timeline to see every timing."));
    auto *serverDock = makeDock(tr("Server"), QStringLiteral("serverDock"), m_serverPanel, this, true);
    auto *usersDock = makeDock(tr("Simulated users"), QStringLiteral("usersDock"), m_usersPanel, this, true);
    auto *chatDock = makeDock(tr("Chat"), QStringLiteral("chatDock"), m_chat, this, false);
    auto *detailsDock
        = makeDock(tr("Request details"), QStringLiteral("detailsDock"), m_details, this, false);
    addDockWidget(Qt::LeftDockWidgetArea, serverDock);
    addDockWidget(Qt::LeftDockWidgetArea, usersDock);
    addDockWidget(Qt::RightDockWidgetArea, chatDock);
    addDockWidget(Qt::RightDockWidgetArea, detailsDock);
    m_runs = new RunsPanel;
    m_store = RunStore(m_runs);
    auto *runsDock = makeDock(tr("Runs"), QStringLiteral("runsDock"), m_runs, this, false);
    addDockWidget(Qt::LeftDockWidgetArea, runsDock);
    tabifyDockWidget(usersDock, runsDock);
    usersDock->raise();
    connect(m_runs, &RunsPanel::showRequested, this, &MainWindow::showRun);
    connect(m_runs, &RunsPanel::replayRequested, this, [this](int row) { startLesson(row); });
    m_lesson = new LessonController(&m_runData, m_lessonBar, m_plots, { m_requestView, m_threadView }, this);
    connect(m_lessonBar, &LessonBar::largeFontsToggled, this, &MainWindow::setLargeFonts);
    connect(m_lessonBar, &LessonBar::exitRequested, this, &MainWindow::stopLesson);
    connect(m_runs, &RunsPanel::compareRequested, this, &MainWindow::compareRuns);
    connect(m_runs, &RunsPanel::openRequested, this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open run"), documentsDir(),
                                                          tr("LoopScope runs (run.json *.json)"));
        QString error;
        if (!path.isEmpty() && !openRun(path, &error))
            QMessageBox::warning(this, tr("Open run"), tr("Cannot open %1: %2").arg(path, error));
    });
    connect(m_runs, &RunsPanel::saveRequested, this, [this](int row) {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Save run"), documentsDir() + QStringLiteral("/run.json"), tr("LoopScope run (*.json)"));
        QString error;
        if (!path.isEmpty() && !saveRun(row, path, &error))
            QMessageBox::warning(this, tr("Save run"), error);
    });
    connect(m_runs, &RunsPanel::exportRequested, this, [this](int row) {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Export report to"), documentsDir());
        if (dir.isEmpty() || row < 0 || row >= m_runs->count())
            return;
        // On a worker thread: a 100,000-request run takes seconds to write.
        auto *exporter = new ReportExporter(this);
        exporter->showProgress(this);
        connect(exporter, &ReportExporter::finished, this,
                [this, exporter, dir](bool ok, const QStringList &written, const QString &error) {
                    if (ok)
                        statusBar()->showMessage(tr("%1 file(s) written to %2").arg(written.size()).arg(dir),
                                                 6000);
                    else
                        QMessageBox::warning(this, tr("Export report"), error);
                    exporter->deleteLater();
                });
        exporter->start(*m_runs->at(row).run, dir);
    });
    resizeDocks({ serverDock, usersDock }, { 340, 340 }, Qt::Horizontal);
    resizeDocks({ chatDock, detailsDock }, { 380, 380 }, Qt::Horizontal);
    resizeDocks({ chatDock, detailsDock }, { 640, 260 }, Qt::Vertical);
    resizeDocks({ serverDock, usersDock }, { 490, 450 }, Qt::Vertical);
}

// The status bar, and the panels talking to each other through the window.
void MainWindow::connectPanels()
{
    m_stats = new QLabel;
    statusBar()->addPermanentWidget(m_stats);
    for (auto *src : { static_cast<QObject *>(m_serverPanel), static_cast<QObject *>(m_usersPanel) }) {
        if (auto *p = qobject_cast<ServerControlPanel *>(src))
            connect(p, &ServerControlPanel::message, this,
                    [this](const QString &t) { statusBar()->showMessage(t, 6000); });
        if (auto *p = qobject_cast<UsersPanel *>(src))
            connect(p, &UsersPanel::message, this,
                    [this](const QString &t) { statusBar()->showMessage(t, 6000); });
    }
    connect(m_serverPanel, &ServerControlPanel::serverStarted, this, &MainWindow::onServerStarted);
    connect(m_usersPanel, &UsersPanel::serverConfigRequested, m_serverPanel,
            &ServerControlPanel::applyScenarioConfig);
    // Direct: a restart begun by serverConfigRequested is known before startRun goes on.
    connect(m_serverPanel, &ServerControlPanel::busyChanged, m_usersPanel, &UsersPanel::setServerBusy);
    connect(m_usersPanel, &UsersPanel::runFinished, this, [this] {
        pullData();
        joinClientSends();
        captureLoadRun();
    });
}

void MainWindow::onServerStarted()
{
    if (m_live.isEmpty() && !isShowingRun()) {
        m_live.restart(m_server->startedNs());
        m_state->setOrigin(m_live.originNs());
        m_state->advance(TraceClock::nowNs());
    }
}

void MainWindow::pullData()
{
    QElapsedTimer timer;
    timer.start();
    // During a stop or restart (off the GUI thread) the server's thread list is changing: treat it
    // as not serving. The recorder and counter series outlive restarts and stay safe to read.
    const bool running = !m_serverPanel->isBusy() && m_server->isRunning();
    const qint64 now = TraceClock::nowNs();
    const TimelineData &live = m_live.data();
    if (isShowingRun()) {
        // The recorder keeps being read (it is a ring); the plots catch up on "Back to live".
        m_live.pullRecords();
        m_stats->setText(tr("showing a saved run · %1 live requests recorded").arg(live.size()));
        return;
    }
    // While users run, their send times join a few times a second; once they are done (and
    // joined on runFinished) every second can be summarised.
    const LiveFeed::Pull pulled = m_live.pull(now, running && m_usersPanel->isRunning());
    if (!pulled.latency.isEmpty())
        m_plots->appendLatency(pulled.latency);
    if (!pulled.samples.isEmpty())
        m_plots->appendSamples(pulled.samples);
    const bool changed = pulled.changed, sampled = !pulled.samples.isEmpty();
    m_plots->syncScaleEvents(m_server->scaleEvents()); // the auto-scaling supervisor's decisions
    // While serving, the axes follow the clock; once stopped they rest on the last data.
    const qint64 liveEdge = m_live.liveEdge(running, now);
    for (TimelineView *v : { m_requestView, m_threadView })
        v->setNow(liveEdge);
    if (m_state->following() && (running || changed || sampled)) {
        m_state->advance(liveEdge + (running ? 0 : 500'000'000)); // repaints views and replots
    } else if (changed || sampled) {
        m_requestView->update();
        m_threadView->update();
        m_plots->refresh();
    }
    if (changed && m_selected >= 0 && m_selected < live.size() && !live.at(m_selected).finished())
        showSelected(m_selected);
    if (m_usersPanel->isRunning() && m_live.takeJoinDue(now))
        joinClientSends();
    const CounterSample c = sampled ? pulled.samples.last() : CounterSample {};
    m_stats->setText(tr("%1 requests · %2 in flight · %3 waiting · pull %4 ms")
                         .arg(live.size())
                         .arg(c.inFlight)
                         .arg(c.waiting)
                         .arg(double(timer.nsecsElapsed()) / 1e6, 0, 'f', 1));
}

void MainWindow::captureLoadRun()
{
    m_store.captureLoad(m_usersPanel, m_server, m_live.data().records());
}

void MainWindow::addRun(const SessionRun &run)
{
    m_store.add(run);
}

bool MainWindow::openRun(const QString &path, QString *error)
{
    int variants = 0;
    const int first = m_store.open(path, &variants, error);
    if (first < 0)
        return false;
    m_runs->select({ first });
    showRun(first);
    statusBar()->showMessage(tr("Opened %1 (%2 variant(s))").arg(path).arg(variants), 6000);
    return true;
}

bool MainWindow::saveRun(int row, const QString &path, QString *error) const
{
    return m_store.save(row, path, error);
}

bool MainWindow::exportReport(int row, const QString &dir, QStringList *written, QString *error) const
{
    return m_store.exportReport(row, dir, written, error);
}

int MainWindow::currentRunRow() const
{
    const QList<int> rows = m_runs->selectedRows();
    if (!rows.isEmpty())
        return rows.first();
    return int(m_runs->count()) - 1;
}

void MainWindow::setShown(TimelineData *data)
{
    m_shown = data;
    m_requestView->setData(data);
    m_threadView->setData(data);
    m_selected = -1;
    m_details->clear();
    const bool run = data != &m_live.data();
    m_runLabelAction->setVisible(run);
    m_liveAction->setVisible(run);
    m_followButton->setEnabled(!run);
}

void MainWindow::showRun(int row)
{
    if (row < 0 || row >= m_runs->count())
        return;
    const SessionRun &run = m_runs->at(row);
    const VariantResult &v = run.variant();
    SessionRuns::fill(v, &m_runData);
    m_state->setFollowing(false);
    m_state->setOrigin(v.startNs);
    setShown(&m_runData);
    m_plots->clear();
    m_plots->setLaneKinds(v.threadKinds);
    m_plots->appendSamples(v.counters);
    m_plots->setScaleEvents(v.scaleEvents);
    m_plots->appendLatency(LatencySeries::ofRun(v));
    qint64 end = std::max(v.endNs, m_runData.latestNs());
    for (const ClientRecord &c : v.client) {
        if (c.finished())
            end = std::max(end, c.completeNs);
    }
    for (TimelineView *view : { m_requestView, m_threadView })
        view->setNow(end);
    m_runLabel->setText(tr("  Showing run: <b>%1</b>  ").arg(run.title.toHtmlEscaped()));
    fitToData();
    m_plots->refresh();
}

void MainWindow::startLesson(int row, double speed)
{
    if (row < 0 || row >= m_runs->count())
        return;
    showRun(row); // the whole run's axes, so the bars grow in place as the playhead moves
    const SessionRun run = m_runs->at(row);
    m_lesson->start(run, speed);
    m_runLabel->setText(tr("  Lesson: <b>%1</b>  ").arg(run.title.toHtmlEscaped()));
}

void MainWindow::stopLesson()
{
    m_lesson->stop();
    m_plots->setPlayhead(0);
    showLive();
}

LessonPlayer *MainWindow::lessonPlayer() const
{
    return m_lesson->player();
}

void MainWindow::setLargeFonts(bool on)
{
    if (m_baseFontPt <= 0)
        m_baseFontPt = QApplication::font().pointSizeF();
    m_largeFonts = on;
    QFont f = QApplication::font();
    f.setPointSizeF(m_baseFontPt * (on ? 1.4 : 1.0));
    QApplication::setFont(f);
    m_lessonBar->setLargeFonts(on);
}

void MainWindow::showLive()
{
    m_lesson->stop();
    if (!isShowingRun())
        return;
    m_state->setOrigin(m_live.originNs());
    setShown(&m_live.data());
    // Read the counters again from the start and recompute the live latencies.
    m_plots->clear();
    m_live.replay();
    m_state->setFollowing(true);
    pullData();
}

RunComparisonView *MainWindow::compareRuns(int a, int b)
{
    if (a < 0 || b < 0 || a >= m_runs->count() || b >= m_runs->count())
        return nullptr;
    auto *view = new RunComparisonView(this);
    view->setWindowFlag(Qt::Window);
    view->setAttribute(Qt::WA_DeleteOnClose);
    view->setRuns(m_runs->at(a), m_runs->at(b));
    view->show();
    return view;
}

void MainWindow::joinClientSends()
{
    const QList<ClientRecord> records = m_usersPanel->generator()->snapshot();
    QHash<quint64, qint64> sent;
    sent.reserve(records.size());
    for (const ClientRecord &r : records) {
        if (r.sentNs > 0)
            sent.insert(r.tag, r.sentNs);
    }
    if (m_live.joinClientSends(sent)) {
        m_requestView->update();
        m_threadView->update();
    }
}

QString MainWindow::rangeStatistics(qint64 fromNs, qint64 toNs) const
{
    const TimelineData &d = *m_shown;
    LatencyStats total, ttft, wait;
    quint64 arrived = 0, ok = 0, failed = 0, inFlight = 0;
    std::array<quint64, 3> byMode {};
    for (qsizetype i = d.lowerBoundArrival(fromNs); i < d.size() && d.at(i).arrivedNs < toNs; ++i) {
        const RequestRecord &r = d.at(i);
        ++arrived;
        byMode[size_t(r.mode)]++;
        if (!r.finished()) {
            ++inFlight;
            continue;
        }
        (r.status >= 200 && r.status < 300 ? ok : failed)++;
        const qint64 start = d.barStartNs(i);
        total.record(r.respondedNs - start);
        if (r.firstTokenNs > 0)
            ttft.record(r.firstTokenNs - start);
        if (r.startedNs > 0)
            wait.record(r.startedNs - start);
    }
    const double seconds = double(toNs - fromNs) / 1e9;
    QString html = tr("<b>Range %1 s – %2 s</b> (%3 s)<br>")
                       .arg(m_state->toSeconds(fromNs), 0, 'f', 3)
                       .arg(m_state->toSeconds(toNs), 0, 'f', 3)
                       .arg(seconds, 0, 'f', 3);
    html += tr("%1 requests arrived (%2/s) · %3 ok · %4 failed · %5 still in flight<br>")
                .arg(arrived)
                .arg(arrived / std::max(seconds, 1e-9), 0, 'f', 1)
                .arg(ok)
                .arg(failed)
                .arg(inFlight);
    html += tr("modes: %1 blocking · %2 executor · %3 async").arg(byMode[0]).arg(byMode[1]).arg(byMode[2]);
    html += QStringLiteral(
        "<table cellspacing=0 cellpadding=2><tr><th></th><th align=right>p50</th><th align=right>p95</th>"
        "<th align=right>p99</th><th align=right>max</th></tr>");
    auto row = [&html](const QString &name, const LatencyStats &s) {
        if (s.count() == 0)
            return;
        const PercentileSummary p = s.summary();
        html += QStringLiteral("<tr><td>%1&nbsp;</td><td align=right>%2</td><td align=right>%3</td><td "
                               "align=right>%4</td>"
                               "<td align=right>%5</td></tr>")
                    .arg(name)
                    .arg(p.p50Ms, 0, 'f', 1)
                    .arg(p.p95Ms, 0, 'f', 1)
                    .arg(p.p99Ms, 0, 'f', 1)
                    .arg(p.maxMs, 0, 'f', 1);
    };
    row(tr("total (ms)"), total);
    row(tr("first token (ms)"), ttft);
    row(tr("wait before start (ms)"), wait);
    html += QStringLiteral("</table>");
    html += tr("<small>Latencies from the client's send time where known, else from the server's read. "
               "Shift+drag selects a range; a click clears it.</small>");
    return html;
}

void MainWindow::fitToData()
{
    const TimelineData &d = *m_shown;
    if (d.size() == 0)
        return;
    qint64 first = d.barStartNs(0);
    for (qsizetype i = 1; i < std::min<qsizetype>(d.size(), 4096); ++i)
        first = std::min(first, d.barStartNs(i));
    const qint64 last = std::max(d.latestNs(), first + 1'000'000);
    const qint64 span = last - first;
    m_state->setUserRange(first - span / 40, span + span / 20);
    m_requestView->followRows();
}

void MainWindow::showSelected(qsizetype index)
{
    const TimelineData &d = *m_shown;
    m_selected = index;
    m_requestView->setSelected(index);
    m_threadView->setSelected(index);
    if (index < 0 || index >= d.size()) {
        m_details->clear();
        return;
    }
    m_details->setHtml(m_requestView->describe(index));
}

QStringList MainWindow::exportPlots(const QString &dir, const QString &suffix)
{
    QStringList written;
    for (CounterPlot *p : m_plots->plots()) {
        QString name = p->title().toLower();
        name.replace(QRegularExpression(QStringLiteral("[^a-z0-9]+")), QStringLiteral("-"));
        const QString path = QDir(dir).filePath(name + QLatin1Char('.') + suffix);
        if (p->exportTo(path))
            written << path;
    }
    return written;
}

void MainWindow::buildMenus()
{
    // The model chosen last time (simulated unless a provider was saved); the key comes from the
    // keychain or its environment variable, never from the settings file.
    QString llmError;
    if (!LlmSettingsDialog::install(m_server, LlmSettingsDialog::savedChoice(), &llmError))
        statusBar()->showMessage(
            tr("Language model not set up: %1 (Server > Language model…)").arg(llmError));

    QMenu *file = menuBar()->addMenu(tr("&File"));
    for (const QString &fmt : { QStringLiteral("PNG"), QStringLiteral("PDF"), QStringLiteral("SVG") }) {
        file->addAction(tr("Export all plots as %1…").arg(fmt), this, [this, fmt] {
            const QString dir
                = QFileDialog::getExistingDirectory(this, tr("Export plots to"), documentsDir());
            if (!dir.isEmpty()) {
                const QStringList files = exportPlots(dir, fmt.toLower());
                statusBar()->showMessage(tr("%1 plot(s) written to %2").arg(files.size()).arg(dir), 6000);
            }
        });
    }
    file->addSeparator();
    file->addAction(tr("&Open run…"), QKeySequence::Open, m_runs, &RunsPanel::openRequested);
    // Outside services' OpenTelemetry traces, drawn live from the same recorder; kept as a run.
    file->addAction(tr("Observe services (OTLP)…"), this, [this] {
        auto *dialog = findChild<ObserveDialog *>();
        if (!dialog) {
            dialog = new ObserveDialog(m_server->recorder(), this);
            connect(dialog, &ObserveDialog::runFinished, this, [this](const RunResult &run) {
                const int first = int(m_runs->count());
                for (const SessionRun &r : SessionRuns::fromRunResult(run, tr("observed")))
                    addRun(r);
                if (m_runs->count() > first)
                    m_runs->select({ first });
            });
        }
        dialog->show();
        dialog->raise();
        dialog->activateWindow();
    });
    file->addAction(tr("&Save run…"), QKeySequence::Save, this, [this] {
        if (m_runs->count() > 0)
            emit m_runs->saveRequested(currentRunRow());
    });
    file->addAction(tr("Export &report (HTML, PDF, CSV, JSON, trace)…"), this, [this] {
        if (m_runs->count() > 0)
            emit m_runs->exportRequested(currentRunRow());
    });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    QAction *dark = view->addAction(tr("&Dark palette"));
    dark->setCheckable(true);
    dark->setChecked(m_dark);
    connect(dark, &QAction::toggled, this, &MainWindow::setDarkTheme);
    QAction *follow = view->addAction(tr("&Follow live"));
    follow->setShortcut(Qt::Key_F);
    connect(follow, &QAction::triggered, this, [this] {
        m_state->setFollowing(true);
        m_requestView->followRows();
    });
    QAction *large = view->addAction(tr("&Large fonts (classroom)"));
    large->setCheckable(true);
    connect(large, &QAction::toggled, this, &MainWindow::setLargeFonts);
    connect(m_lessonBar, &LessonBar::largeFontsToggled, large, [large](bool on) {
        const QSignalBlocker block(large);
        large->setChecked(on);
    });
    view->addAction(tr("Lesson &replay of the selected run"), QKeySequence(Qt::CTRL | Qt::Key_L), this,
                    [this] {
                        if (m_runs->count() > 0)
                            startLesson(currentRunRow());
                    });
    QMenu *language = view->addMenu(tr("Lan&guage"));
    auto *languages = new QActionGroup(language);
    const QString chosen = QSettings().value(QStringLiteral("view/language")).toString();
    for (const auto &[code, name] : { std::pair { QString(), tr("System default") },
                                      std::pair { QStringLiteral("en"), QStringLiteral("English") },
                                      std::pair { QStringLiteral("zh_CN"), QStringLiteral("简体中文") } }) {
        QAction *a = language->addAction(name);
        a->setCheckable(true);
        a->setChecked(code == chosen);
        languages->addAction(a);
        connect(a, &QAction::triggered, this, [this, code] {
            QSettings().setValue(QStringLiteral("view/language"), code);
            QMessageBox::information(this, tr("Language"),
                                     tr("The new language applies when LoopScope starts again."));
        });
    }
    view->addSeparator();
    for (QDockWidget *d : findChildren<QDockWidget *>())
        view->addAction(d->toggleViewAction());

    QMenu *serverMenu = menuBar()->addMenu(tr("&Server"));
    serverMenu->addAction(tr("&Language model…"), this, [this] {
        LlmSettingsDialog dialog(m_server, this);
        if (dialog.exec() == QDialog::Accepted)
            statusBar()->showMessage(tr("Model: %1").arg(dialog.choice().describe()), 8000);
    });

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("How to read the timeline"), this, [this] {
        QMessageBox::information(
            this, tr("Reading the timeline"),
            tr("<p><b>Requests</b>: one row per request in arrival order; colours show "
               "what it was doing.</p><p><b>Threads</b>: one lane per worker loop and pool "
               "thread. A red strip on a worker lane means that loop was blocked and could "
               "not accept or answer anyone.</p><p>Wheel: zoom time · Ctrl+wheel: zoom rows · "
               "drag: pan · Shift+drag: statistics of a time range · click: select · double-click or F: "
               "follow live.</p>"));
    });
    help->addAction(tr("About LoopScope"), this, [this] {
        QMessageBox::about(this, tr("About LoopScope"),
                           tr("LoopScope %1: see concurrency in a chat/LLM server.")
                               .arg(QCoreApplication::applicationVersion()));
    });
}

void MainWindow::setDarkTheme(bool dark)
{
    m_dark = dark;
    Theme::apply(dark);
}

void MainWindow::restoreSettings()
{
    QSettings s;
    restoreGeometry(s.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(s.value(QStringLiteral("window/state")).toByteArray());
    m_centre->restoreState(s.value(QStringLiteral("window/centre")).toByteArray());
    setDarkTheme(s.value(QStringLiteral("view/dark"), true).toBool());
    if (s.value(QStringLiteral("view/largeFonts"), false).toBool())
        setLargeFonts(true);
    ServerConfig c = m_serverPanel->config();
    bool ok = false;
    DispatchMode mode;
    if (parseDispatchMode(s.value(QStringLiteral("server/mode")).toString(), &mode))
        c.mode = mode;
    c.workers = s.value(QStringLiteral("server/workers"), c.workers).toInt(&ok);
    c.poolSize = s.value(QStringLiteral("server/poolSize"), c.poolSize).toInt();
    c.dbReadSeconds = s.value(QStringLiteral("server/dbRead"), c.dbReadSeconds).toDouble();
    c.llm.latency.mean = s.value(QStringLiteral("server/llm"), c.llm.latency.mean).toDouble();
    c.dbWriteSeconds = s.value(QStringLiteral("server/dbWrite"), c.dbWriteSeconds).toDouble();
    c.timeScale = s.value(QStringLiteral("server/timeScale"), c.timeScale).toDouble();
    c.maxInFlight = s.value(QStringLiteral("server/maxInFlight"), c.maxInFlight).toInt();
    c.port = quint16(s.value(QStringLiteral("server/port"), c.port).toInt());
    m_serverPanel->setConfig(c);
}

void MainWindow::saveSettings() const
{
    QSettings s;
    s.setValue(QStringLiteral("window/geometry"), saveGeometry());
    s.setValue(QStringLiteral("window/state"), saveState());
    s.setValue(QStringLiteral("window/centre"), m_centre->saveState());
    s.setValue(QStringLiteral("view/dark"), m_dark);
    s.setValue(QStringLiteral("view/largeFonts"), m_largeFonts);
    const ServerConfig c = m_serverPanel->config();
    s.setValue(QStringLiteral("server/mode"), dispatchModeName(c.mode));
    s.setValue(QStringLiteral("server/workers"), c.workers);
    s.setValue(QStringLiteral("server/poolSize"), c.poolSize);
    s.setValue(QStringLiteral("server/dbRead"), c.dbReadSeconds);
    s.setValue(QStringLiteral("server/llm"), c.llm.latency.mean);
    s.setValue(QStringLiteral("server/dbWrite"), c.dbWriteSeconds);
    s.setValue(QStringLiteral("server/timeScale"), c.timeScale);
    s.setValue(QStringLiteral("server/maxInFlight"), c.maxInFlight);
    s.setValue(QStringLiteral("server/port"), int(c.port));
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    if (m_usersPanel->isRunning())
        m_usersPanel->stopRun();
    m_chat->stop();
    m_serverPanel->stopServerNow(); // closing: nothing may be left running
    event->accept();
}
