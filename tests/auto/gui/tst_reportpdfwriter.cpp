// report.pdf as a reader gets it: A4 landscape pages, each numbered "N / M", in English and in
// Chinese; and the comparison window's export of two runs.
#include "export/reportexporter.h"
#include "export/reportpdfwriter.h"
#include "report/runexport.h"
#include "runs/runcomparisonview.h"
#include "scenario/scenariorunner.h"

#include <QFile>
#include <QProgressDialog>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

class TestReportPdfWriter : public QObject
{
    Q_OBJECT

private:
    RunResult m_run;
    QTemporaryDir m_dir;

    static QByteArray readAll(const QString &path)
    {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        Scenario s;
        QString error;
        QVERIFY2(Scenario::open(QStringLiteral("pseudo_async"), &s, &error), qPrintable(error));
        RunOptions o;
        o.timeScale = 0.05;
        ScenarioRunner runner;
        runner.setScenario(s);
        runner.setOptions(o);
        QSignalSpy finished(&runner, &ScenarioRunner::finished);
        QVERIFY(runner.start(&error));
        QVERIFY(finished.wait(60000));
        m_run = runner.result();
        QCOMPARE(m_run.variants.size(), 2);
        RunExport::setPdfRenderer([](const ReportDocument &d, const QString &path, QString *error) {
            return ReportPdfWriter::render(d, path, error);
        });
    }

    void a4LandscapeNumberedPages_data()
    {
        QTest::addColumn<QString>("language");
        QTest::addRow("en") << QStringLiteral("en");
        QTest::addRow("zh_CN") << QStringLiteral("zh_CN");
    }
    void a4LandscapeNumberedPages()
    {
        QFETCH(QString, language);
        ReportOptions o;
        o.language = ReportStyle::parseLanguage(language);
        o.requestRows = 25;
        const ReportDocument doc = ReportDocument::build(m_run, o);
        const QString path = m_dir.filePath(QStringLiteral("report-%1.pdf").arg(language));
        QString error;
        int pages = 0;
        QVERIFY2(ReportPdfWriter::render(doc, path, &error, &pages), qPrintable(error));
        const QByteArray pdf = readAll(path);
        QVERIFY(pdf.startsWith("%PDF-"));
        // Headline, summary, explanation on page 1; timelines, counters, distribution, tables after.
        QVERIFY2(pages >= 4 && pages <= 12, qPrintable(QString::number(pages)));
        static const QRegularExpression page(QStringLiteral("/Type /Page\\b(?!s)"));
        QCOMPARE(int(QString::fromLatin1(pdf).count(page)), pages);
        // Every page A4 landscape: 842 x 595 points.
        static const QRegularExpression box(QStringLiteral("/MediaBox \\[0 0 ([0-9.]+) ([0-9.]+)\\]"));
        int boxes = 0;
        auto it = box.globalMatch(QString::fromLatin1(pdf));
        while (it.hasNext()) {
            const auto m = it.next();
            QCOMPARE(qRound(m.captured(1).toDouble()), 842);
            QCOMPARE(qRound(m.captured(2).toDouble()), 595);
            ++boxes;
        }
        QCOMPARE(boxes, pages);
        // Chinese text needs a CJK font embedded; English does not.
        const bool cjk = pdf.contains("NotoSansCJK");
        QCOMPARE(cjk, language == QLatin1String("zh_CN"));
    }

    // Many requests: tables are cut (and say so), so the PDF stays a few pages.
    void cappedTablesKeepThePdfShort()
    {
        RunResult big = m_run;
        VariantResult &v = big.variants[0];
        const QList<ClientRecord> base = v.client;
        for (int i = 0; i < 400; ++i) {
            for (ClientRecord c : base) {
                c.tag += quint64(1000 * (i + 1));
                c.sequence = i + 1;
                v.client.push_back(c);
            }
        }
        v.computeSummary();
        ReportOptions o;
        o.requestRows = 25;
        int pages = 0;
        QString error;
        QVERIFY2(ReportPdfWriter::render(ReportDocument::build(big, o),
                                         m_dir.filePath(QStringLiteral("big.pdf")), &error, &pages),
                 qPrintable(error));
        QVERIFY2(pages <= 12, qPrintable(QString::number(pages)));
    }

    void comparisonWindowExports()
    {
        const QList<SessionRun> runs = SessionRuns::fromRunResult(m_run, QStringLiteral("test"));
        RunComparisonView view;
        view.setRuns(runs[0], runs[1]);
        QVERIFY(view.exportButton()->isEnabled());
        const QString dir = m_dir.filePath(QStringLiteral("compare"));
        ReportExporter *exporter = view.exportReport(dir);
        QVERIFY(exporter);
        QSignalSpy finished(exporter, &ReportExporter::finished);
        QSignalSpy progress(exporter, &ReportExporter::progress);
        QVERIFY(!view.exportButton()->isEnabled()); // one export at a time
        QVERIFY(finished.wait(60000));
        QVERIFY2(finished.first().at(0).toBool(), qPrintable(finished.first().at(2).toString()));
        QCOMPARE(finished.first().at(1).toStringList().size(), 5);
        QTRY_VERIFY(progress.size() >= 5);
        QVERIFY(view.exportButton()->isEnabled());
        const QString html = QString::fromUtf8(readAll(dir + QStringLiteral("/report.html")));
        QVERIFY(html.contains(QStringLiteral("Two runs compared")));
        QVERIFY(html.contains(QStringLiteral("A · ") + runs[0].title.toHtmlEscaped()));
        QVERIFY(html.contains(QStringLiteral("B · ") + runs[1].title.toHtmlEscaped()));
        QVERIFY(readAll(dir + QStringLiteral("/report.pdf")).startsWith("%PDF-"));
        RunResult back;
        QString error;
        QVERIFY2(RunExport::readRunJson(dir + QStringLiteral("/run.json"), &back, &error), qPrintable(error));
        QCOMPARE(back.variants.size(), 2);
    }

    void exportCanBeCancelled()
    {
        ReportExporter exporter;
        QSignalSpy finished(&exporter, &ReportExporter::finished);
        exporter.cancel();
        // Cancel before the first file: nothing is written, and it says why.
        connect(&exporter, &ReportExporter::progress, &exporter, &ReportExporter::cancel);
        exporter.start(m_run, m_dir.filePath(QStringLiteral("cancelled")));
        exporter.cancel();
        QVERIFY(finished.wait(60000));
        QCOMPARE(finished.first().at(0).toBool(), false);
        QVERIFY(finished.first().at(2).toString().contains(QStringLiteral("cancelled")));
        QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("cancelled/report.pdf"))));
    }

    // The window's progress dialog: its Cancel stops the export, and it goes away afterwards.
    void progressDialogCancelsAndCloses()
    {
        QWidget window;
        ReportExporter exporter;
        exporter.showProgress(&window);
        QProgressDialog *dialog = window.findChild<QProgressDialog *>();
        QVERIFY(dialog);
        QSignalSpy finished(&exporter, &ReportExporter::finished);
        exporter.start(m_run, m_dir.filePath(QStringLiteral("dialog")));
        QPushButton *cancel = dialog->findChild<QPushButton *>();
        QVERIFY(cancel);
        cancel->click(); // as the user would, while the worker is still on its first files
        QVERIFY(finished.wait(60000));
        QCOMPARE(finished.first().at(0).toBool(), false);
        QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("dialog/report.pdf"))));
        QTRY_VERIFY(window.findChild<QProgressDialog *>() == nullptr);
    }
};

QTEST_MAIN(TestReportPdfWriter)
#include "tst_reportpdfwriter.moc"
