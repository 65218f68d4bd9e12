// A connected, non-blocking AF_UNIX socketpair that closes itself. Internal test helper, shared
// by the poller and core suites.
#pragma once

#include <sys/socket.h>
#include <unistd.h>

#include "catch.h"

namespace squall::testing {

struct SocketPair {
    int a = -1, b = -1;
    SocketPair() {
        int fds[2];
        REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) == 0);
        a = fds[0];
        b = fds[1];
    }
    ~SocketPair() {
        if (a >= 0) ::close(a);
        if (b >= 0) ::close(b);
    }
    SocketPair(const SocketPair&) = delete;
    SocketPair& operator=(const SocketPair&) = delete;
    void close_b() {
        ::close(b);
        b = -1;
    }
};

}  // namespace squall::testing
