#pragma once

#include <QColor>
#include <QObject>
#include <array>

// The colours every LoopScope view draws with, in a dark and a light variant. Phase colours are
// picked to stay distinguishable on both backgrounds and for the common colour-vision deficiencies.
struct Theme
{
    // Display categories of the timeline: index 0 is "waiting" (no span running), then Phase + 1.
    static constexpr int CategoryCount = 14;

    bool dark = true;
    QColor window, base, text, mutedText, grid, axis, nowLine, selection, blocked, blockedStrip;
    std::array<QColor, CategoryCount> category;

    static const Theme &current();
    static void apply(bool dark); // sets the application palette and the current theme
    static QString categoryName(int category);
};

// Emits `changed` after Theme::apply, so views repaint and plots restyle.
class ThemeNotifier : public QObject
{
    Q_OBJECT
public:
    static ThemeNotifier *instance();
signals:
    void changed();
};
