#include "theme.h"

#include <QApplication>
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
        t.blocked = QColor(0xff, 0x4d, 0x4f);
        t.blockedStrip = QColor(0xff, 0x4d, 0x4f);
        t.category = { QColor(0x5a, 0x60, 0x6b), // waiting
                       QColor(0xb0, 0x7c, 0xe8), // queued for the pool
                       QColor(0x4e, 0xa8, 0xde), // DB read
                       QColor(0x3c, 0xc4, 0x7c), // LLM
                       QColor(0xf2, 0xa1, 0x3b), // DB write
                       QColor(0x2f, 0xd0, 0xd0), // prefetch
                       QColor(0x8a, 0x8f, 0x98), // poll
                       QColor(0xf0, 0x6e, 0xaa) }; // respond
    } else {
        t.window = QColor(0xf3, 0xf4, 0xf6);
        t.base = QColor(0xff, 0xff, 0xff);
        t.text = QColor(0x1f, 0x23, 0x28);
        t.mutedText = QColor(0x5f, 0x66, 0x70);
        t.grid = QColor(0xe4, 0xe7, 0xeb);
        t.axis = QColor(0x9a, 0xa0, 0xa8);
        t.nowLine = QColor(0xd9, 0x7a, 0x00);
        t.selection = QColor(0x00, 0x00, 0x00);
        t.blocked = QColor(0xd6, 0x28, 0x28);
        t.blockedStrip = QColor(0xd6, 0x28, 0x28);
        t.category = { QColor(0xc4, 0xc8, 0xce), QColor(0x8e, 0x5c, 0xd0), QColor(0x25, 0x7f, 0xc0),
                       QColor(0x1f, 0x9d, 0x55), QColor(0xe0, 0x8a, 0x1c), QColor(0x13, 0xa8, 0xa8),
                       QColor(0x7a, 0x80, 0x88), QColor(0xd8, 0x44, 0x8a) };
    }
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
    static const char *const names[CategoryCount]
        = { QT_TR_NOOP("waiting"),  QT_TR_NOOP("queued"),   QT_TR_NOOP("DB read"),   QT_TR_NOOP("LLM"),
            QT_TR_NOOP("DB write"), QT_TR_NOOP("prefetch"), QT_TR_NOOP("poll wait"), QT_TR_NOOP("respond") };
    return category >= 0 && category < CategoryCount ? QCoreApplication::translate("Theme", names[category])
                                                     : QString();
}

ThemeNotifier *ThemeNotifier::instance()
{
    static ThemeNotifier notifier;
    return &notifier;
}
