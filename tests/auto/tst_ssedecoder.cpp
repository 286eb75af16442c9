// SseDecoder: the WHATWG event-stream rules, splits anywhere, and the encoder read back.
#include "llm/ssedecoder.h"

#include <QTest>

Q_DECLARE_METATYPE(QList<SseEvent>)

namespace {

SseEvent ev(const QByteArray &data, const QByteArray &event = {}, const QByteArray &id = {})
{
    return SseEvent { event, data, id };
}

QList<SseEvent> decodeWhole(const QByteArray &bytes)
{
    SseDecoder d;
    return d.feed(bytes);
}

bool same(const QList<SseEvent> &a, const QList<SseEvent> &b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (a[i].event != b[i].event || a[i].data != b[i].data || a[i].id != b[i].id)
            return false;
    }
    return true;
}

QByteArray describe(const QList<SseEvent> &events)
{
    QByteArray out;
    for (const SseEvent &e : events)
        out += "{event=" + e.event + " data=" + e.data.toPercentEncoding() + " id=" + e.id + "} ";
    return out;
}

// A stream with everything that can go wrong at a boundary: CRLF, multi-byte UTF-8 (3-byte CJK,
// 4-byte emoji), a comment, a named event, multi-line data.
const QByteArray Awkward = QByteArray(": keep-alive\r\n\r\n"
                                      "data: {\"content\":\"你好，世界\"}\r\n\r\n"
                                      "event: note\r\ndata: line one\r\ndata: 第二行 🚀\r\n\r\n"
                                      "id: 7\ndata: ✓ done\n\n");

} // namespace

