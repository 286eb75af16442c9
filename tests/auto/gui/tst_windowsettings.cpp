// What the next start restores: every setting of the server and users panels (the auto-scaling,
// executor kind, GIL and CPU-work rows included), the layout, the palette, the font size and the
// language, written by one window into a fresh settings file and read by a second one.
#include "gui/mainwindow.h"
#include "gui/windowsettings.h"
#include "guitest.h"
#include "http/chatserver.h"
#include "server/servercontrolpanel.h"
#include "timelineview/timelineview.h"
#include "users/userspanel.h"

#include <QAbstractButton>
#include <QApplication>
#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QDirIterator>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QSplitter>
#include <QTemporaryDir>
#include <QTest>

namespace {

// The input widgets a panel's user can set (Qt's own children excluded), in creation order.
QList<QWidget *> settableInputs(QWidget *panel)
{
    QList<QWidget *> out;
    for (QWidget *w : panel->findChildren<QWidget *>()) {
        if (w->objectName().startsWith(QLatin1String("qt_")))
            continue;
        const auto *button = qobject_cast<QAbstractButton *>(w);
        const bool modeButton = button && button->group() && button->group()->exclusive();
        const auto *edit = qobject_cast<QLineEdit *>(w);
        const bool textField = edit && !edit->isReadOnly() && edit->echoMode() == QLineEdit::Normal;
        if (qobject_cast<QAbstractSpinBox *>(w) || qobject_cast<QComboBox *>(w)
            || qobject_cast<QCheckBox *>(w) || modeButton || textField)
            out.append(w);
    }
    return out;
}

QVariant current(QWidget *w)
{
    if (auto *b = qobject_cast<QSpinBox *>(w))
        return b->value();
    if (auto *b = qobject_cast<QDoubleSpinBox *>(w))
        return b->value();
    if (auto *b = qobject_cast<QComboBox *>(w))
        return b->currentIndex();
    if (auto *e = qobject_cast<QLineEdit *>(w))
        return e->text();
    return qobject_cast<QAbstractButton *>(w)->isChecked();
}

// Moves `w` away from whatever it holds.
void change(QWidget *w)
{
    if (auto *b = qobject_cast<QSpinBox *>(w)) {
        b->setValue(b->value() == b->maximum() ? b->minimum() : std::min(b->maximum(), b->value() + 3));
    } else if (auto *b = qobject_cast<QDoubleSpinBox *>(w)) {
        b->setValue(b->value() + 1.25 <= b->maximum() ? b->value() + 1.25 : b->minimum());
    } else if (auto *b = qobject_cast<QComboBox *>(w)) {
        b->setCurrentIndex(b->currentIndex() == b->count() - 1 ? 0 : b->count() - 1);
    } else if (auto *e = qobject_cast<QLineEdit *>(w)) {
        e->setText(e->text() + QStringLiteral("host=db%1.example dbname=x").arg(e->text().size()));
    } else if (auto *b = qobject_cast<QAbstractButton *>(w)) {
        if (b->group() && b->group()->exclusive()) {
            if (!b->isChecked() && b->group()->buttons().constLast() == b)
                b->setChecked(true); // the group's last choice; the others follow
        } else {
            b->setChecked(!b->isChecked());
        }
    }
}

} // namespace

class TestWindowSettings : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        useSettingsIn(m_dir.path(), QStringLiteral("LoopScopeSettingsTest"));
        QVERIFY(!WindowSettings::exists(QSettings()));
        m_font = QApplication::font();
    }
    void cleanup() { QApplication::setFont(m_font); }

    void everyPanelSettingIsRestored();
    void everyInputOfThePanelsIsRemembered();
    void settingsOfTheFirstVersionAreRead();
    void databasePasswordIsNeverSaved();
    void wrongDatabaseIsAMessageInThePanel();

private:
    QTemporaryDir m_dir;
    QFont m_font;
};

