#pragma once

#include <QString>

// One palette and one vocabulary for everything LoopScope draws: the window's timeline, legend
// and compare view (widgets/) and the reports (core/report/). Colours are 0xRRGGBB so core stays
// free of QtGui; widgets wrap them in QColor.
namespace ReportStyle {

enum class Language { English, Chinese };

// "zh", "zh_CN", "zh-Hans"... -> Chinese; anything else -> English.
Language parseLanguage(const QString &code);
QString languageCode(Language language); // "en" or "zh_CN"

// Picks the English or the Simplified Chinese text.
inline QString pick(Language language, const char *en, const char *zh)
{
    return QString::fromUtf8(language == Language::Chinese ? zh : en);
}

// Display categories of a request bar: 0 is "waiting" (no span running), then Phase + 1 (queued,
// DB read, LLM, DB write, prefetch, poll wait, respond).
inline constexpr int CategoryCount = 14; // "waiting" + one per Phase
quint32 categoryColor(int category, bool dark);
QString categoryName(int category, Language language);
// The colour a blocked event loop is drawn in (the window's strip, the reports' lag plot).
quint32 blockedColor(bool dark);

// Runs/variants side by side: A, B, C... (the compare view and the reports' overlays).
quint32 variantColor(int index);

QString hex(quint32 rgb); // "#rrggbb"

} // namespace ReportStyle
