#include "windowsettings.h"

#include "mainwindow.h"
#include "server/servercontrolpanel.h"
#include "users/userspanel.h"

#include <QAbstractButton>
#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>

namespace {

const QString kGeometry = QStringLiteral("window/geometry");
const QString kDocks = QStringLiteral("window/state");
const QString kCentre = QStringLiteral("window/centre");
const QString kDark = QStringLiteral("view/dark");
const QString kLargeFonts = QStringLiteral("view/largeFonts");
const QString kLanguage = QStringLiteral("view/language");
const QString kServer = QStringLiteral("panels/server");
const QString kUsers = QStringLiteral("panels/users");

// The input widgets that hold a setting: named by the panel (Qt's own children are "qt_…").
QList<QWidget *> inputs(const QWidget *panel)
{
    QList<QWidget *> out;
    for (QWidget *w : panel->findChildren<QWidget *>()) {
        const QString name = w->objectName();
        if (name.isEmpty() || name.startsWith(QLatin1String("qt_")))
            continue;
        // An action rather than a setting (the Record button): never restored on the next start.
        if (w->property("loopscopeAction").toBool())
            continue;
        const auto *button = qobject_cast<QAbstractButton *>(w);
        // A text field, unless it holds a secret (a password is never written to the settings).
        const auto *edit = qobject_cast<QLineEdit *>(w);
        if (qobject_cast<QSpinBox *>(w) || qobject_cast<QDoubleSpinBox *>(w) || qobject_cast<QComboBox *>(w)
            || (button && button->isCheckable()) || (edit && edit->echoMode() == QLineEdit::Normal))
            out.append(w);
    }
    return out;
}

QVariant valueOf(const QWidget *w)
{
    if (const auto *b = qobject_cast<const QSpinBox *>(w))
        return b->value();
    if (const auto *b = qobject_cast<const QDoubleSpinBox *>(w))
        return b->value();
    if (const auto *b = qobject_cast<const QComboBox *>(w))
        return b->currentData().isValid() ? b->currentData() : QVariant(b->currentText());
    if (const auto *b = qobject_cast<const QAbstractButton *>(w))
        return b->isChecked();
    if (const auto *e = qobject_cast<const QLineEdit *>(w)) {
        // A field may say what of it is kept ("settingValue": e.g. a URI without its password).
        const QVariant own = e->property("settingValue");
        return own.isValid() ? own.toString() : e->text();
    }
    return {};
}

void setValue(QWidget *w, const QVariant &v)
{
    if (auto *b = qobject_cast<QSpinBox *>(w)) {
        b->setValue(v.toInt());
    } else if (auto *b = qobject_cast<QDoubleSpinBox *>(w)) {
        b->setValue(v.toDouble());
    } else if (auto *b = qobject_cast<QComboBox *>(w)) {
        int i = b->findData(v);
        if (i < 0 && v.typeId() == QMetaType::QString)
            i = b->findText(v.toString());
        if (i >= 0)
            b->setCurrentIndex(i);
    } else if (auto *e = qobject_cast<QLineEdit *>(w)) {
        e->setText(v.toString());
        if (e->property("settingValue").isValid()) // kept in step even when restored quietly
            e->setProperty("settingValue", v.toString());
    } else if (auto *b = qobject_cast<QAbstractButton *>(w)) {
        // In an exclusive group only the chosen button is set; the group unchecks the others.
        if (v.toBool() || !b->group() || !b->group()->exclusive())
            b->setChecked(v.toBool());
    }
}

// LoopScope 0.2.0 kept a few server fields one key each; a settings file from it keeps them.
QVariantMap legacyServerPanel(const QSettings &s)
{
    QVariantMap panel;
    if (s.contains(QStringLiteral("server/mode")))
        panel.insert(QStringLiteral("mode-") + s.value(QStringLiteral("server/mode")).toString(), true);
    const std::pair<const char *, const char *> keys[] = {
        { "server/workers", "workers" }, { "server/poolSize", "poolSize" },
        { "server/dbRead", "dbRead" },   { "server/llm", "llm" },
        { "server/dbWrite", "dbWrite" }, { "server/timeScale", "timeScale" },
        { "server/port", "port" },       { "server/maxInFlight", "admissionLimit" },
    };
    for (const auto &[key, name] : keys) {
        if (s.contains(QLatin1String(key)))
            panel.insert(QLatin1String(name), s.value(QLatin1String(key)));
    }
    return panel;
}

} // namespace

WindowSettings WindowSettings::read(const QSettings &s)
{
    WindowSettings w;
    w.geometry = s.value(kGeometry).toByteArray();
    w.dockState = s.value(kDocks).toByteArray();
    w.centreState = s.value(kCentre).toByteArray();
    w.dark = s.value(kDark, true).toBool();
    w.largeFonts = s.value(kLargeFonts, false).toBool();
    w.language = s.value(kLanguage).toString();
    w.serverPanel = s.contains(kServer) ? s.value(kServer).toMap() : legacyServerPanel(s);
    w.usersPanel = s.value(kUsers).toMap();
    return w;
}

void WindowSettings::write(QSettings &s) const
{
    s.setValue(kGeometry, geometry);
    s.setValue(kDocks, dockState);
    s.setValue(kCentre, centreState);
    s.setValue(kDark, dark);
    s.setValue(kLargeFonts, largeFonts);
    s.setValue(kLanguage, language);
    s.setValue(kServer, serverPanel);
    s.setValue(kUsers, usersPanel);
    s.sync();
}

WindowSettings WindowSettings::of(const MainWindow *window)
{
    WindowSettings s;
    s.geometry = window->saveGeometry();
    s.dockState = window->saveState();
    s.centreState = window->centreSplitter()->saveState();
    s.dark = window->isDark();
    s.largeFonts = window->largeFonts();
    s.language = window->language();
    s.serverPanel = inputsOf(window->serverPanel());
    s.usersPanel = inputsOf(window->usersPanel());
    return s;
}

void WindowSettings::applyTo(MainWindow *window) const
{
    window->restoreGeometry(geometry);
    window->restoreState(dockState);
    window->centreSplitter()->restoreState(centreState);
    window->setDarkTheme(dark);
    window->setLargeFonts(largeFonts);
    window->setLanguage(language);
    // The server panel quietly (nothing to apply before the server starts); the users panel with
    // its signals, so a restored scenario fills its fields before the saved fields override them.
    setInputs(window->serverPanel(), serverPanel, true);
    setInputs(window->usersPanel(), usersPanel, false);
}

bool WindowSettings::exists(const QSettings &settings)
{
    return settings.contains(kGeometry);
}

QVariantMap WindowSettings::inputsOf(const QWidget *panel)
{
    QVariantMap values;
    for (const QWidget *w : inputs(panel))
        values.insert(w->objectName(), valueOf(w));
    return values;
}

void WindowSettings::setInputs(QWidget *panel, const QVariantMap &values, bool quiet)
{
    const QList<QWidget *> all = inputs(panel);
    QList<QWidget *> ordered;
    for (QWidget *w : all) {
        if (qobject_cast<QComboBox *>(w))
            ordered.append(w);
    }
    for (QWidget *w : all) {
        if (!qobject_cast<QComboBox *>(w))
            ordered.append(w);
    }
    for (QWidget *w : std::as_const(ordered)) {
        const auto it = values.constFind(w->objectName());
        if (it == values.constEnd())
            continue;
        const QSignalBlocker block(quiet ? w : nullptr);
        setValue(w, *it);
    }
}
