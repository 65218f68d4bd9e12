// Listening sockets and the accept loop. Public header. Models tornado/netutil.py (4.0):
// bind_sockets, add_accept_handler, is_valid_ip.
#pragma once

#include "squall/detail/require_cxx20.h"

#include <sys/socket.h>

#include <string>
#include <string_view>
#include <vector>

#include "squall/function.h"
#include "squall/ioloop.h"

namespace squall {

struct BindOptions {
    /// "" binds every interface; a name or a numeric address binds what it resolves to.
    std::string address;
    /// AF_UNSPEC (IPv4 and IPv6 where the host has them), AF_INET or AF_INET6.
    int family = AF_UNSPEC;
    int backlog = 128;
    /// SO_REUSEPORT, so several processes can listen on one port (Tornado 4.3).
    bool reuse_port = false;
};

/// Listening, non-blocking, close-on-exec sockets for `port` (0: the kernel picks one, and every
/// returned socket shares it). IPv6 sockets are IPV6_V6ONLY. Throws std::system_error, or
/// std::runtime_error for an address that does not resolve. The caller owns the descriptors.
std::vector<int> bind_sockets(int port, const BindOptions& options = {});

/// A peer's address as accept(2) gave it.
struct SocketAddress {
    sockaddr_storage storage{};
    socklen_t length = 0;
    const sockaddr* get() const noexcept { return reinterpret_cast<const sockaddr*>(&storage); }
    int family() const noexcept { return storage.ss_family; }
    /// "1.2.3.4" or "::1"; empty for other families.
    std::string ip() const;
    int port() const noexcept;
};

/// The local address a socket is bound to (getsockname): the port after binding port 0, say.
/// Throws std::system_error for a descriptor that is not a socket.
SocketAddress local_address(int sock);

using AcceptCallback = MoveOnlyFunction<void(int fd, const SocketAddress& address)>;

/// Accept connections on listening socket `sock` (up to its backlog per wake-up) and hand each
/// non-blocking, close-on-exec descriptor to `callback`. When the process runs out of
/// descriptors (EMFILE/ENFILE) accepting pauses and retries, so pending connections are served
/// once descriptors free up. Remove with `loop.remove_handler(sock)`.
void add_accept_handler(IOLoop& loop, int sock, AcceptCallback callback, int backlog = 128);

/// True for a numeric IPv4 or IPv6 address ("127.0.0.1", "::1"); false for names and junk.
bool is_valid_ip(std::string_view ip);

}  // namespace squall
