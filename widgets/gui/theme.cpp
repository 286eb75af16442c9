#include "theme.h"

#include "report/reportstyle.h"

#include <QApplication>
#include <QLocale>
#include <QPalette>
#include <QStyleFactory>

namespace {

Theme makeTheme(bool dark)
{
    Theme t;
    t.dark = dark;
    if (dark) {
        t.window = QColor(0x1e, 0x21, 0x27);
        t.base = QColor(0x16, 0x18, 0x1d);
        t.text = QColor(0xe6, 0xe8, 0xeb);
        t.mutedText = QColor(0x9a, 0xa2, 0xad);
        t.grid = QColor(0x2c, 0x31, 0x39);
        t.axis = QColor(0x5c, 0x64, 0x70);
        t.nowLine = QColor(0xff, 0xd1, 0x66);
        t.selection = QColor(0xff, 0xff, 0xff);
        t.blocked = QColor(ReportStyle::blockedColor(true));
        t.blockedStrip = t.blocked;
    } else {
        t.window = QColor(0xf3, 0xf4, 0xf6);
        t.base = QColor(0xff, 0xff, 0xff);
        t.text = QColor(0x1f, 0x23, 0x28);
        t.mutedText = QColor(0x5f, 0x66, 0x70);
        t.grid = QColor(0xe4, 0xe7, 0xeb);
        t.axis = QColor(0x9a, 0xa0, 0xa8);
        t.nowLine = QColor(0xd9, 0x7a, 0x00);
        t.selection = QColor(0x00, 0x00, 0x00);
        t.blocked = QColor(ReportStyle::blockedColor(false));
        t.blockedStrip = t.blocked;
    }
    // Phase colours come from the one palette the reports use too.
    static_assert(Theme::CategoryCount == ReportStyle::CategoryCount);
    for (int c = 0; c < Theme::CategoryCount; ++c)
        t.category[size_t(c)] = QColor(ReportStyle::categoryColor(c, dark));
    return t;
}

Theme g_theme = makeTheme(true);

} // namespace

const Theme &Theme::current()
{
    return g_theme;
}

void Theme::apply(bool dark)
{
    g_theme = makeTheme(dark);
    if (auto *app = qobject_cast<QApplication *>(QCoreApplication::instance())) {
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QPalette p;
        const Theme &t = g_theme;
        p.setColor(QPalette::Window, t.window);
        p.setColor(QPalette::WindowText, t.text);
        p.setColor(QPalette::Base, t.base);
        p.setColor(QPalette::AlternateBase, t.window);
        p.setColor(QPalette::Text, t.text);
        p.setColor(QPalette::Button, dark ? QColor(0x2a, 0x2e, 0x36) : QColor(0xe9, 0xeb, 0xee));
        p.setColor(QPalette::ButtonText, t.text);
        p.setColor(QPalette::ToolTipBase, dark ? QColor(0x2a, 0x2e, 0x36) : QColor(0xff, 0xff, 0xf0));
        p.setColor(QPalette::ToolTipText, t.text);
        p.setColor(QPalette::PlaceholderText, t.mutedText);
        p.setColor(QPalette::Highlight, dark ? QColor(0x3d, 0x7e, 0xd6) : QColor(0x2f, 0x6f, 0xd0));
        p.setColor(QPalette::HighlightedText, Qt::white);
        p.setColor(QPalette::Link, dark ? QColor(0x6c, 0xb4, 0xff) : QColor(0x1a, 0x5f, 0xc0));
        p.setColor(QPalette::Disabled, QPalette::Text, t.mutedText);
        p.setColor(QPalette::Disabled, QPalette::ButtonText, t.mutedText);
        p.setColor(QPalette::Disabled, QPalette::WindowText, t.mutedText);
        app->setPalette(p);
    }
    emit ThemeNotifier::instance()->changed();
}

QString Theme::categoryName(int category)
{
    // The reports' vocabulary, in the UI language (guiapp sets the default locale with it).
    return ReportStyle::categoryName(category,
                                     QLocale().language() == QLocale::Chinese
                                         ? ReportStyle::Language::Chinese
                                         : ReportStyle::Language::English);
}

ThemeNotifier *ThemeNotifier::instance()
{
    static ThemeNotifier notifier;
    return &notifier;
}
