#include "mainwindow.h"

#include "chat/chatpanel.h"
#include "gui/observedialog.h"
#include "gui/observepanel.h"
#include "gui/rangedescription.h"
#include "gui/theme.h"
#include "gui/viewtoolbar.h"
#include "gui/windowactions.h"
#include "gui/windowsettings.h"
#include "http/chatserver.h"
#include "lesson/lessonbar.h"
#include "lesson/lessoncontroller.h"
#include "lesson/lessonplayer.h"
#include "plots/counterplotspanel.h"
#include "plots/latencyseries.h"
#include "runs/clientcolourmenu.h"
#include "runs/recordingcontroller.h"
#include "runs/runcomparisonview.h"
#include "runs/runspanel.h"
#include "server/servercontrolpanel.h"
#include "timeline/requestrowmodel.h"
#include "timeline/threadlanemodel.h"
#include "timelineview/phaselegend.h"
#include "timelineview/timelineview.h"
#include "timelineview/timeviewstate.h"
#include "users/userspanel.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QLabel>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace {

// A dock holding `content`, added to `area` of the window.
QDockWidget *makeDock(const QString &title, const QString &name, QWidget *content, QMainWindow *parent,
                      Qt::DockWidgetArea area)
{
    auto *dock = new QDockWidget(title, parent);
    dock->setObjectName(name);
    dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable
                      | QDockWidget::DockWidgetClosable);
    dock->setWidget(content);
    parent->addDockWidget(area, dock);
    return dock;
}

} // namespace

MainWindow::MainWindow(ChatServer *server, QWidget *parent)
    : QMainWindow(parent)
    , m_server(server)
    , m_state(new TimeViewState(this))
    , m_live(new LiveController(server, m_state, this))
    , m_shown(&m_live->data())
{
    setWindowTitle(tr("LoopScope"));
    buildCentre();
    m_toolBar = new ViewToolBar(m_state, this);
    addToolBar(m_toolBar);
    connect(m_toolBar, &ViewToolBar::fitRequested, this, &MainWindow::fitToData);
    connect(m_toolBar, &ViewToolBar::liveRequested, this, &MainWindow::showLive);
    buildDocks();
    connectPanels();
    new WindowActions(this);
    m_live->start({ m_serverPanel, m_usersPanel, m_plots, m_requestView, m_threadView, m_stats });
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
    m_requestView = new TimelineView(std::make_unique<RequestRowModel>(), &m_live->data(), m_state);
    m_requestView->setToolTip(QString());
    m_threadView = new TimelineView(std::make_unique<ThreadLaneModel>(), &m_live->data(), m_state);
    m_plots = new CounterPlotsPanel(m_state);
    m_centre->addWidget(m_requestView);
    m_centre->addWidget(m_threadView);
    m_centre->addWidget(m_plots);
    // The plots take the largest share: five of them stack in the third pane.
    m_centre->setStretchFactor(0, 4);
    m_centre->setStretchFactor(1, 2);
    m_centre->setStretchFactor(2, 7);
    m_centre->setSizes({ 330, 170, 800 }); // scaled to the height the window gets
    m_centre->setChildrenCollapsible(false);
    cl->addWidget(m_centre, 1);
    setCentralWidget(centre);

    for (TimelineView *v : { m_requestView, m_threadView }) {
        connect(v, &TimelineView::requestSelected, this, &MainWindow::showSelected);
        connect(v, &TimelineView::rangeSelected, this,
                [this](qint64 from, qint64 to) { m_details->setHtml(rangeStatistics(from, to)); });
        connect(v, &TimelineView::leftMarginChanged, m_plots, &CounterPlotsPanel::setLeftMargin);
        connect(v, &TimelineView::leftMarginChanged, v == m_requestView ? m_threadView : m_requestView,
                &TimelineView::setLeftMargin);
    }
}

// Left: server, simulated users and runs. Right: chat and request details.
void MainWindow::buildDocks()
{
    m_serverPanel = new ServerControlPanel(m_server);
    m_usersPanel = new UsersPanel(m_server);
    m_chat = new ChatPanel(m_server);
    m_details = new QTextBrowser;
    m_details->setPlaceholderText(tr("Click a request in a timeline to see every timing."));
    const auto left = Qt::LeftDockWidgetArea, right = Qt::RightDockWidgetArea;
    m_serverDock = makeDock(tr("Server"), QStringLiteral("serverDock"), m_serverPanel, this, left);
    m_usersDock = makeDock(tr("Simulated users"), QStringLiteral("usersDock"), m_usersPanel, this, left);
    auto *chatDock = makeDock(tr("Chat"), QStringLiteral("chatDock"), m_chat, this, right);
    auto *detailsDock
        = makeDock(tr("Request details"), QStringLiteral("detailsDock"), m_details, this, right);
    m_runs = new RunsPanel;
    m_store = RunStore(m_runs);
    auto *runsDock = makeDock(tr("Runs"), QStringLiteral("runsDock"), m_runs, this, left);
    tabifyDockWidget(m_usersDock, runsDock);
    m_usersDock->raise();
    connect(m_runs, &RunsPanel::showRequested, this, &MainWindow::showRun);
    connect(m_runs, &RunsPanel::replayRequested, this, [this](int row) { startLesson(row); });
    m_lesson = new LessonController(&m_runData, m_lessonBar, m_plots, { m_requestView, m_threadView }, this);
    connect(m_lessonBar, &LessonBar::largeFontsToggled, this, &MainWindow::setLargeFonts);
    connect(m_lessonBar, &LessonBar::exitRequested, this, &MainWindow::stopLesson);
    resizeDocks({ m_serverDock, chatDock }, { 340, 380 }, Qt::Horizontal);
    resizeDocks({ chatDock, detailsDock }, { 640, 260 }, Qt::Vertical);
    resizeDocks({ m_serverDock, m_usersDock }, { 560, 400 }, Qt::Vertical);
}

