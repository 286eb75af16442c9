#include "ssedecoder.h"

QList<SseEvent> SseDecoder::feed(QByteArrayView bytes)
{
    QList<SseEvent> out;
    qsizetype i = 0;
    const qsizetype n = bytes.size();
    if (m_skipLf && n > 0) {
        m_skipLf = false;
        if (bytes[0] == '\n')
            i = 1;
    }
    while (i < n) {
        // Find the next line terminator; everything before it extends the pending line.
        qsizetype end = i;
        while (end < n && bytes[end] != '\n' && bytes[end] != '\r')
            ++end;
        if (end == n) {
            m_line.append(bytes.sliced(i, end - i));
            break;
        }
        if (m_line.isEmpty()) {
            processLine(bytes.sliced(i, end - i), out);
        } else {
            m_line.append(bytes.sliced(i, end - i));
            const QByteArray line = std::exchange(m_line, {});
            processLine(line, out);
        }
        i = end + 1;
        if (bytes[end] == '\r') {
            if (i < n) {
                if (bytes[i] == '\n')
                    ++i;
            } else {
                m_skipLf = true; // the '\n' of this CRLF may come with the next read
            }
        }
    }
    return out;
}

QList<SseEvent> SseDecoder::finish()
{
    QList<SseEvent> out;
    if (!m_line.isEmpty()) {
        const QByteArray line = std::exchange(m_line, {});
        processLine(line, out);
    }
    dispatch(out);
    reset();
    return out;
}

void SseDecoder::reset()
{
    m_line.clear();
    m_skipLf = false;
    m_bomChecked = false;
    m_event.clear();
    m_data.clear();
    m_hasData = false;
    m_lastId.clear();
}

void SseDecoder::processLine(QByteArrayView line, QList<SseEvent> &out)
{
    if (!m_bomChecked) {
        // Only the very first line can carry a byte-order mark. Lines are whole here, so the
        // three BOM bytes can no longer be split across reads.
        m_bomChecked = true;
        if (line.startsWith("\xEF\xBB\xBF"))
            line = line.sliced(3);
    }
    if (line.isEmpty()) {
        dispatch(out);
        return;
    }
    if (line.front() == ':')
        return; // comment, e.g. ": keep-alive"
    const qsizetype colon = line.indexOf(':');
    QByteArrayView field = colon < 0 ? line : line.first(colon);
    QByteArrayView value = colon < 0 ? QByteArrayView() : line.sliced(colon + 1);
    if (value.startsWith(' '))
        value = value.sliced(1);
    if (field == "data") {
        if (m_hasData)
            m_data.append('\n');
        m_data.append(value);
        m_hasData = true;
    } else if (field == "event") {
        m_event = value.toByteArray();
    } else if (field == "id") {
        if (!value.contains('\0'))
            m_lastId = value.toByteArray();
    }
    // "retry" and unknown fields: nothing to do for a client that never reconnects.
}

void SseDecoder::dispatch(QList<SseEvent> &out)
{
    if (m_hasData)
        out.append(SseEvent { m_event, m_data, m_lastId });
    m_event.clear();
    m_data.clear();
    m_hasData = false;
}

QByteArray SseDecoder::encode(QByteArrayView data, QByteArrayView event)
{
    QByteArray out;
    out.reserve(data.size() + event.size() + 16);
    if (!event.isEmpty())
        out.append("event: ").append(event).append('\n');
    // Every line of the payload becomes its own data: line; the decoder joins them with '\n'.
    qsizetype start = 0;
    for (qsizetype i = 0; i <= data.size(); ++i) {
        const bool atEnd = i == data.size();
        if (!atEnd && data[i] != '\n' && data[i] != '\r')
            continue;
        out.append("data: ").append(data.sliced(start, i - start)).append('\n');
        if (!atEnd && data[i] == '\r' && i + 1 < data.size() && data[i + 1] == '\n')
            ++i;
        start = i + 1;
    }
    out.append('\n');
    return out;
}

QByteArray SseDecoder::encodeComment(QByteArrayView text)
{
    QByteArray out(": ");
    for (char c : text)
        out.append(c == '\n' || c == '\r' ? ' ' : c);
    out.append("\n\n");
    return out;
}
