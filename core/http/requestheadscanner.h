#pragma once

#include <QByteArrayView>

// Follows the head of one HTTP/1.1 request (request line + header fields, up to the blank line)
// through bytes as they arrive, cut anywhere, without keeping them: how many fields, how many
// bytes, and whether it is complete. HttpRequestReader uses it to refuse heads that are too large
// (431) before they are buffered. Lines end in CR LF or a bare LF (as h11 accepts); empty
// lines before the request line are skipped (RFC 9112, 2.2).
class RequestHeadScanner
{
public:
    enum class State { InHead, Complete, TooManyFields, TooLarge };

    RequestHeadScanner(int maxFields, qint64 maxBytes)
        : m_maxFields(maxFields)
        , m_maxBytes(maxBytes)
    { }

    // Scans `bytes`; once the state is not InHead it stays so and further bytes are ignored.
    State feed(QByteArrayView bytes);
    State state() const { return m_state; }
    // The next request on a kept-alive connection.
    void reset();

    bool started() const { return m_bytes > 0; }
    qint64 headBytes() const { return m_bytes; } // counted so far, blank line included
    int fields() const { return m_fields < 0 ? 0 : m_fields; }
    // Where, in the bytes of the feed() that broke a limit, the first byte past it is.
    qsizetype failedAt() const { return m_failedAt; }

private:
    const int m_maxFields;
    const qint64 m_maxBytes;
    State m_state = State::InHead;
    qint64 m_bytes = 0;
    qint64 m_lineLength = 0;
    int m_fields = -1; // header fields so far; -1 until the request line
    char m_lastByte = 0;
    qsizetype m_failedAt = -1;
};
