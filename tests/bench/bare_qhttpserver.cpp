// Reference point for docs/BENCHMARKS.md: the thinnest QHttpServer handler (no routing, no JSON
// parsing, no tracing, no database), to compare LoopScope's core against on the same machine.
#include <QCoreApplication>
#include <QHttpServer>
#include <QHttpServerResponse>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const quint16 port = argc > 1 ? quint16(QByteArray(argv[1]).toUInt()) : 18999;
    QHttpServer server;
    server.route(QStringLiteral("/v1/chat"), [] {
        return QHttpServerResponse(QByteArray(R"({"response":"ok"})"), QHttpServerResponse::StatusCode::Ok);
    });
    if (server.listen(QHostAddress::LocalHost, port) == 0)
        return 1;
    return app.exec();
}
