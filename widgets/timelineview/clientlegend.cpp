#include "clientlegend.h"

#include "gui/theme.h"

#include <QPainter>

void paintClientLegend(QPainter &p, const ClientColours &colours, const QRect &area)
{
    // What the bars' colours mean when they say who sent each request (issue #23).
    const Theme &t = Theme::current();
    QList<QPair<QString, quint32>> chips = colours.legend();
    for (auto &c : chips)
        c.first = c.first.isEmpty() ? ClientLegend::tr("(not sent)") : c.first;
    if (colours.othersCount() > 0)
        chips.append(
            { ClientLegend::tr("%1 more").arg(colours.othersCount()), ClientColours::othersColour() });
    const QFontMetrics fm = p.fontMetrics();
    int w = 0;
    for (const auto &c : chips)
        w = std::max(w, fm.horizontalAdvance(c.first));
    const QString title = ClientLegend::tr("Colour: who sent it (hover a request for its client)");
    w = std::max(w + fm.height() + 10, fm.horizontalAdvance(title)) + 12;
    const int h = int(chips.size() + 1) * (fm.height() + 2) + 8;
    const QRect box(area.right() - w - 6, area.top() + 6, w, h);
    p.fillRect(box, t.window);
    p.setPen(t.mutedText);
    p.drawRect(box);
    int y = box.top() + 4;
    p.drawText(QRect(box.left() + 6, y, w - 12, fm.height()), Qt::AlignLeft | Qt::AlignVCenter, title);
    for (const auto &c : chips) {
        y += fm.height() + 2;
        p.fillRect(QRect(box.left() + 6, y + 2, fm.height(), fm.height() - 4), QColor::fromRgb(c.second));
        p.setPen(t.text);
        p.drawText(QRect(box.left() + 10 + fm.height(), y, w - fm.height() - 16, fm.height()),
                   Qt::AlignLeft | Qt::AlignVCenter,
                   fm.elidedText(c.first, Qt::ElideMiddle, w - fm.height() - 16));
    }
}
