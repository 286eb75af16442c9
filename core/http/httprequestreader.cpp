#include "httprequestreader.h"

#include <algorithm>
#include <http_parser.h>

namespace {

HttpRequestReader *readerOf(http_parser *p)
{
    return static_cast<HttpRequestReader *>(p->data);
}

HttpRequest::Method methodOf(unsigned m)
{
    switch (m) {
    case HTTP_GET:
        return HttpRequest::Method::Get;
    case HTTP_HEAD:
        return HttpRequest::Method::Head;
    case HTTP_POST:
        return HttpRequest::Method::Post;
    case HTTP_PUT:
        return HttpRequest::Method::Put;
    case HTTP_DELETE:
        return HttpRequest::Method::Delete;
    case HTTP_PATCH:
        return HttpRequest::Method::Patch;
    case HTTP_OPTIONS:
        return HttpRequest::Method::Options;
    default:
        return HttpRequest::Method::Other;
    }
}

QByteArrayView trimmed(QByteArrayView v)
{
    while (!v.isEmpty() && (v.front() == ' ' || v.front() == '\t'))
        v = v.sliced(1);
    while (!v.isEmpty() && (v.back() == ' ' || v.back() == '\t'))
        v.chop(1);
    return v;
}

} // namespace

// The parser's callbacks, with access to the reader's members.
struct HttpRequestReader::Callbacks
{
    static int messageBegin(http_parser *p)
    {
        HttpRequestReader *r = readerOf(p);
        r->m_state = State::InHead;
        return 0;
    }
    static int url(http_parser *p, const char *at, size_t n)
    {
        readerOf(p)->m_request.m_target.append(at, qsizetype(n));
        return 0;
    }
    static int headerField(http_parser *p, const char *at, size_t n)
    {
        HttpRequestReader *r = readerOf(p);
        HttpRequest &q = r->m_request;
        if (r->m_inValue || q.m_fields.empty()) {
            r->m_inValue = false;
            const int here = int(q.m_fieldBytes.size());
            q.m_fields.push_back({ here, 0, here, 0 });
        }
        q.m_fieldBytes.append(at, qsizetype(n));
        HttpRequest::Field &f = q.m_fields.back();
        f.nameSize += int(n);
        f.valueAt = f.nameAt + f.nameSize;
        return 0;
    }
    static int headerValue(http_parser *p, const char *at, size_t n)
    {
        HttpRequestReader *r = readerOf(p);
        HttpRequest &q = r->m_request;
        r->m_inValue = true;
        if (q.m_fields.empty())
            return 0;
        q.m_fieldBytes.append(at, qsizetype(n));
        q.m_fields.back().valueSize += int(n);
        return 0;
    }
    static int headersComplete(http_parser *p) { return readerOf(p)->headersComplete(); }
    static int body(http_parser *p, const char *at, size_t n)
    {
        HttpRequestReader *r = readerOf(p);
        r->m_continue = false; // the client sends the body anyway
        if (r->m_request.m_body.size() + qint64(n) > r->m_limits.maxBodyBytes) {
            r->fail(413, "payload_too_large",
                    "the request body is larger than " + QByteArray::number(r->m_limits.maxBodyBytes)
                        + " bytes");
            return -1;
        }
        r->m_request.m_body.append(at, qsizetype(n));
        return 0;
    }
    static int messageComplete(http_parser *p)
    {
        HttpRequestReader *r = readerOf(p);
        r->m_continue = false;
        r->m_request.m_keepAlive = http_should_keep_alive(p) != 0 && !p->upgrade;
        r->m_state = State::Complete;
        http_parser_pause(p, 1); // one request at a time: the answers go out in order
        return 0;
    }
    static const http_parser_settings &settings()
    {
        static const http_parser_settings s = [] {
            http_parser_settings t;
            http_parser_settings_init(&t);
            t.on_message_begin = messageBegin;
            t.on_url = url;
            t.on_header_field = headerField;
            t.on_header_value = headerValue;
            t.on_headers_complete = Callbacks::headersComplete;
            t.on_body = body;
            t.on_message_complete = messageComplete;
            return t;
        }();
        return s;
    }
};

HttpRequestReader::HttpRequestReader()
    : HttpRequestReader(Limits {})
{ }

