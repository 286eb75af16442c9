#include "listeningsocket.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace Http {

int openListeningSocket(const QHostAddress &host, quint16 port, quint16 *boundPort, QString *error)
{
    const bool v6 = host.protocol() == QAbstractSocket::IPv6Protocol;
    const int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *error = QString::fromLocal8Bit(std::strerror(errno));
        return -1;
    }
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_storage addr {};
    socklen_t len = 0;
    if (v6) {
        auto *a = reinterpret_cast<sockaddr_in6 *>(&addr);
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(port);
        const Q_IPV6ADDR ip = host.toIPv6Address();
        std::memcpy(&a->sin6_addr, &ip, sizeof(ip));
        len = sizeof(sockaddr_in6);
    } else {
        auto *a = reinterpret_cast<sockaddr_in *>(&addr);
        a->sin_family = AF_INET;
        a->sin_port = htons(port);
        a->sin_addr.s_addr = htonl(host == QHostAddress::Any ? INADDR_ANY : host.toIPv4Address());
        len = sizeof(sockaddr_in);
    }
    // Connections wait here while every worker is busy (and, in a burst, until a loop wakes up to
    // accept them). Ask for the most the kernel allows: Linux caps the backlog at
    // net.core.somaxconn (4096 by default since 5.4); uvicorn asks for 2048.
    if (::bind(fd, reinterpret_cast<sockaddr *>(&addr), len) != 0 || ::listen(fd, 65535) != 0) {
        *error = QStringLiteral("cannot listen on %1:%2: %3")
                     .arg(host.toString())
                     .arg(port)
                     .arg(QString::fromLocal8Bit(std::strerror(errno)));
        ::close(fd);
        return -1;
    }
    ::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len);
    *boundPort = ntohs(v6 ? reinterpret_cast<sockaddr_in6 *>(&addr)->sin6_port
                          : reinterpret_cast<sockaddr_in *>(&addr)->sin_port);
    return fd;
}

} // namespace Http