void TestWindowSettings::everyPanelSettingIsRestored()
{
    ServerConfig c;
    LoadSettings load;
    QList<int> centre;
    {
        ChatServer server;
        MainWindow a(&server);
        a.resize(1500, 900);
        a.show();
        c = a.serverPanel()->config();
        c.mode = DispatchMode::Executor;
        c.workers = 3;
        c.workersMax = 6;
        c.scaleUpWaiting = 17;
        c.scaleDownIdleSeconds = 4.5;
        c.poolSize = 7;
        c.executor = ExecutorKind::Processes;
        c.gil = true;
        c.cpuWorkSeconds = 0.25;
        c.dbReadSeconds = 0.3;
        c.dbWriteSeconds = 0.07;
        c.llm.latency.kind = LatencyModel::Kind::LogNormal;
        c.llm.latency.mean = 1.5;
        c.llm.latency.spread = 0.4;
        c.llm.firstTokenSeconds = 0.2;
        c.timeScale = 0.5;
        c.maxInFlight = 42;
        c.port = 8123;
        c.dbPath = QStringLiteral("postgresql://ann@db.example:5433/chat?sslmode=disable");
        c.dbPoolSize = 23;
        a.serverPanel()->setConfig(c);
        // A scenario, then fields changed from what it filled in.
        UsersPanel *users = a.usersPanel();
        QVERIFY(users->selectScenario(QStringLiteral("gather/B")));
        users->findChild<QComboBox *>(QStringLiteral("loadModel"))->setCurrentIndex(1); // open
        users->findChild<QSpinBox *>(QStringLiteral("users"))->setValue(33);
        users->findChild<QSpinBox *>(QStringLiteral("requestsPerUser"))->setValue(4);
        users->findChild<QDoubleSpinBox *>(QStringLiteral("think"))->setValue(1.5);
        users->findChild<QDoubleSpinBox *>(QStringLiteral("rampUp"))->setValue(2);
        users->findChild<QDoubleSpinBox *>(QStringLiteral("arrivalRate"))->setValue(25);
        users->findChild<QDoubleSpinBox *>(QStringLiteral("duration"))->setValue(12);
        users->findChild<QCheckBox *>(QStringLiteral("naive"))->setChecked(true);
        users->findChild<QCheckBox *>(QStringLiteral("stream"))->setChecked(true);
        load = users->settings();
        a.centreSplitter()->setSizes({ 300, 300, 200 });
        centre = a.centreSplitter()->sizes();
        a.requestView()->setLeftMargin(231); // as a drag would: the other views follow
        a.threadView()->setLeftMargin(231);
        a.setDarkTheme(false);
        a.setLargeFonts(true);
        a.setLanguage(QStringLiteral("zh_CN"));
        QVERIFY(a.close()); // saves
    }
    QApplication::setFont(m_font);
    QVERIFY(WindowSettings::exists(QSettings()));

    ChatServer server;
    MainWindow b(&server);
    b.restoreSettings();
    b.show();
    const ServerConfig r = b.serverPanel()->config();
    QCOMPARE(r.mode, c.mode);
    QCOMPARE(r.workers, c.workers);
    QCOMPARE(r.workersMax, c.workersMax);
    QCOMPARE(r.scaleUpWaiting, c.scaleUpWaiting);
    QCOMPARE(r.scaleDownIdleSeconds, c.scaleDownIdleSeconds);
    QCOMPARE(r.poolSize, c.poolSize);
    QCOMPARE(r.executor, c.executor);
    QCOMPARE(r.gil, c.gil);
    QCOMPARE(r.cpuWorkSeconds, c.cpuWorkSeconds);
    QCOMPARE(r.dbReadSeconds, c.dbReadSeconds);
    QCOMPARE(r.dbWriteSeconds, c.dbWriteSeconds);
    QCOMPARE(r.llm.latency.kind, c.llm.latency.kind);
    QCOMPARE(r.llm.latency.mean, c.llm.latency.mean);
    QCOMPARE(r.llm.latency.spread, c.llm.latency.spread);
    QCOMPARE(r.llm.firstTokenSeconds, c.llm.firstTokenSeconds);
    QCOMPARE(r.timeScale, c.timeScale);
    QCOMPARE(r.maxInFlight, c.maxInFlight);
    QCOMPARE(r.port, c.port);
    QCOMPARE(r.dbPath, c.dbPath);
    QCOMPARE(r.dbPoolSize, 23);

    Scenario scenario;
    QString variant;
    QVERIFY(b.usersPanel()->currentScenario(&scenario, &variant));
    QCOMPARE(scenario.name, QStringLiteral("gather"));
    QCOMPARE(variant, QStringLiteral("B"));
    const LoadSettings l = b.usersPanel()->settings();
    QCOMPARE(l.model, LoadSettings::Model::Open);
    QCOMPARE(l.users, 33);
    QCOMPARE(l.requestsPerUser, 4);
    QCOMPARE(l.thinkSeconds, 1.5);
    QCOMPARE(l.spawnRate, load.spawnRate);
    QCOMPARE(l.arrivalRate, 25.0);
    QCOMPARE(l.durationSeconds, 12.0);
    QVERIFY(l.naive);
    QVERIFY(l.stream);
    QCOMPARE(l.options, load.options); // the scenario's request options (gathered LLM calls)
    QCOMPARE(l.message, load.message);

    QCOMPARE(b.size(), QSize(1500, 900));
    QCOMPARE(b.centreSplitter()->sizes(), centre);
    QCOMPARE(b.requestView()->leftMargin(), 231);
    QCOMPARE(b.threadView()->leftMargin(), 231);
    QVERIFY(!b.isDark());
    QVERIFY(b.largeFonts());
    QCOMPARE(b.language(), QStringLiteral("zh_CN"));
    QCOMPARE(WindowSettings::read(QSettings()).language, QStringLiteral("zh_CN")); // what main() reads
}

