#pragma once

#include <QHostAddress>
#include <QString>

namespace Http {

// A non-blocking, close-on-exec TCP listening socket on host:port (port 0: any free port, written
// to *boundPort), with SO_REUSEADDR and the largest accept backlog the kernel allows. Returns the
// descriptor, or -1 with *error saying why (a port in use fails: no SO_REUSEPORT).
int openListeningSocket(const QHostAddress &host, quint16 port, quint16 *boundPort, QString *error);

} // namespace Http
