// File > Observe services (OTLP)…: the dialog starts the receiver, shows the endpoint to paste,
// publishes observed requests into the live recorder it was given (the window's) and hands the
// observation over as a run when stopped.
#include "gui/observedialog.h"
#include "scenario/runresult.h"
#include "trace/tracerecorder.h"

#include <QDateTime>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTcpSocket>
#include <QTest>

class TestObserveDialog : public QObject
{
    Q_OBJECT

private slots:
    void receivesIntoTheLiveRecorderAndKeepsARun();
};

void TestObserveDialog::receivesIntoTheLiveRecorderAndKeepsARun()
{
    QStandardPaths::setTestModeEnabled(true); // the dialog remembers host and port in QSettings
    qRegisterMetaType<RunResult>("RunResult");
    TraceRecorder live;
    ObserveDialog dialog(&live);
    for (QSpinBox *port : dialog.findChildren<QSpinBox *>())
        port->setValue(0); // any free ports (HTTP and gRPC)
    QPushButton *button = nullptr;
    for (QPushButton *b : dialog.findChildren<QPushButton *>())
        if (b->text().contains(QLatin1String("Start")))
            button = b;
    QVERIFY(button);
    button->click();
    QVERIFY(dialog.isObserving());
    const QString env = dialog.findChild<QPlainTextEdit *>()->toPlainText();
    const QRegularExpressionMatch m
        = QRegularExpression(QStringLiteral("OTEL_EXPORTER_OTLP_ENDPOINT=http://127\\.0\\.0\\.1:(\\d+)"))
              .match(env);
    QVERIFY2(m.hasMatch(), qPrintable(env));
    const quint16 port = quint16(m.captured(1).toUInt());

    const qint64 t0 = QDateTime::currentMSecsSinceEpoch() * 1'000'000;
    const QByteArray body
        = QStringLiteral("{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\","
                         "\"value\":{\"stringValue\":\"web\"}}]},\"scopeSpans\":[{\"spans\":[{\"traceId\":"
                         "\"0af7651916cd43dd8448eb211c80319c\",\"spanId\":\"b7ad6b7169203331\",\"kind\":2,"
                         "\"startTimeUnixNano\":\"%1\",\"endTimeUnixNano\":\"%2\"}]}]}]}")
              .arg(t0 - 50'000'000)
              .arg(t0)
              .toUtf8();
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(socket.waitForConnected(5000));
    socket.write("POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                 + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    QByteArray answer;
    while (!answer.contains("\r\n\r\n{}") && socket.waitForReadyRead(5000))
        answer += socket.readAll();
    QVERIFY2(answer.startsWith("HTTP/1.1 200"), answer.constData());
    // Published into the window's recorder by the assembler thread.
    QTRY_COMPARE(live.count(), quint64(1));
    // The status line counts it (refreshed once a second).
    QLabel *status = nullptr;
    for (QLabel *l : dialog.findChildren<QLabel *>())
        if (l->text().startsWith(QLatin1String("Receiving at")))
            status = l;
    QVERIFY(status);
    QTRY_VERIFY2(status->text().contains(QLatin1String(" 1 requests  1 services  1 instances")),
                 qPrintable(status->text()));
    // LOOPSCOPE_OBSERVE_SHOT=FILE: save the dialog as it looks while receiving (to check it by eye).
    if (qEnvironmentVariableIsSet("LOOPSCOPE_OBSERVE_SHOT"))
        dialog.grab().save(qEnvironmentVariable("LOOPSCOPE_OBSERVE_SHOT"));

    QSignalSpy finished(&dialog, &ObserveDialog::runFinished);
    button->click();
    QVERIFY(!dialog.isObserving());
    QCOMPARE(finished.size(), 1);
    const RunResult run = finished.first().first().value<RunResult>();
    QCOMPARE(run.variants.size(), 1);
    QCOMPARE(run.variants[0].server.size(), 1);
    QCOMPARE(run.variants[0].server[0].respondedNs - run.variants[0].server[0].startedNs, qint64(50'000'000));
}

QTEST_MAIN(TestObserveDialog)
#include "tst_observedialog.moc"
