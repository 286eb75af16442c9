// report.pdf from report.html: text, tables and the inline SVG plots end up in the PDF.
#include "report/htmlpdfrenderer.h"

#include <QFile>
#include <QGuiApplication>
#include <QTemporaryDir>
#include <QTest>

class TestHtmlPdfRenderer : public QObject
{
    Q_OBJECT
private slots:
    void rendersTextTablesAndPlots();
};

void TestHtmlPdfRenderer::rendersTextTablesAndPlots()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("report.pdf"));
    const QByteArray html = "<html><body><h1>Pseudo-async</h1><p>伪异步 vs 真异步</p>"
                            "<table><tr><th>metric</th><th>value</th></tr><tr><td>makespan_s</td><td>2.165</td></tr></table>"
                            "<svg xmlns='http://www.w3.org/2000/svg' width='300' height='100'>"
                            "<rect x='10' y='10' width='200' height='50' fill='#e15759'/></svg>"
                            "<p>after the plot</p></body></html>";
    QString error;
    QVERIFY2(HtmlPdfRenderer::render(html, path, &error), qPrintable(error));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray pdf = f.readAll();
    QVERIFY(pdf.startsWith("%PDF-"));
    QVERIFY(pdf.contains("/Subtype /Image")); // the plot, drawn from the SVG
    QVERIFY(pdf.contains("/Type /Page"));
    QVERIFY(pdf.trimmed().endsWith("%%EOF"));
}

QTEST_MAIN(TestHtmlPdfRenderer)
#include "tst_htmlpdfrenderer.moc"
