#pragma once

#include "http/servercontext.h"

#include <QAbstractHttpServer>
#include <QObject>
#include <vector>

class ChatEndpoint;
class ChatProtocol;
class ConnectionFeeder;
class QTimer;
class ResponseChannel;
class ServerWorker;
class WorkerListener;

// Reads and parses the HTTP requests of a share of one loop's connections (QHttpServer does the
// HTTP/1.1 work) and hands every request to the loop's ServerWorker.
//
// Why shares: QAbstractHttpServer (Qt 6.4) looks up which listener announced a new connection
// with QObject::sender(), which walks every signal connection into the server object, and each
// open connection adds some. One server object holding 10,000 connections spent most of a
// 10,000-user burst in that walk (measured); a loop's connections spread over a few dozen
// shards keep each walk short.
class RequestShard : public QAbstractHttpServer
{
    Q_OBJECT
public:
    RequestShard(ServerWorker *worker, QObject *parent);

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    ServerWorker *m_worker;
};

// One worker event loop (a uvicorn worker): accepts connections on the shared port, routes
// requests, and runs every handler of its connections. Created on, and used from, its own thread.
class ServerWorker : public QObject
{
    Q_OBJECT
public:
    ServerWorker(int index, ServerContext *context, QObject *parent = nullptr);
    ~ServerWorker() override;

    bool startListening(int listenFd);
    void stopAccepting();
    // Stops accepting without taking the connections queued on the shared socket (the auto-scaling
    // supervisor retires this loop; the others take them).
    void retire();
    int index() const { return m_index; }

    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket);
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket);

private:
    static constexpr int Shards = 32;

    void heartbeat();
    bool authorized(const QHttpServerRequest &request) const;
    void handleChat(const QHttpServerRequest &request, std::shared_ptr<ResponseChannel> channel,
                    qint64 arrivedNs, std::shared_ptr<ChatProtocol> protocol);
    void handleModels(const QHttpServerRequest &request, const QStringList &parts, ResponseChannel &channel);
    void handleConversations(const QHttpServerRequest &request, const QStringList &parts,
                             ResponseChannel &channel);
    void handleStats(ResponseChannel &channel);

    const int m_index;
    ServerContext *m_context;
    WorkerListener *m_listener = nullptr;
    ChatEndpoint *m_chat = nullptr;
    QTimer *m_heartbeat = nullptr;
    qint64 m_expectedBeatNs = 0;
    std::vector<ConnectionFeeder *> m_feeders; // one per shard
    size_t m_nextShard = 0;
};