class TestSseDecoder : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rules_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QList<SseEvent>>("expected");

        QTest::addRow("one event") << QByteArray("data: hello\n\n") << QList<SseEvent> { ev("hello") };
        QTest::addRow("two events") << QByteArray("data: a\n\ndata: b\n\n")
                                    << QList<SseEvent> { ev("a"), ev("b") };
        QTest::addRow("CRLF") << QByteArray("data: a\r\n\r\n") << QList<SseEvent> { ev("a") };
        QTest::addRow("bare CR") << QByteArray("data: a\r\rdata: b\r\r")
                                 << QList<SseEvent> { ev("a"), ev("b") };
        QTest::addRow("multi-line data")
            << QByteArray("data: a\ndata: b\ndata:\n\n") << QList<SseEvent> { ev("a\nb\n") };
        QTest::addRow("no space after colon") << QByteArray("data:x\n\n") << QList<SseEvent> { ev("x") };
        QTest::addRow("only one space stripped")
            << QByteArray("data:  x\n\n") << QList<SseEvent> { ev(" x") };
        QTest::addRow("comment skipped")
            << QByteArray(": keep-alive\n\ndata: a\n\n") << QList<SseEvent> { ev("a") };
        QTest::addRow("comment inside event")
            << QByteArray("data: a\n: ping\ndata: b\n\n") << QList<SseEvent> { ev("a\nb") };
        QTest::addRow("named event") << QByteArray("event: error\ndata: x\n\ndata: y\n\n")
                                     << QList<SseEvent> { ev("x", "error"), ev("y") };
        QTest::addRow("id carries over") << QByteArray("id: 1\ndata: a\n\ndata: b\n\n")
                                         << QList<SseEvent> { ev("a", {}, "1"), ev("b", {}, "1") };
        QTest::addRow("empty data field dispatches") << QByteArray("data\n\n") << QList<SseEvent> { ev("") };
        QTest::addRow("no data, no event") << QByteArray("event: x\n\nretry: 10\n\n") << QList<SseEvent> {};
        QTest::addRow("unknown field ignored")
            << QByteArray("foo: bar\ndata: a\n\n") << QList<SseEvent> { ev("a") };
        QTest::addRow("BOM") << QByteArray("\xEF\xBB\xBF"
                                           "data: a\n\n")
                             << QList<SseEvent> { ev("a") };
        QTest::addRow("unterminated event waits") << QByteArray("data: a\n") << QList<SseEvent> {};
        QTest::addRow("DONE") << QByteArray("data: [DONE]\n\n") << QList<SseEvent> { ev("[DONE]") };
    }

    void rules()
    {
        QFETCH(QByteArray, input);
        QFETCH(QList<SseEvent>, expected);
        const QList<SseEvent> got = decodeWhole(input);
        QVERIFY2(same(got, expected), describe(got).constData());
    }

    void everySplitPosition()
    {
        const QList<SseEvent> whole = decodeWhole(Awkward);
        QCOMPARE(whole.size(), 3);
        QCOMPARE(whole[0].text(), QStringLiteral("{\"content\":\"你好，世界\"}"));
        QCOMPARE(whole[1].text(), QStringLiteral("line one\n第二行 🚀"));
        QCOMPARE(whole[2].id, QByteArray("7"));
        for (qsizetype i = 0; i <= Awkward.size(); ++i) {
            for (qsizetype j = i; j <= Awkward.size(); j += 5) { // two cuts; the second coarser
                SseDecoder d;
                QList<SseEvent> got = d.feed(QByteArrayView(Awkward).first(i));
                got += d.feed(QByteArrayView(Awkward).sliced(i, j - i));
                got += d.feed(QByteArrayView(Awkward).sliced(j));
                QVERIFY2(same(got, whole),
                         qPrintable(QStringLiteral("cuts at %1 and %2: %3")
                                        .arg(i)
                                        .arg(j)
                                        .arg(QString::fromLatin1(describe(got)))));
            }
        }
    }

    void byteByByte()
    {
        SseDecoder d;
        QList<SseEvent> got;
        for (char c : Awkward)
            got += d.feed(QByteArrayView(&c, 1));
        QVERIFY(same(got, decodeWhole(Awkward)));
    }

    void crThenLfInNextRead()
    {
        // A '\r' ending one read and the '\n' starting the next are one line end, not two:
        // a spurious blank line would dispatch the event early.
        SseDecoder d;
        QList<SseEvent> got = d.feed("data: a\r");
        got += d.feed("\ndata: b\r");
        got += d.feed("\n\r");
        QVERIFY(got.isEmpty() || got.size() == 1);
        got += d.feed("\n");
        QVERIFY2(same(got, { ev("a\nb") }), describe(got).constData());
    }

    void finishKeepsUnterminatedLastEvent()
    {
        SseDecoder d;
        QVERIFY(d.feed("data: a\n\ndata: [DONE]").size() == 1);
        QVERIFY(d.hasPendingData());
        const QList<SseEvent> rest = d.finish();
        QVERIFY(same(rest, { ev("[DONE]") }));
        QVERIFY(!d.hasPendingData());
        QVERIFY(d.finish().isEmpty());
    }

    void encoderRoundTrip_data()
    {
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<QByteArray>("event");
        QTest::addColumn<QByteArray>("expectedData");

        QTest::addRow("plain") << QByteArray("hello") << QByteArray() << QByteArray("hello");
        QTest::addRow("json") << QByteArray(R"({"a":"你好 🚀"})") << QByteArray()
                              << QByteArray(R"({"a":"你好 🚀"})");
        QTest::addRow("multi-line") << QByteArray("a\nb\n\nc") << QByteArray() << QByteArray("a\nb\n\nc");
        QTest::addRow("CRLF normalised") << QByteArray("a\r\nb\rc") << QByteArray() << QByteArray("a\nb\nc");
        QTest::addRow("leading space kept") << QByteArray(" x") << QByteArray() << QByteArray(" x");
        QTest::addRow("colon first") << QByteArray(": not a comment") << QByteArray()
                                     << QByteArray(": not a comment");
        QTest::addRow("empty") << QByteArray() << QByteArray() << QByteArray();
        QTest::addRow("named") << QByteArray("boom") << QByteArray("error") << QByteArray("boom");
        QTest::addRow("DONE") << QByteArray("[DONE]") << QByteArray() << QByteArray("[DONE]");
    }

    void encoderRoundTrip()
    {
        QFETCH(QByteArray, data);
        QFETCH(QByteArray, event);
        QFETCH(QByteArray, expectedData);
        const QByteArray wire = SseDecoder::encode(data, event) + SseDecoder::encodeComment("keep\nalive")
            + SseDecoder::encode("next");
        QVERIFY(wire.endsWith("\n\n"));
        const QList<SseEvent> got = decodeWhole(wire);
        QVERIFY2(same(got, { ev(expectedData, event), ev("next") }), describe(got).constData());
    }
};

QTEST_GUILESS_MAIN(TestSseDecoder)
#include "tst_ssedecoder.moc"