void TestWindowSettings::everyInputOfThePanelsIsRemembered()
{
    // Whatever control a panel has, or gets later: each is named (so it is saved) and comes back.
    QHash<QString, QVariant> before;
    {
        ChatServer server;
        MainWindow a(&server);
        for (QWidget *panel :
             { static_cast<QWidget *>(a.serverPanel()), static_cast<QWidget *>(a.usersPanel()) }) {
            const QList<QWidget *> inputs = settableInputs(panel);
            QVERIFY(inputs.size() >= 10);
            // Combo boxes first: a scenario fills the fields after it.
            for (bool combos : { true, false }) {
                for (QWidget *w : inputs) {
                    QVERIFY2(!w->objectName().isEmpty(),
                             qPrintable(QStringLiteral("an unnamed %1 in %2 would not be saved")
                                            .arg(QString::fromLatin1(w->metaObject()->className()),
                                                 QString::fromLatin1(panel->metaObject()->className()))));
                    if (bool(qobject_cast<QComboBox *>(w)) == combos)
                        change(w);
                }
            }
            for (QWidget *w : inputs)
                before.insert(w->objectName(), current(w));
        }
        QVERIFY(before.value(QStringLiteral("mode-async")).toBool());
        QVERIFY(a.close());
    }
    QApplication::setFont(m_font);
    ChatServer server;
    MainWindow b(&server);
    b.restoreSettings();
    int compared = 0;
    for (QWidget *panel :
         { static_cast<QWidget *>(b.serverPanel()), static_cast<QWidget *>(b.usersPanel()) }) {
        for (QWidget *w : settableInputs(panel)) {
            QVERIFY2(before.contains(w->objectName()), qPrintable(w->objectName()));
            QCOMPARE(current(w), before.value(w->objectName()));
            ++compared;
        }
    }
    QCOMPARE(compared, before.size());
}

void TestWindowSettings::settingsOfTheFirstVersionAreRead()
{
    // LoopScope 0.2.0 wrote a few server fields one key each; an upgrade keeps them.
    {
        QSettings s;
        s.clear();
        s.setValue(QStringLiteral("server/mode"), QStringLiteral("executor"));
        s.setValue(QStringLiteral("server/workers"), 5);
        s.setValue(QStringLiteral("server/llm"), 3.5);
        s.setValue(QStringLiteral("server/maxInFlight"), 99);
    }
    ChatServer server;
    MainWindow w(&server);
    w.restoreSettings();
    const ServerConfig c = w.serverPanel()->config();
    QCOMPARE(c.mode, DispatchMode::Executor);
    QCOMPARE(c.workers, 5);
    QCOMPARE(c.llm.latency.mean, 3.5);
    QCOMPARE(c.maxInFlight, 99);
}

