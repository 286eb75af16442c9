#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

// One Server-Sent Event, still as bytes: UTF-8 is decoded only by whoever reads a whole event,
// so a character split across two network reads is never mangled.
struct SseEvent
{
    QByteArray event; // the "event:" field; empty means the default "message"
    QByteArray data; // the "data:" lines joined with '\n'
    QByteArray id; // the last "id:" seen on the stream (it carries over, as the spec says)

    QString text() const { return QString::fromUtf8(data); }
};

// Incremental decoder for a text/event-stream body, after the WHATWG "event stream interpretation":
// feed it bytes exactly as they come off the socket, split anywhere (mid-line, between '\r' and
// '\n', inside a UTF-8 character), and it hands back every event completed by those bytes.
// Comments (": keep-alive") and unknown fields are skipped; lines end in CRLF, LF or CR.
// Also holds the matching encoder our own server uses, so the two can never disagree.
class SseDecoder
{
public:
    QList<SseEvent> feed(QByteArrayView bytes);

    // End of stream. The spec drops an event that lacks its closing blank line; we keep it
    // (and an unterminated last line) so that a provider that forgets the final "\n\n" after
    // "data: [DONE]" still ends cleanly. A stream cut inside a JSON chunk yields that partial chunk,
    // which then fails to parse: the caller sees a cut stream either way.
    QList<SseEvent> finish();

    void reset();
    bool hasPendingData() const { return !m_line.isEmpty() || !m_data.isEmpty() || m_hasData; }

    // One event: an optional "event:" line, one "data:" line per line of `data`, a blank line.
    static QByteArray encode(QByteArrayView data, QByteArrayView event = {});
    // A comment line, e.g. a keep-alive that proxies will not buffer forever.
    static QByteArray encodeComment(QByteArrayView text);

private:
    void processLine(QByteArrayView line, QList<SseEvent> &out);
    void dispatch(QList<SseEvent> &out);

    QByteArray m_line; // bytes of the current, unterminated line
    bool m_skipLf = false; // the previous feed ended on '\r': a leading '\n' belongs to it
    bool m_bomChecked = false;
    QByteArray m_event;
    QByteArray m_data;
    bool m_hasData = false; // a "data:" field was seen, even an empty one
    QByteArray m_lastId;
};
