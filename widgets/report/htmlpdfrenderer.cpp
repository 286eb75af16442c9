#include "htmlpdfrenderer.h"

#include <QFile>
#include <QImage>
#include <QPageLayout>
#include <QPainter>
#include <QPdfWriter>
#include <QRegularExpression>
#include <QSvgRenderer>
#include <QTextDocument>
#include <QUrl>

namespace HtmlPdfRenderer {

bool render(const QByteArray &html, const QString &pdfPath, QString *error)
{
    QString text = QString::fromUtf8(html);
    QTextDocument document;
    // QTextDocument has no SVG support: draw each inline <svg> into an image resource.
    static const QRegularExpression svgRe(QStringLiteral("<svg[\\s\\S]*?</svg>"));
    QString out;
    qsizetype last = 0;
    int n = 0;
    auto it = svgRe.globalMatch(text);
    while (it.hasNext()) {
        const QRegularExpressionMatch m = it.next();
        out += QStringView(text).mid(last, m.capturedStart() - last);
        last = m.capturedEnd();
        QSvgRenderer svg(m.captured(0).toUtf8());
        if (!svg.isValid())
            continue;
        const QSize size = svg.defaultSize();
        QImage image(size * 2, QImage::Format_ARGB32_Premultiplied);
        image.fill(Qt::white);
        QPainter painter(&image);
        svg.render(&painter);
        painter.end();
        const QUrl name(QStringLiteral("loopscope-plot-%1.png").arg(n++));
        document.addResource(QTextDocument::ImageResource, name, image);
        out += QStringLiteral("<img src='%1' width='%2' height='%3'>")
                       .arg(name.toString())
                       .arg(std::min(size.width(), 540))
                       .arg(size.height() * std::min(size.width(), 540) / std::max(1, size.width()));
    }
    out += QStringView(text).mid(last);

    QPdfWriter writer(pdfPath);
    writer.setTitle(QStringLiteral("LoopScope report"));
    writer.setCreator(QStringLiteral("LoopScope"));
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize::A4), QPageLayout::Portrait, QMarginsF(15, 15, 15, 15),
                                     QPageLayout::Millimeter));
    writer.setResolution(150);
    document.setDefaultStyleSheet(QStringLiteral("table{border-collapse:collapse} td,th{border:1px solid #999;padding:2px}"));
    document.setHtml(out);
    QFont font = document.defaultFont();
    font.setPointSizeF(8.5);
    document.setDefaultFont(font);
    document.print(&writer);
    if (!QFile::exists(pdfPath)) {
        if (error)
            *error = QStringLiteral("cannot write %1").arg(pdfPath);
        return false;
    }
    return true;
}

} // namespace HtmlPdfRenderer
