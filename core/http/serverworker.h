#pragma once

#include "http/servercontext.h"

#include <QByteArrayView>
#include <QObject>
#include <QVarLengthArray>
#include <memory>

class ChatEndpoint;
class ChatProtocol;
class HttpConnectionSet;
class HttpRequest;
class QTimer;
class ResponseChannel;
class WorkerListener;

// One worker event loop (a uvicorn worker): accepts connections on the shared port (its
// HttpConnectionSet reads their requests), routes requests, and runs every handler of its
// connections. Created on, and used from, its own thread.
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

    void handleRequest(const HttpRequest &request, std::shared_ptr<ResponseChannel> channel);

private:
    using PathParts = QVarLengthArray<QByteArrayView, 6>; // the path's segments

    void heartbeat();
    bool authorized(const HttpRequest &request) const;
    void handleChat(const HttpRequest &request, std::shared_ptr<ResponseChannel> channel, qint64 arrivedNs,
                    std::shared_ptr<ChatProtocol> protocol);
    void handleModels(const HttpRequest &request, const PathParts &parts, ResponseChannel &channel);
    void handleConversations(const HttpRequest &request, const PathParts &parts, ResponseChannel &channel);
    void handleStats(ResponseChannel &channel);

    const int m_index;
    ServerContext *m_context;
    WorkerListener *m_listener = nullptr;
    ChatEndpoint *m_chat = nullptr;
    QTimer *m_heartbeat = nullptr;
    qint64 m_expectedBeatNs = 0;
    HttpConnectionSet *m_connections = nullptr;
};
