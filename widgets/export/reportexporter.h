#pragma once

#include "report/reportstyle.h"
#include "scenario/runresult.h"

#include <QFutureWatcher>
#include <QObject>
#include <QPointer>
#include <QStringList>
#include <atomic>
#include <memory>

class QProgressDialog;
class QThreadPool;
class QWidget;

// Writes a run's five files (RunExport::writeAll) on a worker thread, so the window stays
// responsive: progress per file, cancel between files. One exporter per export; its progress
// dialog (showProgress) goes away when the export finishes.
class ReportExporter : public QObject
{
    Q_OBJECT
public:
    explicit ReportExporter(QObject *parent = nullptr);
    ~ReportExporter() override;

    // The language reports are written in when exported from the window: the UI's.
    static ReportStyle::Language uiLanguage();

    void start(RunResult run, const QString &dir, ReportStyle::Language language = uiLanguage());
    // Shows a progress dialog with a Cancel button over `parent` while the export runs.
    void showProgress(QWidget *parent);
    void cancel();
    bool isRunning() const;

signals:
    void progress(int done, int total);
    void finished(bool ok, const QStringList &written, const QString &error);

private:
    struct Outcome
    {
        bool ok = false;
        QStringList written;
        QString error;
    };
    QThreadPool *m_pool;
    QFutureWatcher<Outcome> m_watcher;
    std::shared_ptr<std::atomic<bool>> m_cancel = std::make_shared<std::atomic<bool>>(false);
    QPointer<QProgressDialog> m_dialog;
};
