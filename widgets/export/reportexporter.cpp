#include "reportexporter.h"

#include "report/runexport.h"

#include <QLocale>
#include <QPointer>
#include <QProgressDialog>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

ReportExporter::ReportExporter(QObject *parent)
    : QObject(parent)
    , m_pool(new QThreadPool(this))
{
    m_pool->setMaxThreadCount(1);
    connect(&m_watcher, &QFutureWatcher<Outcome>::finished, this, [this] {
        const Outcome o = m_watcher.result();
        if (m_dialog) {
            m_dialog->reset();
            m_dialog->deleteLater();
        }
        emit finished(o.ok, o.written, o.error);
    });
}

ReportExporter::~ReportExporter()
{
    cancel();
    m_pool->waitForDone();
}

ReportStyle::Language ReportExporter::uiLanguage()
{
    return QLocale().language() == QLocale::Chinese ? ReportStyle::Language::Chinese
                                                    : ReportStyle::Language::English;
}

void ReportExporter::start(RunResult run, const QString &dir, ReportStyle::Language language)
{
    m_cancel->store(false);
    QPointer<ReportExporter> self(this);
    auto cancelFlag = m_cancel;
    m_watcher.setFuture(QtConcurrent::run(m_pool, [run = std::move(run), dir, language, cancelFlag, self] {
        RunExport::ExportOptions options;
        options.language = language;
        options.progress = [cancelFlag, self](int done, int total) {
            // Queued to the exporter's thread; the worker never touches a widget.
            QMetaObject::invokeMethod(
                self.data(),
                [self, done, total] {
                    if (self)
                        emit self->progress(done, total);
                },
                Qt::QueuedConnection);
            return !cancelFlag->load();
        };
        Outcome o;
        o.ok = RunExport::writeAll(run, dir, &o.written, &o.error, options);
        return o;
    }));
}

void ReportExporter::showProgress(QWidget *parent)
{
    m_dialog = new QProgressDialog(tr("Writing the report…"), tr("Cancel"), 0, 5, parent);
    m_dialog->setWindowTitle(tr("Export report"));
    m_dialog->setMinimumDuration(300);
    connect(m_dialog, &QProgressDialog::canceled, this, &ReportExporter::cancel);
    connect(this, &ReportExporter::progress, m_dialog,
            [dialog = QPointer<QProgressDialog>(m_dialog)](int done, int total) {
                if (dialog) {
                    dialog->setMaximum(total);
                    dialog->setValue(done);
                }
            });
}

void ReportExporter::cancel()
{
    m_cancel->store(true);
}

bool ReportExporter::isRunning() const
{
    return m_watcher.isRunning();
}
