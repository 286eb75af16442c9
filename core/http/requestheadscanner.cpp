#include "requestheadscanner.h"

#include <cstring>

RequestHeadScanner::State RequestHeadScanner::feed(QByteArrayView bytes)
{
    const char *p = bytes.data();
    const char *end = p + bytes.size();
    while (m_state == State::InHead && p < end) {
        const char *nl = static_cast<const char *>(std::memchr(p, '\n', size_t(end - p)));
        const char *stop = nl ? nl : end;
        const qint64 before = m_bytes;
        m_bytes += (stop - p) + (nl ? 1 : 0);
        if (m_bytes > m_maxBytes) {
            m_state = State::TooLarge;
            m_failedAt = (p - bytes.data()) + (m_maxBytes - before);
            break;
        }
        if (stop > p) {
            m_lineLength += stop - p;
            m_lastByte = stop[-1];
        }
        if (!nl)
            break;
        const bool empty = m_lineLength == 0 || (m_lineLength == 1 && m_lastByte == '\r');
        m_lineLength = 0;
        m_lastByte = 0;
        p = nl + 1;
        if (empty && m_fields >= 0)
            m_state = State::Complete; // the blank line that ends the head
        else if (!empty && ++m_fields > m_maxFields) {
            m_state = State::TooManyFields;
            m_failedAt = nl - bytes.data();
        }
        // (an empty line before the request line is skipped)
    }
    return m_state;
}

void RequestHeadScanner::reset()
{
    m_state = State::InHead;
    m_bytes = 0;
    m_lineLength = 0;
    m_fields = -1;
    m_lastByte = 0;
    m_failedAt = -1;
}
