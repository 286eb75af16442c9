#pragma once

#include "http/httprequest.h"
#include "http/requestheadscanner.h"

#include <QByteArray>
#include <functional>
#include <memory>

struct http_parser;

// An answer the server gives instead of reading a request on (an error status, a machine-readable
// code and a sentence); the connection sends it and closes.
struct HttpRefusal
{
    int status = 0;
    const char *code = "";
    QByteArray detail;
};

// Turns the bytes of one connection, cut anywhere, into HttpRequests, one at a time, with
// Debian's libhttp-parser. Enforces the limits a server needs before it buffers anything: the
// head (request line + fields: 431 past maxFields or maxHeadBytes) and the body (413 past
// maxBodyBytes, from Content-Length at once or while a chunked body arrives). No sockets: the
// connection feeds it, and the fuzz target does too.
class HttpRequestReader
{
public:
    struct Limits
    {
        int maxFields = 100;
        qint64 maxHeadBytes = 16 * 1024;
        qint64 maxBodyBytes = 512 * 1024;
    };
    enum class State {
        Idle, // between requests: no byte of the next one yet
        InHead,
        InBody,
        Complete, // request() is whole; call next() before feeding more
        Failed, // errorStatus() says why; the connection answers it and closes
    };

    HttpRequestReader();
    explicit HttpRequestReader(Limits limits);
    ~HttpRequestReader();
    HttpRequestReader(const HttpRequestReader &) = delete;
    HttpRequestReader &operator=(const HttpRequestReader &) = delete;

    // Judges a request by its head alone, before its body is read (the OTLP receiver refuses a
    // wrong token, path or media type without taking in megabytes first). False refuses: the
    // reader fails with that answer. Called with the method, target and fields complete, before
    // the body-size check, as the request's own rules come first. Not owned; may be null.
    using HeadCheck = std::function<bool(const HttpRequest &head, HttpRefusal *refusal)>;
    void setHeadCheck(const HeadCheck *check) { m_headCheck = check; }

    // Reads up to one request's end from `bytes` and returns how many it used (the rest belongs
    // to the next, pipelined request). Once Complete or Failed it uses nothing more.
    qsizetype feed(QByteArrayView bytes);
    State state() const { return m_state; }
    HttpRequest &request() { return m_request; }
    const HttpRequest &request() const { return m_request; }
    // The client's address, reported with every request of the connection.
    void setPeer(const QHostAddress &address, quint16 port)
    {
        m_request.m_peerAddress = address;
        m_request.m_peerPort = port;
    }
    // Starts on the next request of the connection.
    void next();

    // The head asked for "Expect: 100-continue" and its body has not come yet: the client waits
    // for an interim answer before sending it. True until takeContinue() is called.
    bool wantsContinue() const { return m_continue; }
    void takeContinue() { m_continue = false; }

    int errorStatus() const { return m_errorStatus; }
    const char *errorCode() const { return m_errorCode; }
    const QByteArray &errorDetail() const { return m_errorDetail; }

    const Limits &limits() const { return m_limits; }

private:
    struct Callbacks;
    void fail(int status, const char *code, QByteArray detail);
    int headersComplete();
    qsizetype parse(QByteArrayView bytes);

    Limits m_limits;
    const HeadCheck *m_headCheck = nullptr;
    std::unique_ptr<http_parser> m_parser;
    RequestHeadScanner m_head;
    HttpRequest m_request;
    State m_state = State::Idle;
    bool m_inValue = false;
    bool m_continue = false;
    int m_errorStatus = 0;
    const char *m_errorCode = "";
    QByteArray m_errorDetail;
};
