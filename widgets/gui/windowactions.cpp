#include "windowactions.h"

#include "export/reportexporter.h"
#include "gui/observedialog.h"
#include "gui/observepanel.h"
#include "http/chatserver.h"
#include "lesson/lessonbar.h"
#include "mainwindow.h"
#include "runs/clientcolourmenu.h"
#include "runs/runspanel.h"
#include "server/llmsettingsdialog.h"
#include "timeline/timelineview.h"
#include "timeline/timeviewstate.h"

#include <QActionGroup>
#include <QApplication>
#include <QDockWidget>
#include <QFileDialog>
#include <QMenuBar>
#include <QMessageBox>
#include <QStandardPaths>
#include <QStatusBar>

namespace {

// Where file dialogs start: the user's documents, never the directory the program was started in
// (from a desktop menu that may be / or the install prefix).
QString documentsDir()
{
    return QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
}

} // namespace

WindowActions::WindowActions(MainWindow *window)
    : QObject(window)
    , m_window(window)
{
    QMenuBar *bar = window->menuBar();
    buildFile(bar->addMenu(tr("&File")));
    buildView(bar->addMenu(tr("&View")));
    buildServer(bar->addMenu(tr("&Server")));
    buildHelp(bar->addMenu(tr("&Help")));
    connectRuns();
}

void WindowActions::buildFile(QMenu *file)
{
    MainWindow *w = m_window;
    RunsPanel *runs = w->runsPanel();
    for (const QString &fmt : { QStringLiteral("PNG"), QStringLiteral("PDF"), QStringLiteral("SVG") }) {
        file->addAction(tr("Export all plots as %1…").arg(fmt), this, [w, fmt] {
            const QString dir = QFileDialog::getExistingDirectory(w, tr("Export plots to"), documentsDir());
            if (!dir.isEmpty()) {
                const QStringList files = w->exportPlots(dir, fmt.toLower());
                w->statusBar()->showMessage(tr("%1 plot(s) written to %2").arg(files.size()).arg(dir), 6000);
            }
        });
    }
    file->addSeparator();
    file->addAction(tr("&Open run…"), QKeySequence::Open, runs, &RunsPanel::openRequested);
    // Outside services' OpenTelemetry traces, drawn live from the same recorder; kept as a run.
    QAction *observe = file->addAction(tr("Observe services (OTLP)…"), this, [w, runs] {
        auto *dialog = w->findChild<ObserveDialog *>();
        if (!dialog) {
            dialog = new ObserveDialog(w->server()->recorder(), w);
            // The observe layout while receiving; requests it moved are read again.
            ObservePanel *panel = ObservePanel::attach(w, dialog, w->plots());
            connect(panel, &ObservePanel::publishedTimesMoved, w, &MainWindow::rereadLiveRecords);
            connect(dialog, &ObserveDialog::runFinished, w, [w, runs](const RunResult &run) {
                const int first = int(runs->count());
                for (const SessionRun &r : SessionRuns::fromRunResult(run, tr("observed")))
                    w->addRun(r);
                if (runs->count() > first)
                    runs->select({ first });
            });
        }
        dialog->show();
        dialog->raise();
        dialog->activateWindow();
    });
    observe->setObjectName(QStringLiteral("observeAction")); // loopscope --observe triggers it
    file->addAction(tr("&Save run…"), QKeySequence::Save, this, [w, runs] {
        if (runs->count() > 0)
            emit runs->saveRequested(w->currentRunRow());
    });
    file->addAction(tr("Export &report (HTML, PDF, CSV, JSON, trace)…"), this, [w, runs] {
        if (runs->count() > 0)
            emit runs->exportRequested(w->currentRunRow());
    });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, w, &QWidget::close);
}

