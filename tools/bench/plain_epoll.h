// The shared skeleton of the benchmarks' plain epoll floors: a listening socket on 127.0.0.1,
// an epoll set, and accepting with TCP_NODELAY. Header-only, for tools/bench only.
#pragma once

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace squall::bench {

struct PlainEpoll {
    int listener = -1;
    int epoll = -1;
};

/// Listens on 127.0.0.1:`port` (0: any), watches it with a new epoll set and prints "ready PORT".
inline PlainEpoll open_plain_epoll(int port) {
    PlainEpoll p;
    p.listener = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(p.listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    if (::bind(p.listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(p.listener, 1024) != 0) {
        std::perror("bind/listen");
        std::exit(1);
    }
    socklen_t len = sizeof addr;
    ::getsockname(p.listener, reinterpret_cast<sockaddr*>(&addr), &len);
    p.epoll = ::epoll_create1(EPOLL_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = p.listener;
    ::epoll_ctl(p.epoll, EPOLL_CTL_ADD, p.listener, &ev);
    std::printf("ready %d\n", ntohs(addr.sin_port));
    std::fflush(stdout);
    return p;
}

/// Accepts every waiting connection and watches each for reading.
inline void accept_all(const PlainEpoll& p) {
    int one = 1, c;
    while ((c = ::accept4(p.listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
        ::setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.fd = c;
        ::epoll_ctl(p.epoll, EPOLL_CTL_ADD, c, &ev);
    }
}

}  // namespace squall::bench
