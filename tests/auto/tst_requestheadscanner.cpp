// The request-head scanner behind the 431 limits: fields and bytes counted the same whatever
// the network's cuts, line endings, and the blank line that ends a head.
#include "http/requestheadscanner.h"

#include <QTest>

using State = RequestHeadScanner::State;
Q_DECLARE_METATYPE(RequestHeadScanner::State)

class TestRequestHeadScanner : public QObject
{
    Q_OBJECT
private slots:
    void scans_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<State>("state");
        QTest::addColumn<int>("fields");
        const QByteArray two = "POST /v1/chat HTTP/1.1\r\nHost: x\r\nX-API-Key: k\r\n";
        QTest::addRow("complete, CR LF") << two + "\r\n{\"body\":1}" << State::Complete << 2;
        QTest::addRow("complete, bare LF")
            << QByteArray("GET / HTTP/1.1\nHost: x\n\n") << State::Complete << 1;
        QTest::addRow("not yet") << two << State::InHead << 2;
        QTest::addRow("half a line") << QByteArray("POST /v1/ch") << State::InHead << 0;
        QTest::addRow("blank lines first") << "\r\n\r\n" + two + "\r\n" << State::Complete << 2;
        QTest::addRow("no fields") << QByteArray("GET / HTTP/1.0\r\n\r\n") << State::Complete << 0;
        QTest::addRow("a lone CR is not a blank line") << two + "\r" << State::InHead << 2;
        QTest::addRow("4 fields, limit 3") << two + "A: 1\r\nB: 2\r\n\r\n"
                                           << State::TooManyFields << 4; // stops at the first field over
        QTest::addRow("3 fields, limit 3") << two + "A: 1\r\n\r\n" << State::Complete << 3;
        QTest::addRow("over 100 bytes") << "GET / HTTP/1.1\r\nX: " + QByteArray(100, 'x') + "\r\n\r\n"
                                        << State::TooLarge << 0;
    }

    void scans()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(State, state);
        QFETCH(int, fields);
        // Whole, and cut into pieces of every size from 1 byte: the same answer.
        for (qsizetype piece = 1; piece <= bytes.size(); ++piece) {
            RequestHeadScanner s(3, 100);
            for (qsizetype at = 0; at < bytes.size(); at += piece)
                s.feed(QByteArrayView(bytes).sliced(at, std::min(piece, bytes.size() - at)));
            QCOMPARE(s.state(), state);
            QCOMPARE(s.fields(), fields);
        }
    }

    void resetsForTheNextRequest()
    {
        RequestHeadScanner s(3, 100);
        QCOMPARE(s.feed("GET / HTTP/1.1\r\nA: 1\r\n\r\n"), State::Complete);
        QCOMPARE(s.feed("GET / HTTP/1.1\r\n"), State::Complete); // ignored until reset
        s.reset();
        QVERIFY(!s.started());
        QCOMPARE(s.feed("GET /2 HTTP/1.1\r\n"), State::InHead);
        QVERIFY(s.started());
        QCOMPARE(s.headBytes(), qint64(17));
    }
};

QTEST_GUILESS_MAIN(TestRequestHeadScanner)
#include "tst_requestheadscanner.moc"
