#include "reportpdfwriter.h"

#include <QFile>
#include <QFontMetricsF>
#include <QPageLayout>
#include <QPainter>
#include <QPdfWriter>
#include <QSvgRenderer>
#include <functional>
#include <memory>

namespace ReportPdfWriter {

namespace {

const QColor kText(0x1f, 0x23, 0x28);
const QColor kMuted(0x5f, 0x66, 0x70);
const QColor kLine(0xd0, 0xd4, 0xda);
const QColor kHeaderFill(0xf3, 0xf4, 0xf6);
const QColor kPass(0x1a, 0x7f, 0x37);
const QColor kFail(0xcf, 0x22, 0x2e);
const QColor kAccent(0x2f, 0x7f, 0xd6);
const QColor kHeadlineFill(0xf3, 0xf6, 0xfb);

// One unbreakable piece of a page: a paragraph, a table row, a whole figure.
struct Piece
{
    double height = 0;
    bool keepWithNext = false; // headings and table headers: never last on a page
    std::function<void(QPainter &, double y)> paint;
    std::function<double(QPainter &, double y)> repeatHeader; // table rows: header at a page top
    double repeatHeight = 0;
};

class Typesetter
{
public:
    Typesetter(QPdfWriter *writer, const ReportDocument &doc)
        : m_writer(writer)
        , m_doc(doc)
    {
        const QStringList families = doc.language == ReportStyle::Language::Chinese
            ? QStringList { QStringLiteral("Noto Sans CJK SC"), QStringLiteral("DejaVu Sans") }
            : QStringList { QStringLiteral("DejaVu Sans"), QStringLiteral("Noto Sans CJK SC") };
        m_base.setFamilies(families);
        m_width = writer->width();
        m_height = writer->height();
        m_top = 26;
        m_bottom = m_height - 22;
    }

    QFont font(double pt, bool bold = false) const
    {
        QFont f = m_base;
        f.setPointSizeF(pt);
        f.setBold(bold);
        return f;
    }

    double textHeight(const QFont &f, double width, const QString &text) const
    {
        const QFontMetricsF fm(f, m_writer);
        return fm.boundingRect(QRectF(0, 0, width, 1e6), Qt::TextWordWrap, text).height();
    }

    void build();
    bool paint(QString *error);
    int pages() const { return m_pages; }

private:
    void addText(const QString &text, const QFont &f, const QColor &color, double before, double after,
                 bool keepWithNext = false);
    void addHeadline(const QString &text);
    void addFigure(const ReportBlock &b);
    void addTable(const ReportBlock &b);

