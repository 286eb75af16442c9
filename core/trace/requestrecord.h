#pragma once

#include "base/dispatchmode.h"

#include <QMetaType>
#include <QString>
#include <array>
#include <cstring>
#include <type_traits>

// What a span of a request was doing.
enum class Phase : quint8 {
    Queued, // handed to the pool, no thread free yet
    DbRead, // load user and history (SQLite read + simulated remote delay)
    Llm, // waiting for the model (until the last token)
    DbWrite, // save the exchange (SQLite write + simulated delay)
    Prefetch, // background warm-up of the history cache
    Poll, // idle time of the polling worker loop before the task was picked up
    Respond, // writing the answer back on the loop thread
    CpuWork, // CPU-bound computation (hashing until the thread CPU clock says enough)
    GilWait, // waiting for the modelled interpreter lock before running CPU work
    Other, // an observed span that is neither a DB nor an LLM/HTTP call (OTLP)
    LoopWait, // the awaited thing was ready, the coroutine had not been resumed yet: the loop was busy
    Handler, // an observed server span's own time, not covered by any child span (OTLP)
    DbPoolWait, // waiting for a free connection of the database pool
};
inline constexpr int PhaseCount = 13;
QString phaseName(Phase phase);

enum class Endpoint : quint8 { Chat, ChatStream, Completions, Other };

// One interval of work inside a request, on one thread.
struct TraceSpan
{
    qint64 startNs = 0;
    qint64 endNs = 0; // 0 while running
    quint16 thread = 0;
    Phase phase = Phase::DbRead;
    quint8 index = 0; // which call of a fan-out (0 for single calls)
    quint32 count = 1; // rows written by a batched DB step
};

// Everything the server knows about one request. A plain value, trivially copyable, so the
// recorder can publish it word by word without locks. Timestamps come from TraceClock.
struct RequestRecord
{
    // Room for the async pipeline's steps with a loop_wait after each awaited one, and a few GIL
    // slices in executor mode (the rest of a long GIL stretch is summed: pipeline/cpuwork.cpp).
    static constexpr int MaxSpans = 16;

    quint64 id = 0; // server request id (1, 2, ...), also in the response
    quint64 clientTag = 0; // X-LoopScope-Client-Tag header: joins a load-generator record
    qint64 arrivedNs = 0; // request fully read by the worker loop
    qint64 startedNs = 0; // handler began the pipeline (on whichever thread)
    qint64 firstTokenNs = 0; // first token written to the client (streaming) or produced
    qint64 respondedNs = 0; // last byte handed to the socket
    std::array<TraceSpan, MaxSpans> spans {};
    quint8 spanCount = 0;
    qint8 worker = 0;
    DispatchMode mode = DispatchMode::Async;
    Endpoint endpoint = Endpoint::Chat;
    quint16 status = 0; // 0 while in flight
    quint16 loopThread = 0;
    quint32 requestBytes = 0;
    quint32 responseBytes = 0;
    quint32 tokens = 0;
    std::array<char, 32> user {}; // user_id, truncated, NUL-terminated
    // Who sent it (a recording of outside load keeps them): the peer's address (IPv6, an IPv4
    // peer as ::ffff:a.b.c.d) and port, and the User-Agent and X-LoopScope-User headers,
    // truncated and NUL-terminated like `user`. All zero when unknown.
    std::array<quint8, 16> clientAddress {};
    quint16 clientPort = 0;
    quint8 flags = 0; // RecordFlag bits
    std::array<char, 40> userAgent {};
    std::array<char, 32> loopscopeUser {};

    // In flight when a recording started or stopped: kept and drawn, never counted.
    static constexpr quint8 BoundaryFlag = 1;
    // The conversation's model settings this request was answered with (shown in its details).
    std::array<char, 24> model {}; // the model asked for, truncated, NUL-terminated; empty: the server's
    quint32 systemPromptChars = 0; // 0: no system prompt
    qint16 temperatureCenti = -1; // temperature x 100; < 0: the server's
    quint16 maxTokens = 0; // 0: the server's

    bool finished() const { return status != 0; }
    bool boundary() const { return flags & BoundaryFlag; }
    QString userId() const { return QString::fromUtf8(user.data()); }
    void setUserId(const QByteArray &utf8) { copyTruncated(user, utf8); }
    bool hasClient() const { return clientPort != 0; }
    // "127.0.0.1" for an IPv4 peer, "::1" style for IPv6, empty when unknown.
    QString clientAddressText() const;
    QString clientEndpointText() const; // address:port ([v6]:port)
    QString userAgentText() const { return QString::fromUtf8(userAgent.data()); }
    QString loopscopeUserText() const { return QString::fromUtf8(loopscopeUser.data()); }
    // Reads an address written by clientAddressText(); false (and zero) when it is not one.
    bool setClientAddressText(const QString &text);
    void setUserAgent(const QByteArray &utf8) { copyTruncated(userAgent, utf8); }
    void setLoopscopeUser(const QByteArray &utf8) { copyTruncated(loopscopeUser, utf8); }
    QString modelName() const { return QString::fromUtf8(model.data()); }
    void setModelName(const QByteArray &utf8) { copyTruncated(model, utf8); }
    // Opens a span on the calling thread and returns its slot (or -1 when full).
    int beginSpan(Phase phase, qint64 nowNs, quint16 thread, quint8 index = 0);
    void endSpan(int slot, qint64 nowNs);

private:
    template<size_t N> static void copyTruncated(std::array<char, N> &to, const QByteArray &utf8)
    {
        qsizetype n = std::min<qsizetype>(utf8.size(), qsizetype(N - 1));
        // Never cut a UTF-8 sequence in half: back up to the start of the last character.
        if (n < utf8.size())
            while (n > 0 && (quint8(utf8[n]) & 0xC0) == 0x80)
                --n;
        std::memcpy(to.data(), utf8.constData(), size_t(n));
        to[size_t(n)] = 0;
    }
};

// The summed length of a record's finished spans of one phase (e.g. its loop_wait).
qint64 phaseTotalNs(const RequestRecord &record, Phase phase);

static_assert(std::is_trivially_copyable_v<RequestRecord>);
static_assert(sizeof(RequestRecord) % 8 == 0, "published as 64-bit words");

Q_DECLARE_METATYPE(RequestRecord)
