#include "phaselegend.h"

#include "gui/theme.h"

#include <QPainter>

namespace {
// Prefetch and poll appear only in some scenarios; they stay in the legend so colours never shift.
const int kOrder[] = { 0, 1, 2, 3, 4, 7, 5, 6 };
} // namespace

PhaseLegend::PhaseLegend(QWidget *parent)
    : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    connect(ThemeNotifier::instance(), &ThemeNotifier::changed, this, qOverload<>(&QWidget::update));
}

QSize PhaseLegend::sizeHint() const
{
    return { 600, fontMetrics().height() + 8 };
}

void PhaseLegend::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const Theme &t = Theme::current();
    const int h = fontMetrics().height();
    int x = 4;
    auto chip = [&](const QColor &c, const QString &text) {
        p.setPen(Qt::NoPen);
        p.setBrush(c);
        p.drawRoundedRect(QRectF(x, (height() - h * 0.7) / 2, h * 1.1, h * 0.7), 2, 2);
        x += int(h * 1.1) + 4;
        p.setPen(t.text);
        p.drawText(QRect(x, 0, 200, height()), Qt::AlignVCenter | Qt::AlignLeft, text);
        x += fontMetrics().horizontalAdvance(text) + 10;
    };
    for (int c : kOrder)
        chip(t.category[size_t(c)], Theme::categoryName(c));
    chip(t.blockedStrip, tr("loop blocked"));
}