QDockWidget *MainWindow::addLeftPanel(const QString &title, const QString &objectName, QWidget *content)
{
    QDockWidget *dock = makeDock(title, objectName, content, this, Qt::LeftDockWidgetArea);
    dock->hide();
    return dock;
}

void MainWindow::showLeftPanels(const QList<QDockWidget *> &docks)
{
    for (QDockWidget *d : findChildren<QDockWidget *>()) {
        if (dockWidgetArea(d) == Qt::LeftDockWidgetArea && d->objectName() != QLatin1String("runsDock"))
            d->setVisible(docks.contains(d));
    }
}

QList<QDockWidget *> MainWindow::servingPanels() const
{
    return { m_serverDock, m_usersDock };
}

// The status bar, and the panels talking to each other through the window.
void MainWindow::connectPanels()
{
    m_stats = new QLabel;
    statusBar()->addPermanentWidget(m_stats);
    const auto toStatusBar
        = [this](int ms) { return [this, ms](const QString &t) { statusBar()->showMessage(t, ms); }; };
    connect(m_serverPanel, &ServerControlPanel::message, this, toStatusBar(6000));
    connect(m_usersPanel, &UsersPanel::message, this, toStatusBar(6000));
    connect(m_serverPanel, &ServerControlPanel::serverStarted, m_live, &LiveController::serverStarted);
    // Record/Stop: whatever load reaches the server becomes a run in the Runs dock (issue #23).
    auto *recording = new RecordingController(m_server, m_serverPanel, this);
    connect(recording, &RecordingController::message, this, toStatusBar(8000));
    connect(recording, &RecordingController::recorded, this, [this](const RunResult &run) {
        const int first = int(m_runs->count());
        for (const SessionRun &r : SessionRuns::fromRunResult(run, tr("recorded")))
            addRun(r);
        m_runs->select({ first });
        showRun(first);
    });
    connect(m_usersPanel, &UsersPanel::serverConfigRequested, m_serverPanel,
            &ServerControlPanel::applyScenarioConfig);
    // Direct: a restart begun by serverConfigRequested is known before startRun goes on.
    connect(m_serverPanel, &ServerControlPanel::busyChanged, m_usersPanel, &UsersPanel::setServerBusy);
    connect(m_usersPanel, &UsersPanel::runFinished, this, [this] {
        pullData();
        joinClientSends();
        m_store.captureLoad(m_usersPanel, m_server, m_live->data().records());
    });
    // A selected request still in flight is described again as it progresses.
    connect(m_live, &LiveController::recordsChanged, this, [this] {
        const TimelineData &live = m_live->data();
        if (m_selected >= 0 && m_selected < live.size() && !live.at(m_selected).finished())
            showSelected(m_selected);
    });
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
    m_live->setShowingRun(data != &m_live->data());
    if (!isShowingRun())
        m_toolBar->setShownRun(QString());
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
    m_toolBar->setShownRun(
        tr("  Showing run: <b>%1</b>  ").arg(run.title.toHtmlEscaped())
        + (v.isServerSideOnly() ? tr("(client side not measured: recorded server-side)  ") : QString()));
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
    m_toolBar->setShownRun(tr("  Lesson: <b>%1</b>  ").arg(run.title.toHtmlEscaped()));
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
    const bool changed = on != m_largeFonts;
    m_largeFonts = on;
    QFont f = QApplication::font();
    f.setPointSizeF(m_baseFontPt * (on ? 1.4 : 1.0));
    QApplication::setFont(f);
    m_lessonBar->setLargeFonts(on);
    if (changed)
        emit largeFontsChanged(on);
}

void MainWindow::showLive()
{
    m_lesson->stop();
    if (!isShowingRun())
        return;
    setShown(&m_live->data());
    m_live->resume();
}

RunComparisonView *MainWindow::compareRuns(int a, int b)
{
    const bool valid = a >= 0 && b >= 0 && a < m_runs->count() && b < m_runs->count();
    return valid ? RunComparisonView::open(m_runs->at(a), m_runs->at(b), this) : nullptr;
}

QString MainWindow::rangeStatistics(qint64 fromNs, qint64 toNs) const
{
    return RangeDescription::describe(*m_shown, *m_state, fromNs, toNs);
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
    return m_plots->exportAll(dir, suffix);
}

void MainWindow::setDarkTheme(bool dark)
{
    const bool changed = dark != m_dark;
    m_dark = dark;
    Theme::apply(dark);
    if (changed)
        emit darkThemeChanged(dark);
}

void MainWindow::setLanguage(const QString &code)
{
    if (code == m_language)
        return;
    m_language = code;
    emit languageChanged(code);
}

void MainWindow::restoreSettings()
{
    WindowSettings::read(QSettings()).applyTo(this);
}

void MainWindow::saveSettings() const
{
    QSettings settings;
    WindowSettings::of(this).write(settings);
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
