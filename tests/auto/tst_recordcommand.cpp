// `loopscope serve --record DIR` with bad input (issue #23): a non-empty folder is refused unless
// --force, an unwritable one is refused before the server starts (exit 2), and a second Ctrl+C
// while the recording is written leaves all five files or none, never a partial one.
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <csignal>

namespace {

const QStringList kFiles
    = { QStringLiteral("run.json"), QStringLiteral("requests.csv"), QStringLiteral("trace.json"),
        QStringLiteral("report.html"), QStringLiteral("report.pdf") };

QStringList serveArgs(const QString &dir, const QString &db, const QStringList &extra = {})
{
    return QStringList { QStringLiteral("serve"),
                         QStringLiteral("--port"),
                         QStringLiteral("0"),
                         QStringLiteral("--llm-latency"),
                         QStringLiteral("0.01"),
                         QStringLiteral("--db"),
                         db,
                         QStringLiteral("--api-key"),
                         QStringLiteral("k"),
                         QStringLiteral("--record"),
                         dir }
    + extra;
}

// Runs the binary to the end; returns its exit code and everything it printed.
int runToEnd(const QStringList &args, QByteArray *output)
{
    QProcess p;
    p.setProgram(QStringLiteral(LOOPSCOPE_BINARY));
    p.setArguments(args);
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start();
    if (!p.waitForFinished(30000)) {
        p.kill();
        p.waitForFinished();
        return -1;
    }
    *output = p.readAll();
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

// Starts `serve --record` and waits until it records.
bool startRecording(QProcess &p, const QStringList &args, QByteArray *output)
{
    p.setProgram(QStringLiteral(LOOPSCOPE_BINARY));
    p.setArguments(args);
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start();
    if (!p.waitForStarted(10000))
        return false;
    for (int i = 0; i < 300 && !output->contains("Recording into"); ++i) {
        p.waitForReadyRead(100);
        *output += p.readAll();
    }
    return output->contains("Recording into");
}

QStringList entries(const QString &dir)
{
    return QDir(dir).entryList(QDir::Files | QDir::Dirs | QDir::Hidden | QDir::NoDotAndDotDot, QDir::Name);
}

} // namespace

class TestRecordCommand : public QObject
{
    Q_OBJECT

private slots:
    void nonEmptyFolderNeedsForce();
    void unwritableFolderIsRefusedBeforeServing();
    void badDurationIsRefused();
    void durationWritesTheRun();
    void secondInterruptLeavesNoPartialFile();

private:
    QTemporaryDir m_tmp;
};

void TestRecordCommand::nonEmptyFolderNeedsForce()
{
    const QString dir = m_tmp.filePath(QStringLiteral("full"));
    QVERIFY(QDir().mkpath(dir));
    QFile keep(QDir(dir).filePath(QStringLiteral("notes.txt")));
    QVERIFY(keep.open(QIODevice::WriteOnly) && keep.write("mine") == 4);
    keep.close();
    QByteArray out;
    QCOMPARE(runToEnd(serveArgs(dir, m_tmp.filePath(QStringLiteral("a.db"))), &out), 2);
    QVERIFY2(out.contains("is not empty") && out.contains("--force"), out.constData());
    QVERIFY2(!out.contains("serving"), out.constData()); // refused before the server started
    QCOMPARE(entries(dir), QStringList { QStringLiteral("notes.txt") });

    // With --force it records, and leaves the user's own file alone.
    QProcess p;
    out.clear();
    QVERIFY2(
        startRecording(
            p, serveArgs(dir, m_tmp.filePath(QStringLiteral("a.db")), { QStringLiteral("--force") }), &out),
        out.constData());
    ::kill(pid_t(p.processId()), SIGINT);
    QVERIFY(p.waitForFinished(60000));
    QCOMPARE(p.exitCode(), 0);
    QStringList expected = kFiles;
    expected << QStringLiteral("notes.txt");
    expected.sort();
    QCOMPARE(entries(dir), expected);
}

void TestRecordCommand::unwritableFolderIsRefusedBeforeServing()
{
    // Below a regular file: no user, root included, can create that folder.
    QFile file(m_tmp.filePath(QStringLiteral("a-file")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.close();
    for (const QString &dir :
         { m_tmp.filePath(QStringLiteral("a-file/run")), m_tmp.filePath(QStringLiteral("a-file")),
           QStringLiteral("/proc/loopscope-recording") }) {
        QByteArray out;
        QCOMPARE(runToEnd(serveArgs(dir, m_tmp.filePath(QStringLiteral("b.db"))), &out), 2);
        QVERIFY2(out.contains("loopscope serve: ")
                     && (out.contains("not writable") || out.contains("is a file")),
                 out.constData());
        QVERIFY2(!out.contains("serving"), out.constData());
    }
}

void TestRecordCommand::badDurationIsRefused()
{
    for (const char *duration : { "0", "-1", "soon" }) {
        QByteArray out;
        QCOMPARE(
            runToEnd(serveArgs(m_tmp.filePath(QStringLiteral("d")), m_tmp.filePath(QStringLiteral("c.db")),
                               { QStringLiteral("--duration"), QLatin1String(duration) }),
                     &out),
            2);
        QVERIFY2(out.contains("--duration must be a positive number"), out.constData());
    }
    QByteArray out;
    QCOMPARE(runToEnd({ QStringLiteral("serve"), QStringLiteral("--duration"), QStringLiteral("5") }, &out),
             2);
    QVERIFY2(out.contains("go with --record"), out.constData());
}

void TestRecordCommand::durationWritesTheRun()
{
    const QString dir = m_tmp.filePath(QStringLiteral("timed/sub"));
    QByteArray out;
    QCOMPARE(runToEnd(serveArgs(dir, m_tmp.filePath(QStringLiteral("e.db")),
                                { QStringLiteral("--duration"), QStringLiteral("0.5") }),
                      &out),
             0);
    QStringList expected = kFiles;
    expected.sort();
    QCOMPARE(entries(dir), expected);
    QFile json(QDir(dir).filePath(QStringLiteral("run.json")));
    QVERIFY(json.open(QIODevice::ReadOnly));
    const QJsonObject run = QJsonDocument::fromJson(json.readAll()).object();
    QCOMPARE(run.value(QStringLiteral("format")).toString(), QStringLiteral("loopscope-run"));
    QCOMPARE(run.value(QStringLiteral("scenario")).toObject().value(QStringLiteral("name")).toString(),
             QStringLiteral("record"));
}

void TestRecordCommand::secondInterruptLeavesNoPartialFile()
{
    // Ctrl+C, then Ctrl+C again as soon as it says it is writing. Either the second one abandons
    // the write (exit 130: no file, no temporary folder) or the write had already finished (exit
    // 0: all five, complete). Never anything in between.
    int abandoned = 0, finished = 0;
    for (int attempt = 0; attempt < 3; ++attempt) {
        const QString dir = m_tmp.filePath(QStringLiteral("twice-%1").arg(attempt));
        QProcess p;
        QByteArray out;
        QVERIFY2(startRecording(p, serveArgs(dir, m_tmp.filePath(QStringLiteral("f.db"))), &out),
                 out.constData());
        ::kill(pid_t(p.processId()), SIGINT);
        for (int i = 0; i < 300 && !out.contains("writing"); ++i) {
            p.waitForReadyRead(20);
            out += p.readAll();
        }
        QVERIFY2(out.contains("writing"), out.constData());
        ::kill(pid_t(p.processId()), SIGINT);
        QVERIFY(p.waitForFinished(60000));
        out += p.readAll();
        const QStringList left = entries(dir);
        if (p.exitCode() == 130 && !out.contains("already written")) {
            ++abandoned;
            QVERIFY2(out.contains("was not written"), out.constData());
            QVERIFY2(left.isEmpty(), qPrintable(left.join(QLatin1Char(' '))));
        } else {
            ++finished;
            QVERIFY2(p.exitCode() == 0 || p.exitCode() == 130, out.constData());
            QStringList expected = kFiles;
            expected.sort();
            QCOMPARE(left, expected);
            QFile json(QDir(dir).filePath(QStringLiteral("run.json")));
            QVERIFY(json.open(QIODevice::ReadOnly));
            QVERIFY(QJsonDocument::fromJson(json.readAll()).isObject()); // complete, not cut
        }
    }
    qInfo("second Ctrl+C: %d write(s) abandoned cleanly, %d had already finished", abandoned, finished);
}

QTEST_GUILESS_MAIN(TestRecordCommand)
#include "tst_recordcommand.moc"
