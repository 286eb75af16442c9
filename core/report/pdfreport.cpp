#include "pdfreport.h"

#include "htmlreport.h"

#include <algorithm>

namespace PdfReport {

namespace {

constexpr int kPageW = 595; // A4 in points
constexpr int kPageH = 842;
constexpr int kLinesPerPage = 70;

QByteArray pdfText(const QString &s)
{
    QByteArray out;
    for (QChar ch : s) {
        const ushort u = ch.unicode();
        const char c = u < 256 ? char(u) : '?';
        if (c == '(' || c == ')' || c == '\\')
            out += '\\';
        out += c;
    }
    return out;
}

QByteArray textPage(const QStringList &lines)
{
    QByteArray c = "BT /F1 8 Tf 10 TL 36 806 Td\n";
    for (const QString &l : lines)
        c += '(' + pdfText(l.left(110)) + ") Tj T*\n";
    c += "ET\n";
    return c;
}

QByteArray timelinePage(const VariantResult &v)
{
    QByteArray c = "BT /F1 11 Tf 36 806 Td ("
        + pdfText(QStringLiteral("Timeline, variant %1: %2").arg(v.name, v.label)) + ") Tj ET\n";
    QList<const ClientRecord *> rows;
    qint64 end = v.startNs + 1;
    for (const ClientRecord &r : v.client) {
        if (r.finished()) {
            rows.push_back(&r);
            end = std::max(end, r.completeNs);
        }
    }
    const int maxRows = 180;
    const int step = std::max<int>(1, int((rows.size() + maxRows - 1) / maxRows));
    const double left = 40, width = 515, top = 790, rowH = 4;
    const auto x = [&](qint64 ns) { return left + width * double(ns - v.startNs) / double(end - v.startNs); };
    int row = 0;
    for (int i = 0; i < rows.size(); i += step, ++row) {
        const ClientRecord &r = *rows[i];
        const double y = top - row * rowH;
        c += r.ok() ? "0.75 0.8 0.88 rg\n" : "0.95 0.6 0.6 rg\n";
        c += QByteArray::number(x(r.intendedNs), 'f', 2) + ' ' + QByteArray::number(y, 'f', 2) + ' '
            + QByteArray::number(std::max(0.3, x(r.completeNs) - x(r.intendedNs)), 'f', 2) + ' '
            + QByteArray::number(rowH - 1, 'f', 2) + " re f\n";
        if (const RequestRecord *s = v.serverRecordFor(r)) {
            for (int k = 0; k < s->spanCount; ++k) {
                const TraceSpan &t = s->spans[size_t(k)];
                if (!t.endNs)
                    continue;
                c += t.phase == Phase::Llm                                  ? "0.88 0.34 0.35 rg\n"
                    : t.phase == Phase::DbRead || t.phase == Phase::DbWrite ? "0.3 0.47 0.65 rg\n"
                                                                            : "0.95 0.56 0.17 rg\n";
                c += QByteArray::number(x(t.startNs), 'f', 2) + ' ' + QByteArray::number(y + 0.5, 'f', 2)
                    + ' ' + QByteArray::number(std::max(0.3, x(t.endNs) - x(t.startNs)), 'f', 2)
                    + " 2 re f\n";
            }
        }
    }
    const double axisY = top - row * rowH - 12;
    c += "0 0 0 rg BT /F1 7 Tf\n";
    for (int i = 0; i <= 5; ++i) {
        c += "1 0 0 1 " + QByteArray::number(left + width * i / 5.0, 'f', 2) + ' '
            + QByteArray::number(axisY, 'f', 2) + " Tm ("
            + QByteArray::number(double(end - v.startNs) / 1e9 * i / 5.0, 'f', 2) + " s) Tj\n";
    }
    c += "1 0 0 1 40 " + QByteArray::number(axisY - 12, 'f', 2)
        + " Tm (grey: client wait from intended send; red: LLM; blue: DB; orange: queue/poll/other) Tj ET\n";
    return c;
}

} // namespace

QByteArray renderLines(const QStringList &lines, const QList<QByteArray> &extraPageContents)
{
    QList<QByteArray> contents;
    for (int i = 0; i < lines.size() || i == 0; i += kLinesPerPage)
        contents.push_back(textPage(lines.mid(i, kLinesPerPage)));
    contents += extraPageContents;

    // Objects: 1 catalog, 2 pages, 3 font, then page + content pairs.
    QList<QByteArray> objects;
    objects << "<< /Type /Catalog /Pages 2 0 R >>";
    QByteArray kids;
    for (int i = 0; i < contents.size(); ++i)
        kids += QByteArray::number(4 + 2 * i) + " 0 R ";
    objects << "<< /Type /Pages /Kids [" + kids + "] /Count " + QByteArray::number(contents.size()) + " >>";
    objects << "<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>";
    for (int i = 0; i < contents.size(); ++i) {
        objects << "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 " + QByteArray::number(kPageW) + ' '
                + QByteArray::number(kPageH) + "] /Resources << /Font << /F1 3 0 R >> >> /Contents "
                + QByteArray::number(5 + 2 * i) + " 0 R >>";
        objects << "<< /Length " + QByteArray::number(contents[i].size()) + " >>\nstream\n" + contents[i]
                + "\nendstream";
    }
    QByteArray pdf = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n";
    QList<qsizetype> offsets;
    for (int i = 0; i < objects.size(); ++i) {
        offsets << pdf.size();
        pdf += QByteArray::number(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
    }
    const qsizetype xref = pdf.size();
    pdf += "xref\n0 " + QByteArray::number(objects.size() + 1) + "\n0000000000 65535 f \n";
    for (qsizetype off : offsets)
        pdf += QByteArray::number(off).rightJustified(10, '0') + " 00000 n \n";
    pdf += "trailer\n<< /Size " + QByteArray::number(objects.size() + 1) + " /Root 1 0 R >>\nstartxref\n"
        + QByteArray::number(xref) + "\n%%EOF\n";
    return pdf;
}

QByteArray render(const RunResult &run)
{
    QStringList lines = HtmlReport::summaryLines(run);
    lines << QString();
    lines << QStringLiteral("Explanation:");
    QString text = run.scenario.explanationEn;
    while (!text.isEmpty()) {
        int cut = text.size() <= 100 ? int(text.size()) : int(text.lastIndexOf(QLatin1Char(' '), 100));
        if (cut <= 0)
            cut = std::min<int>(100, int(text.size()));
        lines << QStringLiteral("  ") + text.left(cut);
        text = text.mid(cut).trimmed();
    }
    QList<QByteArray> pages;
    for (const VariantResult &v : run.variants) {
        lines << QString()
              << QStringLiteral("Requests, variant %1 (ms from run start; latency from intended send)")
                     .arg(v.name);
        lines << QStringLiteral(
            "  user   #   intended       sent   1st byte   complete    latency status outcome");
        int n = 0;
        for (const ClientRecord &c : v.client) {
            if (++n > 400) {
                lines << QStringLiteral("  ... %1 more in requests.csv").arg(v.client.size() - 400);
                break;
            }
            const auto ms = [&](qint64 ns) {
                return QString::number(ns ? double(ns - v.startNs) / 1e6 : 0.0, 'f', 1).rightJustified(10);
            };
            lines << QStringLiteral("  %1 %2 %3 %4 %5 %6 %7 %8 %9")
                         .arg(c.user, 5)
                         .arg(c.sequence, 3)
                         .arg(ms(c.intendedNs), ms(c.sentNs), ms(c.firstByteNs), ms(c.completeNs),
                              QString::number(double(c.latencyNs()) / 1e6, 'f', 1).rightJustified(10))
                         .arg(c.status, 6)
                         .arg(clientErrorName(c.error));
        }
        pages << timelinePage(v);
    }
    return renderLines(lines, pages);
}

} // namespace PdfReport