    QPdfWriter *m_writer;
    const ReportDocument &m_doc;
    QFont m_base;
    double m_width = 0, m_height = 0, m_top = 0, m_bottom = 0;
    QList<Piece> m_pieces;
    int m_pages = 0;
};

void Typesetter::addText(const QString &text, const QFont &f, const QColor &color, double before,
                         double after, bool keepWithNext)
{
    const double w = m_width;
    const double h = textHeight(f, w, text);
    Piece p;
    p.height = before + h + after;
    p.keepWithNext = keepWithNext;
    p.paint = [=](QPainter &painter, double y) {
        painter.setFont(f);
        painter.setPen(color);
        painter.drawText(QRectF(0, y + before, w, h + 2), Qt::TextWordWrap, text);
    };
    m_pieces << p;
}

void Typesetter::addHeadline(const QString &text)
{
    const QFont f = font(12.5);
    const double pad = 8, w = m_width;
    const double h = textHeight(f, w - 2 * pad - 4, text);
    Piece p;
    p.height = h + 2 * pad + 10;
    p.paint = [=](QPainter &painter, double y) {
        painter.fillRect(QRectF(0, y + 4, w, h + 2 * pad), kHeadlineFill);
        painter.fillRect(QRectF(0, y + 4, 3, h + 2 * pad), kAccent);
        painter.setFont(f);
        painter.setPen(kText);
        painter.drawText(QRectF(pad + 4, y + 4 + pad, w - 2 * pad - 4, h + 2), Qt::TextWordWrap, text);
    };
    m_pieces << p;
}

void Typesetter::addFigure(const ReportBlock &b)
{
    auto svg = std::make_shared<QSvgRenderer>(b.svg.toUtf8());
    const QFont titleFont = font(10, true), captionFont = font(8), plotFont = font(11);
    const double w = m_width;
    const double titleH = textHeight(titleFont, w, b.text);
    const double captionH = b.caption.isEmpty() ? 0 : textHeight(captionFont, w, b.caption) + 3;
    const double available = (m_bottom - m_top) - titleH - captionH - 14;
    // Full width unless that makes it taller than a page (a long timeline): then scale to fit.
    double scale = w / std::max(1, b.svgWidth);
    scale = std::min({ scale, available / std::max(1, b.svgHeight), 1.05 });
    const double pw = b.svgWidth * scale, ph = b.svgHeight * scale;
    const QString title = b.text, caption = b.caption;
    Piece p;
    p.height = 6 + titleH + 2 + ph + captionH + 8;
    p.paint = [=](QPainter &painter, double y) {
        painter.setFont(titleFont);
        painter.setPen(kText);
        painter.drawText(QRectF(0, y + 6, w, titleH + 2), Qt::TextWordWrap, title);
        if (svg->isValid()) {
            painter.setFont(plotFont); // what the SVG's text inherits besides its own size
            svg->render(&painter, QRectF(0, y + 6 + titleH + 2, pw, ph));
        }
        if (!caption.isEmpty()) {
            painter.setFont(captionFont);
            painter.setPen(kMuted);
            painter.drawText(QRectF(0, y + 6 + titleH + 2 + ph + 3, w, captionH + 2), Qt::TextWordWrap,
                             caption);
        }
    };
    m_pieces << p;
}

void Typesetter::addTable(const ReportBlock &b)
{
    const double pt = b.wide ? 7.5 : 8.5;
    const QFont bodyFont = font(pt), boldFont = font(pt, true);
    const QFontMetricsF fm(bodyFont, m_writer), fmBold(boldFont, m_writer);
    const int columns = int(b.header.size());
    if (columns == 0)
        return;
    const double padX = 4, padY = 2.5;
    // Natural widths: the widest line of each column.
    QList<double> natural(columns, 0);
    const auto widest = [](const QFontMetricsF &m, const QString &text) {
        double w = 0;
        for (const QString &line : text.split(QLatin1Char('\n')))
            w = std::max(w, m.horizontalAdvance(line));
        return w;
    };
    for (int c = 0; c < columns; ++c)
        natural[c] = widest(fmBold, b.header[c]);
    for (const auto &row : b.rows) {
        for (int c = 0; c < columns && c < row.size(); ++c)
            natural[c] = std::max(
                natural[c], widest(row[c].style == ReportCell::Style::Plain ? fm : fmBold, row[c].text));
    }
    QList<double> widths(columns);
    double total = 0;
    for (int c = 0; c < columns; ++c) {
        widths[c] = natural[c] + 2 * padX + 1;
        total += widths[c];
    }
    if (total > m_width) {
        // Narrow the widest columns first: they wrap, the short number columns stay whole.
        double excess = total - m_width;
        for (int guard = 0; guard < 400 && excess > 0.5; ++guard) {
            int widestColumn = 0;
            for (int c = 1; c < columns; ++c)
                widestColumn = widths[c] > widths[widestColumn] ? c : widestColumn;
            double second = 0;
            for (int c = 0; c < columns; ++c)
                second = c == widestColumn ? second : std::max(second, widths[c]);
            const double cut = std::min(excess, std::max(2.0, widths[widestColumn] - second));
            widths[widestColumn] -= cut;
            excess -= cut;
        }
    }
    QList<double> xs(columns + 1, 0);
    for (int c = 0; c < columns; ++c)
        xs[c + 1] = xs[c] + widths[c];
    const double tableW = xs[columns];

    const auto rowHeight = [&](const QStringList &texts, const QList<bool> &bold) {
        double h = 0;
        for (int c = 0; c < columns && c < texts.size(); ++c) {
            const QFontMetricsF &m = bold[c] ? fmBold : fm;
            h = std::max(
                h,
                m.boundingRect(QRectF(0, 0, widths[c] - 2 * padX, 1e6), Qt::TextWordWrap, texts[c]).height());
        }
        return h + 2 * padY;
    };
    const QStringList header = b.header;
    const double headerH = rowHeight(header, QList<bool>(columns, true));
    const auto paintHeader = [=](QPainter &painter, double y) {
        painter.fillRect(QRectF(0, y, tableW, headerH), kHeaderFill);
        painter.setFont(boldFont);
        painter.setPen(kText);
        for (int c = 0; c < columns; ++c)
            painter.drawText(QRectF(xs[c] + padX, y + padY, widths[c] - 2 * padX, headerH),
                             (c == 0 ? Qt::AlignLeft : Qt::AlignRight) | Qt::TextWordWrap, header[c]);
        painter.setPen(QPen(kLine, 0.6));
        painter.drawLine(QPointF(0, y + headerH), QPointF(tableW, y + headerH));
        return headerH;
    };
    Piece head;
    head.height = headerH + 4;
    head.keepWithNext = true;
    head.paint = [=](QPainter &painter, double y) { paintHeader(painter, y + 4); };
    m_pieces << head;
    for (const auto &row : b.rows) {
        QStringList texts;
        QList<bool> bold;
        QList<ReportCell::Style> styles;
        for (int c = 0; c < columns; ++c) {
            const ReportCell cell = c < row.size() ? row[c] : ReportCell {};
            texts << cell.text;
            styles << cell.style;
            bold << (cell.style != ReportCell::Style::Plain && cell.style != ReportCell::Style::Muted);
        }
        const double h = rowHeight(texts, bold);
        Piece p;
        p.height = h;
        p.repeatHeader = paintHeader;
        p.repeatHeight = headerH;
        p.paint = [=](QPainter &painter, double y) {
            for (int c = 0; c < columns; ++c) {
                painter.setFont(bold[c] ? boldFont : bodyFont);
                painter.setPen(styles[c] == ReportCell::Style::Pass        ? kPass
                                   : styles[c] == ReportCell::Style::Fail  ? kFail
                                   : styles[c] == ReportCell::Style::Muted ? kMuted
                                                                           : kText);
                painter.drawText(QRectF(xs[c] + padX, y + padY, widths[c] - 2 * padX, h),
                                 (c == 0 ? Qt::AlignLeft : Qt::AlignRight) | Qt::TextWordWrap, texts[c]);
            }
            painter.setPen(QPen(kLine, 0.4));
            painter.drawLine(QPointF(0, y + h), QPointF(tableW, y + h));
        };
        m_pieces << p;
    }
    Piece gap;
    gap.height = 6;
    gap.paint = [](QPainter &, double) {};
    m_pieces << gap;
}

void Typesetter::build()
{
    addText(m_doc.title, font(17, true), kText, 0, 2);
    addText(m_doc.subtitle, font(9), kMuted, 0, 4);
    for (const ReportBlock &b : m_doc.blocks) {
        switch (b.kind) {
        case ReportBlock::Kind::Heading:
            addText(b.text, font(b.level <= 2 ? 13 : 10.5, true), kText, b.level <= 2 ? 12 : 8, 3, true);
            break;
        case ReportBlock::Kind::Headline:
            addHeadline(b.text);
            break;
        case ReportBlock::Kind::Paragraph:
            addText(b.text, font(9.5), kText, 2, 4);
            break;
        case ReportBlock::Kind::Note:
            addText(b.text, font(8), kMuted, 1, 4);
            break;
        case ReportBlock::Kind::Figure:
            addFigure(b);
            break;
        case ReportBlock::Kind::Table:
            addTable(b);
            break;
        }
    }
}

bool Typesetter::paint(QString *error)
{
    // Paginate first, so every page can say "N / M".
    struct Placed
    {
        int page;
        double y;
        bool header; // repeat the table header above this row
    };
    QList<Placed> placed;
    int page = 0;
    double y = m_top;
    for (int i = 0; i < m_pieces.size(); ++i) {
        const Piece &p = m_pieces[i];
        // A heading goes with what follows it, up to and including the first table row.
        double need = p.height;
        for (int k = i; k + 1 < m_pieces.size() && m_pieces[k].keepWithNext; ++k)
            need += m_pieces[k + 1].height;
        if (y + need > m_bottom && y > m_top) {
            ++page;
            y = m_top;
        }
        const bool header = y == m_top && p.repeatHeader && i > 0 && !m_pieces[i - 1].keepWithNext;
        if (header)
            y += p.repeatHeight;
        placed.push_back({ page, y, header });
        y += p.height;
    }
    const int pages = page + 1;
    m_pages = pages;

    QPainter painter;
    if (!painter.begin(m_writer)) {
        if (error)
            *error = QStringLiteral("cannot write the PDF");
        return false;
    }
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setRenderHint(QPainter::TextAntialiasing);
    const QFont headerFont = font(7.5), footerFont = font(8);
    const auto frame = [&](int n) {
        painter.setFont(headerFont);
        painter.setPen(kMuted);
        painter.drawText(QRectF(0, 0, m_width * 0.7, 14), Qt::AlignLeft | Qt::AlignVCenter,
                         QStringLiteral("LoopScope · %1").arg(m_doc.title));
        painter.drawText(QRectF(m_width * 0.7, 0, m_width * 0.3, 14), Qt::AlignRight | Qt::AlignVCenter,
                         m_doc.date);
        painter.setPen(QPen(kLine, 0.6));
        painter.drawLine(QPointF(0, 17), QPointF(m_width, 17));
        painter.setFont(footerFont);
        painter.setPen(kMuted);
        painter.drawText(QRectF(0, m_height - 14, m_width, 14), Qt::AlignCenter,
                         QStringLiteral("%1 / %2").arg(n + 1).arg(pages));
    };
    int current = 0;
    frame(0);
    for (int i = 0; i < m_pieces.size(); ++i) {
        while (placed[i].page > current) {
            m_writer->newPage();
            ++current;
            frame(current);
        }
        if (placed[i].header)
            m_pieces[i].repeatHeader(painter, placed[i].y - m_pieces[i].repeatHeight);
        m_pieces[i].paint(painter, placed[i].y);
    }
    painter.end();
    return true;
}

} // namespace

bool render(const ReportDocument &document, const QString &pdfPath, QString *error)
{
    return render(document, pdfPath, error, nullptr);
}

bool render(const ReportDocument &document, const QString &pdfPath, QString *error, int *pages)
{
    QPdfWriter writer(pdfPath);
    writer.setTitle(QStringLiteral("LoopScope: %1").arg(document.title));
    writer.setCreator(QStringLiteral("LoopScope"));
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize::A4), QPageLayout::Landscape,
                                     QMarginsF(12, 9, 12, 9), QPageLayout::Millimeter));
    writer.setResolution(72); // one unit = one point
    Typesetter t(&writer, document);
    t.build();
    if (!t.paint(error))
        return false;
    if (pages)
        *pages = t.pages();
    if (!QFile::exists(pdfPath)) {
        if (error)
            *error = QStringLiteral("cannot write %1").arg(pdfPath);
        return false;
    }
    return true;
}

} // namespace ReportPdfWriter
