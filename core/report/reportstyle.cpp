#include "reportstyle.h"

#include <algorithm>
#include <array>

namespace ReportStyle {

namespace {

// Picked to stay distinguishable on both backgrounds and for the common colour-vision deficiencies.
constexpr std::array<quint32, CategoryCount> kDark = {
    0x5a606b, // waiting
    0xb07ce8, // queued for the pool
    0x4ea8de, // DB read
    0x3cc47c, // LLM
    0xf2a13b, // DB write
    0x2fd0d0, // prefetch
    0x8a8f98, // poll
    0xf06eaa, // respond
    0xc98a5a, // CPU work (brown: apart from the red "loop blocked" strip)
    0xd9c84a, // GIL wait
    0x9aa5b1, // other (observed)
    0xff9e80, // loop wait: ready, but the loop was busy (a light salmon: the family of the red "loop blocked"
              // strip, told apart from it)
    0xb5d334, // handler: an observed server span's own time
    0x8fa8ff, // DB pool wait
};
constexpr std::array<quint32, CategoryCount> kLight = {
    0xc4c8ce, 0x8e5cd0, 0x257fc0, 0x1f9d55, 0xe08a1c, 0x13a8a8, 0x7a8088,
    0xd8448a, 0x8a5228, 0xa8961a, 0x6f7a86, 0xf08a6c, 0x7a9a12, 0x4a64d0,
};
constexpr std::array<quint32, 6> kVariants = { 0x2f7fd6, 0xe8771a, 0x7b4fc4, 0x1f9d55, 0xd8448a, 0x6b7280 };

} // namespace

Language parseLanguage(const QString &code)
{
    return code.startsWith(QLatin1String("zh"), Qt::CaseInsensitive) ? Language::Chinese : Language::English;
}

QString languageCode(Language language)
{
    return language == Language::Chinese ? QStringLiteral("zh_CN") : QStringLiteral("en");
}

quint32 categoryColor(int category, bool dark)
{
    if (category < 0 || category >= CategoryCount)
        return 0x999999;
    return (dark ? kDark : kLight)[size_t(category)];
}

QString categoryName(int category, Language language)
{
    static const char *const en[CategoryCount]
        = { "waiting", "queued",   "DB read",  "LLM",   "DB write",  "prefetch", "poll wait",
            "respond", "CPU work", "GIL wait", "other", "loop wait", "handler",  "DB pool wait" };
    static const char *const zh[CategoryCount]
        = { "等待", "排队",     "数据库读取", "LLM",  "数据库写入",   "预取",     "轮询等待",
            "响应", "CPU 计算", "等待 GIL",   "其他", "等待事件循环", "处理函数", "等待数据库连接" };
    if (category < 0 || category >= CategoryCount)
        return {};
    return pick(language, en[category], zh[category]);
}

quint32 blockedColor(bool dark)
{
    return dark ? 0xff4d4f : 0xd62828;
}

quint32 variantColor(int index)
{
    return kVariants[size_t(std::max(0, index)) % kVariants.size()];
}

QString hex(quint32 rgb)
{
    return QStringLiteral("#%1").arg(rgb & 0xffffff, 6, 16, QLatin1Char('0'));
}

} // namespace ReportStyle