HttpRequestReader::HttpRequestReader(Limits limits)
    : m_limits(limits)
    , m_parser(std::make_unique<http_parser>())
    , m_head(limits.maxFields, limits.maxHeadBytes)
{
    http_parser_init(m_parser.get(), HTTP_REQUEST);
    m_parser->data = this;
}

HttpRequestReader::~HttpRequestReader() = default;

void HttpRequestReader::fail(int status, const char *code, QByteArray detail)
{
    m_state = State::Failed;
    m_continue = false;
    m_errorStatus = status;
    m_errorCode = code;
    m_errorDetail = std::move(detail);
}

int HttpRequestReader::headersComplete()
{
    http_parser *p = m_parser.get();
    HttpRequest &q = m_request;
    m_state = State::InBody;
    q.m_rawMethod = p->method;
    q.m_method = methodOf(p->method);
    if (m_headCheck && *m_headCheck) {
        HttpRefusal refusal;
        if (!(*m_headCheck)(q, &refusal)) {
            fail(refusal.status, refusal.code, std::move(refusal.detail));
            return -1;
        }
    }
    if (p->content_length != ULLONG_MAX && p->content_length > quint64(m_limits.maxBodyBytes)) {
        fail(413, "payload_too_large",
             "the request body is " + QByteArray::number(quint64(p->content_length)) + " bytes; the limit is "
                 + QByteArray::number(m_limits.maxBodyBytes));
        return -1;
    }
    const bool hasBody = (p->flags & F_CHUNKED) || (p->content_length != ULLONG_MAX && p->content_length > 0);
    m_continue = hasBody && p->http_minor >= 1
        && trimmed(q.header("Expect")).compare("100-continue", Qt::CaseInsensitive) == 0;
    return 0;
}

qsizetype HttpRequestReader::feed(QByteArrayView bytes)
{
    if (m_state == State::Complete || m_state == State::Failed || bytes.isEmpty())
        return 0;
    if (m_head.state() == RequestHeadScanner::State::InHead) {
        const RequestHeadScanner::State head = m_head.feed(bytes);
        if (head == RequestHeadScanner::State::TooManyFields || head == RequestHeadScanner::State::TooLarge) {
            // The bytes before the one past the limit are parsed first: a malformed request
            // line there is a 400, as it would be if the bytes had come in smaller pieces.
            const qsizetype before = std::clamp<qsizetype>(m_head.failedAt(), 0, bytes.size());
            const qsizetype used = parse(bytes.first(before));
            if (m_state == State::Failed)
                return bytes.size();
            if (m_state == State::Complete)
                return used;
            if (head == RequestHeadScanner::State::TooManyFields)
                fail(431, "request_header_fields_too_large",
                     "more than " + QByteArray::number(m_limits.maxFields) + " header fields");
            else
                fail(431, "request_header_fields_too_large",
                     "the request head is larger than " + QByteArray::number(m_limits.maxHeadBytes)
                         + " bytes");
            return bytes.size();
        }
        if (m_state == State::Idle && m_head.started())
            m_state = State::InHead; // (empty lines before a request line count as its start)
    }
    return parse(bytes);
}

qsizetype HttpRequestReader::parse(QByteArrayView bytes)
{
    if (bytes.isEmpty())
        return 0; // (no bytes means the end of the stream to http_parser)
    const size_t used
        = http_parser_execute(m_parser.get(), &Callbacks::settings(), bytes.data(), size_t(bytes.size()));
    if (m_state == State::Failed)
        return bytes.size();
    const auto error = HTTP_PARSER_ERRNO(m_parser.get());
    if (error != HPE_OK && error != HPE_PAUSED) {
        fail(400, "bad_request", QByteArray("malformed HTTP request: ") + http_errno_description(error));
        return bytes.size();
    }
    if (m_state == State::Complete && m_parser->upgrade)
        return bytes.size(); // no protocol switch here: the connection closes after the answer
    return qsizetype(used);
}

void HttpRequestReader::next()
{
    if (m_state != State::Complete)
        return;
    http_parser_pause(m_parser.get(), 0);
    m_head.reset();
    m_state = State::Idle;
    m_inValue = false;
    m_continue = false;
    m_request.m_target.resize(0);
    m_request.m_fieldBytes.resize(0);
    m_request.m_fields.clear();
    m_request.m_body.resize(0);
    m_request.m_method = HttpRequest::Method::Other;
}
