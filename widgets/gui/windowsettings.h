#pragma once

#include <QByteArray>
#include <QString>
#include <QVariantMap>

class MainWindow;
class QSettings;
class QWidget;

// Everything the window restores on the next start, read and written as one value: the layout
// (window geometry, docks, the centre splitter), the palette and font size, the language chosen
// in View > Language, and every setting of the server and users panels. A panel's settings are
// its named input widgets (spin boxes, combo boxes, check boxes, checkable buttons, text fields
// other than password fields), so a new
// control with an object name is remembered without a line here.
struct WindowSettings
{
    QByteArray geometry;
    QByteArray dockState;
    QByteArray centreState;
    bool dark = true;
    bool largeFonts = false;
    QString language; // "en", "zh_CN"; empty: the system's
    QVariantMap serverPanel;
    QVariantMap usersPanel;

    // From `settings` (defaults for what is not there).
    static WindowSettings read(const QSettings &settings);
    void write(QSettings &settings) const;
    // What `window` shows now, and back.
    static WindowSettings of(const MainWindow *window);
    void applyTo(MainWindow *window) const;
    // Whether a window was ever saved (the first start shows the tour).
    static bool exists(const QSettings &settings);

    // The values of `panel`'s named input widgets, by object name.
    static QVariantMap inputsOf(const QWidget *panel);
    // Sets them back: combo boxes first (a scenario fills the fields it is followed by), then the
    // rest. `quiet`: without the widgets' signals.
    static void setInputs(QWidget *panel, const QVariantMap &values, bool quiet);
};