void WindowActions::buildView(QMenu *view)
{
    MainWindow *w = m_window;
    QAction *dark = view->addAction(tr("&Dark palette"));
    dark->setCheckable(true);
    dark->setChecked(w->isDark());
    connect(dark, &QAction::toggled, w, &MainWindow::setDarkTheme);
    connect(w, &MainWindow::darkThemeChanged, dark, [dark](bool on) {
        const QSignalBlocker block(dark);
        dark->setChecked(on);
    });
    QAction *follow = view->addAction(tr("&Follow live"));
    follow->setShortcut(Qt::Key_F);
    connect(follow, &QAction::triggered, w, [w] {
        w->timeState()->setFollowing(true);
        w->requestView()->followRows();
    });
    QAction *large = view->addAction(tr("&Large fonts (classroom)"));
    large->setCheckable(true);
    connect(large, &QAction::toggled, w, &MainWindow::setLargeFonts);
    connect(w, &MainWindow::largeFontsChanged, large, [large](bool on) {
        const QSignalBlocker block(large);
        large->setChecked(on);
    });
    view->addAction(tr("Lesson &replay of the selected run"), QKeySequence(Qt::CTRL | Qt::Key_L), w, [w] {
        if (w->runsPanel()->count() > 0)
            w->startLesson(w->currentRunRow());
    });
    view->addMenu(makeClientColourMenu(w->requestView(), w)); // who sent each request (issue #23)
    QMenu *language = view->addMenu(tr("Lan&guage"));
    auto *languages = new QActionGroup(language);
    for (const auto &[code, name] : { std::pair { QString(), tr("System default") },
                                      std::pair { QStringLiteral("en"), QStringLiteral("English") },
                                      std::pair { QStringLiteral("zh_CN"), QStringLiteral("简体中文") } }) {
        QAction *a = language->addAction(name);
        a->setCheckable(true);
        a->setChecked(code == w->language());
        languages->addAction(a);
        connect(w, &MainWindow::languageChanged, a, [a, code](const QString &chosen) {
            const QSignalBlocker block(a);
            a->setChecked(code == chosen);
        });
        connect(a, &QAction::triggered, w, [w, code] {
            w->setLanguage(code);
            w->saveSettings();
            QMessageBox::information(w, tr("Language"),
                                     tr("The new language applies when LoopScope starts again."));
        });
    }
    view->addSeparator();
    for (QDockWidget *d : w->findChildren<QDockWidget *>())
        view->addAction(d->toggleViewAction());
}

void WindowActions::buildServer(QMenu *server)
{
    MainWindow *w = m_window;
    server->addAction(tr("&Language model…"), w, [w] {
        LlmSettingsDialog dialog(w->server(), w);
        if (dialog.exec() == QDialog::Accepted)
            w->statusBar()->showMessage(tr("Model: %1").arg(dialog.choice().describe()), 8000);
    });
}

void WindowActions::buildHelp(QMenu *help)
{
    MainWindow *w = m_window;
    help->addAction(tr("How to read the timeline"), w, [w] {
        QMessageBox::information(
            w, tr("Reading the timeline"),
            tr("<p><b>Requests</b>: one row per request in arrival order; colours show "
               "what it was doing.</p><p><b>Threads</b>: one lane per worker loop and pool "
               "thread. A red strip on a worker lane means that loop was blocked and could "
               "not accept or answer anyone.</p><p>Wheel: zoom time · Ctrl+wheel: zoom rows · "
               "drag: pan · Shift+drag: statistics of a time range · click: select · double-click or F: "
               "follow live.</p>"));
    });
    help->addAction(tr("About LoopScope"), w, [w] {
        QMessageBox::about(w, tr("About LoopScope"),
                           tr("LoopScope %1: see concurrency in a chat/LLM server.")
                               .arg(QCoreApplication::applicationVersion()));
    });
}

void WindowActions::connectRuns()
{
    MainWindow *w = m_window;
    RunsPanel *runs = w->runsPanel();
    connect(runs, &RunsPanel::compareRequested, w, &MainWindow::compareRuns);
    connect(runs, &RunsPanel::openRequested, w, [w] {
        const QString path = QFileDialog::getOpenFileName(w, tr("Open run"), documentsDir(),
                                                          tr("LoopScope runs (run.json *.json)"));
        QString error;
        if (!path.isEmpty() && !w->openRun(path, &error))
            QMessageBox::warning(w, tr("Open run"), tr("Cannot open %1: %2").arg(path, error));
    });
    connect(runs, &RunsPanel::saveRequested, w, [w](int row) {
        const QString path = QFileDialog::getSaveFileName(
            w, tr("Save run"), documentsDir() + QStringLiteral("/run.json"), tr("LoopScope run (*.json)"));
        QString error;
        if (!path.isEmpty() && !w->saveRun(row, path, &error))
            QMessageBox::warning(w, tr("Save run"), error);
    });
    connect(runs, &RunsPanel::exportRequested, this, &WindowActions::exportReport);
}

void WindowActions::exportReport(int row)
{
    MainWindow *w = m_window;
    const QString dir = QFileDialog::getExistingDirectory(w, tr("Export report to"), documentsDir());
    if (dir.isEmpty() || row < 0 || row >= w->runsPanel()->count())
        return;
    // On a worker thread: a 100,000-request run takes seconds to write.
    auto *exporter = new ReportExporter(w);
    exporter->showProgress(w);
    connect(exporter, &ReportExporter::finished, w,
            [w, exporter, dir](bool ok, const QStringList &written, const QString &error) {
                if (ok)
                    w->statusBar()->showMessage(tr("%1 file(s) written to %2").arg(written.size()).arg(dir),
                                                6000);
                else
                    QMessageBox::warning(w, tr("Export report"), error);
                exporter->deleteLater();
            });
    exporter->start(*w->runsPanel()->at(row).run, dir);
}
