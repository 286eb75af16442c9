// The one "read a JSON object from a file" (base/jsonfile.h) that scenarios and run.json use:
// each way a file can be wrong gives its own message, naming the file.
#include "base/jsonfile.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

class TestJsonFile : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    QString write(const QString &name, const QByteArray &bytes)
    {
        const QString path = m_dir.filePath(name);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size())
            qWarning() << "cannot write" << path;
        return path;
    }

private slots:
    void readsAnObject()
    {
        const QString path = write(QStringLiteral("ok.json"), R"({"name":"x","n":2})");
        QString error = QStringLiteral("untouched");
        const auto json = readJsonObjectFile(path, 1024, QStringLiteral("a test file"), &error);
        QVERIFY(json);
        QCOMPARE(json->value(QStringLiteral("name")).toString(), QStringLiteral("x"));
        QCOMPARE(json->value(QStringLiteral("n")).toInt(), 2);
        QCOMPARE(error, QStringLiteral("untouched"));
    }

    void refuses_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<qint64>("maxBytes");
        QTest::addColumn<QString>("expected"); // after "<path> "
        const QByteArray good = R"({"a": [1, 2, 3], "b": "text"})";
        QTest::addRow("empty") << QByteArray() << qint64(1024) << QStringLiteral("is not valid JSON (");
        QTest::addRow("cut short") << good.left(good.size() - 3) << qint64(1024)
                                   << QStringLiteral("; was it cut short?)");
        QTest::addRow("garbage in the middle")
            << QByteArray(R"({"a": ?, "b": "a long enough tail to not be the end"})") << qint64(1024)
            << QStringLiteral("is not valid JSON (");
        QTest::addRow("an array") << QByteArray("[1, 2]") << qint64(1024)
                                  << QStringLiteral("is not a test file (not a JSON object)");
        QTest::addRow("too large") << QByteArray(2 << 20, ' ') << qint64(1 << 20)
                                   << QStringLiteral("is 2 MB: too large for a test file");
    }
    void refuses()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(qint64, maxBytes);
        QFETCH(QString, expected);
        const QString path
            = write(QStringLiteral("%1.json").arg(QTest::currentDataTag()).replace(u' ', u'_'), bytes);
        QString error;
        QVERIFY(!readJsonObjectFile(path, maxBytes, QStringLiteral("a test file"), &error));
        QVERIFY2(error.startsWith(path + u' '), qPrintable(error));
        QVERIFY2(error.contains(expected), qPrintable(error));
        // Only a parse error at the very end suggests a cut file.
        if (QByteArray(QTest::currentDataTag()) == "garbage in the middle")
            QVERIFY2(!error.contains(QStringLiteral("cut short")), qPrintable(error));
    }

    void missingFile()
    {
        const QString path = m_dir.filePath(QStringLiteral("nowhere.json"));
        QString error;
        QVERIFY(!readJsonObjectFile(path, 1024, QStringLiteral("a test file"), &error));
        QVERIFY2(error.startsWith(QStringLiteral("cannot read %1: ").arg(path)), qPrintable(error));
        // No error pointer: still refused, nothing written anywhere.
        QVERIFY(!readJsonObjectFile(path, 1024, QStringLiteral("a test file"), nullptr));
    }
};

QTEST_APPLESS_MAIN(TestJsonFile)
#include "tst_jsonfile.moc"
