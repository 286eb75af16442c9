// The window on a classroom laptop: at 1366x768 every primary control (the dispatch mode,
// start/stop, the server's status and URL, start users and the users' progress) lies inside the
// window and is not cut off by a scroll area or a dock, in English and in Chinese.
#include "gui/mainwindow.h"
#include "gui/theme.h"
#include "guitest.h"
#include "http/chatserver.h"
#include "server/servercontrolpanel.h"
#include "users/userspanel.h"

#include <QAbstractButton>
#include <QApplication>
#include <QDir>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTranslator>

namespace {

// Where `w` is cut off on its way up to the window: empty when every ancestor shows all of it.
QString clipping(const QWidget *w, const QWidget *window)
{
    const QRect own = w->rect();
    for (const QWidget *p = w->parentWidget(); p; p = p->parentWidget()) {
        const QRect inP(w->mapTo(p, own.topLeft()), own.size());
        if (!p->rect().contains(inP))
            return QStringLiteral("%1 (%2,%3 %4x%5) is cut off by %6 %7 (%8x%9)")
                .arg(w->objectName())
                .arg(inP.x())
                .arg(inP.y())
                .arg(inP.width())
                .arg(inP.height())
                .arg(QString::fromLatin1(p->metaObject()->className()), p->objectName())
                .arg(p->width())
                .arg(p->height());
        if (p == window)
            break;
    }
    return QString();
}

} // namespace

class TestWindowLayout : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        useSettingsIn(m_dir.path(), QStringLiteral("LoopScopeLayoutTest"));
        Theme::apply(true);
    }

    void primaryControlsFitOnALaptop_data()
    {
        QTest::addColumn<QString>("language");
        QTest::addColumn<QSize>("size");
        QTest::addRow("en 1366x768") << QStringLiteral("en") << QSize(1366, 768);
        QTest::addRow("zh_CN 1366x768") << QStringLiteral("zh_CN") << QSize(1366, 768);
        QTest::addRow("en 1920x1080") << QStringLiteral("en") << QSize(1920, 1080);
        QTest::addRow("zh_CN 1920x1080") << QStringLiteral("zh_CN") << QSize(1920, 1080);
    }

    void primaryControlsFitOnALaptop()
    {
        QFETCH(QString, language);
        QFETCH(QSize, size);
        QTranslator translator;
        const bool chinese = language == QLatin1String("zh_CN");
        if (chinese) {
            QVERIFY(translator.load(QStringLiteral(":/loopscope/i18n/loopscope_zh_CN.qm")));
            QCoreApplication::installTranslator(&translator);
            QLocale::setDefault(QLocale(QLocale::Chinese, QLocale::SimplifiedChineseScript, QLocale::China));
        }
        auto restore = qScopeGuard([&translator] {
            QCoreApplication::removeTranslator(&translator);
            QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
        });

        ChatServer server;
        MainWindow window(&server);
        window.resize(size);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(window.size(), size);
        ServerControlPanel *panel = window.serverPanel();
        // The status and URL show what a serving window shows.
        QVERIFY(startOnSqlite(panel, m_dir.filePath(QStringLiteral("history-%1.sqlite").arg(language))));
        window.usersPanel()->startGuidedTour(); // the first start's hint takes room too
        auto stop = qScopeGuard([panel] { panel->stopServerNow(); });

        auto *startStop = panel->findChild<QPushButton *>(QStringLiteral("startStop"));
        QVERIFY(startStop);
        // The Chinese rows really are in Chinese (else they would only repeat the English ones).
        QCOMPARE(startStop->text() != QLatin1String("Stop server"), chinese);
        QList<QWidget *> primary { startStop };
        for (const char *mode : { "mode-blocking", "mode-executor", "mode-async" })
            primary << panel->findChild<QAbstractButton *>(QLatin1String(mode));
        primary << panel->findChild<QLabel *>(QStringLiteral("serverStatus"))
                << panel->findChild<QLabel *>(QStringLiteral("serverUrl"))
                << window.usersPanel()->findChild<QPushButton *>(QStringLiteral("startUsers"))
                << window.usersPanel()->findChild<QProgressBar *>(QStringLiteral("usersProgress"));
        QTRY_VERIFY(window.findChild<QLabel *>(QStringLiteral("serverUrl"))
                        ->text()
                        .contains(QLatin1String("http://")));
        QApplication::processEvents(); // the last layout pass
        for (QWidget *w : std::as_const(primary)) {
            QVERIFY(w);
            QVERIFY2(w->isVisible(), qPrintable(w->objectName()));
            QVERIFY2(w->height() >= w->minimumSizeHint().height(), qPrintable(w->objectName()));
            const QString cut = clipping(w, &window);
            QVERIFY2(cut.isEmpty(), qPrintable(cut));
            // A wrapped label has the height its text needs at its width.
            if (auto *label = qobject_cast<QLabel *>(w); label && label->wordWrap())
                QVERIFY2(label->height() >= label->heightForWidth(label->width()),
                         qPrintable(label->objectName() + QLatin1Char(' ') + label->text()));
        }
    }

private:
    QTemporaryDir m_dir;
};

LOOPSCOPE_GUI_TEST_MAIN(TestWindowLayout, 1920, 1080)
#include "tst_windowlayout.moc"
