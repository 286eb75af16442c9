#include "phaselegend.h"

#include "gui/theme.h"

#include <QPainter>

namespace {
// Prefetch, poll, CPU work, GIL wait, other, loop wait, handler (an observed request's own time)
// and DB pool wait appear only in some scenarios; they stay in the legend so colours never shift.
const int kOrder[] = { 0, 1, 2, 3, 4, 7, 5, 6, 8, 9, 10, 11, 12, 13 };
} // namespace

PhaseLegend::PhaseLegend(QWidget *parent)
    : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    connect(ThemeNotifier::instance(), &ThemeNotifier::changed, this, qOverload<>(&QWidget::update));
}

QSize PhaseLegend::sizeHint() const
{
    return { 600, heightForWidth(width() > 0 ? width() : 600) };
}

QList<PhaseLegend::Chip> PhaseLegend::chips() const
{
    const Theme &t = Theme::current();
    QList<Chip> out;
    for (int c : kOrder)
        out.append({ t.category[size_t(c)], Theme::categoryName(c) });
    out.append({ t.blockedStrip, tr("loop blocked") });
    return out;
}

int PhaseLegend::chipWidth(const Chip &chip) const
{
    const int h = fontMetrics().height();
    return int(h * 1.1) + 4 + fontMetrics().horizontalAdvance(chip.text) + 10;
}

int PhaseLegend::rowsFor(int width) const
{
    int rows = 1, x = 4;
    for (const Chip &c : chips()) {
        const int w = chipWidth(c);
        if (x > 4 && x + w > width) {
            ++rows;
            x = 4;
        }
        x += w;
    }
    return rows;
}

int PhaseLegend::heightForWidth(int width) const
{
    return rowsFor(width) * (fontMetrics().height() + 4) + 4;
}

void PhaseLegend::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    if (height() != heightForWidth(width()))
        setFixedHeight(heightForWidth(width())); // re-wrapped: one row more or less
}

void PhaseLegend::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const Theme &t = Theme::current();
    const int h = fontMetrics().height();
    const int rowHeight = h + 4;
    int x = 4, y = 2;
    for (const Chip &c : chips()) {
        const int w = chipWidth(c);
        if (x > 4 && x + w > width()) {
            x = 4;
            y += rowHeight;
        }
        p.setPen(Qt::NoPen);
        p.setBrush(c.colour);
        p.drawRoundedRect(QRectF(x, y + (rowHeight - h * 0.7) / 2, h * 1.1, h * 0.7), 2, 2);
        const int textX = x + int(h * 1.1) + 4;
        p.setPen(t.text);
        p.drawText(QRect(textX, y, 200, rowHeight), Qt::AlignVCenter | Qt::AlignLeft, c.text);
        x += w;
    }
}
