#pragma once

class QCustomPlot;

// Styles a QCustomPlot's background, axes and grid with Theme::current(): the part every
// LoopScope plot shares (each plot then styles its own legend, title and graphs).
void applyThemeToPlot(QCustomPlot *plot);