// A password typed into the URI moves to the password field: neither the settings file nor the
// URI field keeps it, while this session still connects with it; the next start does not.
void TestWindowSettings::databasePasswordIsNeverSaved()
{
    const QString secret = QStringLiteral("Sup3rSecretPw");
    {
        QSettings().clear();
        ChatServer server;
        MainWindow a(&server);
        a.show();
        auto *database = a.serverPanel()->findChild<QComboBox *>(QStringLiteral("database"));
        auto *uri = a.serverPanel()->findChild<QLineEdit *>(QStringLiteral("dbUri"));
        QVERIFY(database && uri);
        database->setCurrentIndex(database->findData(QStringLiteral("postgresql")));
        uri->setText(QStringLiteral("postgresql://ann:%1@db.example:5433/chat").arg(secret));
        // Saved before editing finished: still without the password.
        QVERIFY(!WindowSettings::inputsOf(a.serverPanel())
                     .value(QStringLiteral("dbUri"))
                     .toString()
                     .contains(secret));
        emit uri->editingFinished();
        QCOMPARE(uri->text(), QStringLiteral("postgresql://ann@db.example:5433/chat"));
        QVERIFY(a.serverPanel()->config().dbPath.contains(secret)); // this session connects with it
        QVERIFY(a.close());
    }
    QSettings().sync();
    QDirIterator files(m_dir.path(), QDir::Files, QDirIterator::Subdirectories);
    int read = 0;
    while (files.hasNext()) {
        QFile f(files.next());
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY2(!f.readAll().contains(secret.toUtf8()), qPrintable(f.fileName()));
        ++read;
    }
    QVERIFY(read >= 1);
    ChatServer server;
    MainWindow b(&server);
    b.restoreSettings();
    QCOMPARE(b.serverPanel()->config().dbPath, QStringLiteral("postgresql://ann@db.example:5433/chat"));
}

// A database the server cannot use: the panel says why (without the password), the window
// keeps running, and SQLite starts again when chosen.
void TestWindowSettings::wrongDatabaseIsAMessageInThePanel()
{
    ChatServer server;
    MainWindow w(&server);
    w.show();
    ServerControlPanel *panel = w.serverPanel();
    auto *database = panel->findChild<QComboBox *>(QStringLiteral("database"));
    auto *uri = panel->findChild<QLineEdit *>(QStringLiteral("dbUri"));
    auto *status = panel->findChild<QLabel *>(QStringLiteral("serverStatus"));
    QVERIFY(database && uri && status);
    QSignalSpy messages(panel, &ServerControlPanel::message);
    database->setCurrentIndex(database->findData(QStringLiteral("postgresql")));
    QVERIFY(!panel->startServer()); // no URI yet
    QVERIFY2(status->text().contains(QLatin1String("URI")), qPrintable(status->text()));
    const struct
    {
        QString uri;
        const char *says;
    } wrong[] = {
        { QStringLiteral("postgresql://ann:Wr0ngPw@127.0.0.1:1/chat?connect_timeout=2"),
          "cannot connect to PostgreSQL" },
        { QStringLiteral("host=localhost port=1 password=Wr0ngPw dbname='unclosed"), "--db" },
    };
    QSignalSpy failed(panel, &ServerControlPanel::startFailed);
    for (const auto &bad : wrong) {
        uri->setText(bad.uri);
        emit uri->editingFinished();
        messages.clear();
        failed.clear();
        QVERIFY(panel->startServer()); // the start begins, off the GUI thread, and fails there
        QVERIFY(failed.wait(15000));
        QVERIFY(!server.isRunning());
        QVERIFY2(status->text().contains(QLatin1String(bad.says)), qPrintable(status->text()));
        QVERIFY2(!status->text().contains(QLatin1String("Wr0ngPw")), qPrintable(status->text()));
        QVERIFY(!messages.isEmpty());
        for (const QList<QVariant> &m : std::as_const(messages))
            QVERIFY2(!m.at(0).toString().contains(QLatin1String("Wr0ngPw")), qPrintable(m.at(0).toString()));
    }
    database->setCurrentIndex(database->findData(QStringLiteral("sqlite")));
    ServerConfig c = panel->config();
    QVERIFY(!c.usesPostgres());
    c.port = 0;
    c.dbPath = m_dir.filePath(QStringLiteral("history.sqlite"));
    panel->setDatabasePath(c.dbPath);
    panel->setConfig(c);
    QSignalSpy started(panel, &ServerControlPanel::serverStarted);
    QVERIFY(panel->startServer());
    QVERIFY(started.wait(10000));
    QVERIFY(status->text().contains(QLatin1String("SQLite")));
    panel->stopServerNow();
}

LOOPSCOPE_GUI_TEST_MAIN(TestWindowSettings, 1920, 1080)
#include "tst_windowsettings.moc"
