#pragma once

#include "http/servercontext.h"

#include <QAbstractHttpServer>
#include <QObject>

class ChatEndpoint;
class ChatProtocol;
class QTimer;
class ResponseChannel;
class WorkerListener;

// One worker event loop (a uvicorn worker): accepts connections on the shared port, routes
// requests, and runs every handler of its connections. Created on, and used from, its own thread.
class ServerWorker : public QAbstractHttpServer
{
    Q_OBJECT
public:
    ServerWorker(int index, ServerContext *context, QObject *parent = nullptr);
    ~ServerWorker() override;

    bool startListening(int listenFd);
    void stopAccepting();
    int index() const { return m_index; }

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
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
};
