// The installed program's data folder: found relative to the binary (here: named by
// $LOOPSCOPE_DATA_DIR, as the package test does with a real install), its scenarios listed and
// opened before the compiled-in ones; without one, the compiled-in scenarios only.
#include "install/installlayout.h"
#include "scenario/scenario.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

class TestInstallLayout : public QObject
{
    Q_OBJECT
private slots:
    void cleanup() { qunsetenv("LOOPSCOPE_DATA_DIR"); }

    void aFolderNamedLikeAScenarioDoesNotHideIt()
    {
        // `loopscope run --scenario cpu_bound --out cpu_bound`, then the same command again.
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString before = QDir::currentPath();
        QVERIFY(QDir::setCurrent(dir.path()));
        QVERIFY(QDir().mkdir(QStringLiteral("pseudo_async")));
        Scenario s;
        QString error;
        const bool opened = Scenario::open(QStringLiteral("pseudo_async"), &s, &error);
        QDir::setCurrent(before);
        QVERIFY2(opened, qPrintable(error));
        QCOMPARE(s.name, QStringLiteral("pseudo_async"));
    }

    void buildTreeHasNoDataFolder()
    {
        // tests/ has no ../share/loopscope next to it: everything comes from the resources.
        QVERIFY(InstallLayout::dataDir().isEmpty());
        QVERIFY(InstallLayout::scenariosDir().isEmpty());
        QVERIFY(InstallLayout::iconFile().isEmpty());
        QVERIFY(Scenario::builtinNames().contains(QStringLiteral("pseudo_async")));
        QVERIFY(!Scenario::builtinNames().contains(QStringLiteral("installed_probe")));
    }

    void installedScenariosComeFirst()
    {
        QTemporaryDir prefix;
        QVERIFY(prefix.isValid());
        const QString data = prefix.filePath(QStringLiteral("share/loopscope"));
        QVERIFY(QDir().mkpath(data + QStringLiteral("/scenarios")));
        QVERIFY(QDir().mkpath(prefix.filePath(QStringLiteral("share/icons/hicolor/scalable/apps"))));
        QFile icon(prefix.filePath(QStringLiteral("share/icons/hicolor/scalable/apps/loopscope.svg")));
        QVERIFY(icon.open(QIODevice::WriteOnly));
        icon.write("<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
        icon.close();
        // A scenario only the data folder has, and an installed pseudo_async with another title.
        Scenario seed;
        QVERIFY(Scenario::open(QStringLiteral("pseudo_async"), &seed, nullptr));
        QJsonObject probe = seed.raw;
        probe[QStringLiteral("title")]
            = QJsonObject { { QStringLiteral("en"), QStringLiteral("Installed copy") } };
        for (const QString &name : { QStringLiteral("installed_probe"), QStringLiteral("pseudo_async") }) {
            QFile f(data + QStringLiteral("/scenarios/") + name + QStringLiteral(".json"));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QJsonDocument(probe).toJson());
        }
        qputenv("LOOPSCOPE_DATA_DIR", data.toLocal8Bit());

        QCOMPARE(InstallLayout::dataDir(), QDir::cleanPath(data));
        QCOMPARE(InstallLayout::scenariosDir(), QDir::cleanPath(data) + QStringLiteral("/scenarios"));
        QCOMPARE(InstallLayout::translationsDir(), QDir::cleanPath(data) + QStringLiteral("/translations"));
        QCOMPARE(QFileInfo(InstallLayout::iconFile()).canonicalFilePath(),
                 QFileInfo(icon.fileName()).canonicalFilePath());

        const QStringList names = Scenario::builtinNames();
        QVERIFY(names.contains(QStringLiteral("installed_probe")));
        QCOMPARE(names.count(QStringLiteral("pseudo_async")), 1); // listed once, from both places
        QVERIFY(names.contains(QStringLiteral("gather"))); // still compiled in
        Scenario s;
        QString error;
        QVERIFY2(Scenario::open(QStringLiteral("installed_probe"), &s, &error), qPrintable(error));
        QVERIFY(Scenario::open(QStringLiteral("pseudo_async"), &s, &error));
        QCOMPARE(s.titleEn, QStringLiteral("Installed copy")); // the installed file wins
        QVERIFY(Scenario::open(QStringLiteral("gather"), &s, &error));
    }
};

QTEST_GUILESS_MAIN(TestInstallLayout)
#include "tst_installlayout.moc"
