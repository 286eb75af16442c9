#pragma once

#include "clientrecord.h"
#include "llm/ssedecoder.h"
#include "loop/epolleventdispatcher.h"

#include <QByteArray>
#include <atomic>
#include <http_parser.h>
#include <sys/socket.h>

// One simulated user's HTTP/1.1 connection in the load generator: a raw non-blocking socket on
// the generator thread's epoll dispatcher, one request at a time, its response read by
// http_parser. Kept alive between requests; reconnects when the server closed it. Reports each
// finished request to its Owner (LoadWorker, which does the scheduling). Lives on one thread.
class ClientConnection final : public EpollEventDispatcher::FdWatcher
{
public:
    class Owner
    {
    public:
        // The request ended: a whole response (ClientError::None; the status is in the record),
        // or the error. The record's completeNs is set.
        virtual void requestEnded(ClientConnection &connection, ClientError error) = 0;

    protected:
        ~Owner() = default;
    };
    struct Target
    {
        sockaddr_storage address {};
        socklen_t length = 0; // 0: the host could not be resolved
    };

    ClientConnection(Owner *owner, EpollEventDispatcher *dispatcher, std::atomic<qint64> *openSockets,
                     int user, int local);
    ~ClientConnection();
    ClientConnection(const ClientConnection &) = delete;
    ClientConnection &operator=(const ClientConnection &) = delete;

    // Sends `request` (whole HTTP bytes, kept by the caller until the request ends) for `record`,
    // on the kept-alive socket or on a new connection to `target`.
    void send(const Target &target, const QByteArray &request, const ClientRecord &record);
    void close();
    // Ends the request in flight with `error` (timeout, cancelled) and closes the socket.
    void fail(ClientError error);

    const int user; // the simulated user (open model: the connection slot)
    const int local; // closed model: the local user index
    bool busy = false;
    ClientRecord record;
    QByteArray bodyJson; // the request body, kept while the user stays the same
    int bodyUser = -2;
    QByteArray request; // the request being sent

    void fdEvents(quint32 epollEvents) override;

private:
    friend struct ClientParserHooks;
    void open();
    void writeMore();
    void readAvailable();
    void end(ClientError error);
    void resendFresh();
    void watch(quint32 events);

    Owner *m_owner;
    EpollEventDispatcher *m_dispatcher;
    std::atomic<qint64> *m_openSockets;
    const Target *m_target = nullptr;
    int m_fd = -1;
    quint32 m_events = 0;
    bool m_connecting = false;
    bool m_keepAlive = false;
    const QByteArray *m_request = nullptr;
    qsizetype m_written = 0;
    http_parser m_parser {};
    bool m_messageDone = false;
    QByteArray m_body; // a plain reply (streams are read as events instead)
    SseDecoder m_sse; // a streamed reply, read until it has given the request id and first token
    bool m_streamIdRead = false;
};
