// bind_sockets, add_accept_handler and is_valid_ip. Internal. Models tornado/netutil.py (4.0),
// with 4.3's reuse_port and a pause-and-retry answer to EMFILE instead of a busy accept loop.
#include "squall/netutil.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <system_error>

#include "squall/log.h"

namespace squall {
namespace {

using namespace std::chrono_literals;

struct AddrinfoDeleter {
    void operator()(addrinfo* a) const { ::freeaddrinfo(a); }
};

[[noreturn]] void throw_errno(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), what);
}

int port_of(const sockaddr* sa) {
    if (sa->sa_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(sa)->sin_port);
    if (sa->sa_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(sa)->sin6_port);
    return 0;
}

void set_port(sockaddr* sa, int port) {
    if (sa->sa_family == AF_INET) reinterpret_cast<sockaddr_in*>(sa)->sin_port = htons(static_cast<uint16_t>(port));
    if (sa->sa_family == AF_INET6) reinterpret_cast<sockaddr_in6*>(sa)->sin6_port = htons(static_cast<uint16_t>(port));
}

/// The accept loop of one listening socket; lives as long as its handler.
struct Acceptor {
    IOLoop* loop;
    int sock;
    int backlog;
    AcceptCallback callback;
    bool paused = false;

    void on_ready() {
        for (int i = 0; i < backlog; ++i) {
            SocketAddress addr;
            addr.length = sizeof addr.storage;
            int fd = ::accept4(sock, reinterpret_cast<sockaddr*>(&addr.storage), &addr.length,
                               SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0) {
                if (errno == EAGAIN || errno == EWOULDBLOCK) return;
                if (errno == EINTR || errno == ECONNABORTED) continue;  // the peer gave up
                if (errno == EMFILE || errno == ENFILE) {
                    pause_for_descriptors();
                    return;
                }
                gen_log().logf(LogLevel::error, "accept on fd %d failed: %s", sock, std::strerror(errno));
                return;
            }
            callback(fd, addr);
        }
    }

    void pause_for_descriptors() {
        // Level-triggered readiness would report the socket again at once and spin; stop
        // watching it and look again shortly. The connections wait in the kernel's backlog.
        gen_log().logf(LogLevel::warning,
                       "accept on fd %d: out of descriptors; pausing accepts for 100 ms", sock);
        paused = true;
        loop->update_handler(sock, Events::none);
        loop->call_later(100ms, [loop = loop, sock = sock] {
            if (loop->has_handler(sock)) loop->update_handler(sock, Events::read);
        });
    }
};

}  // namespace

std::vector<int> bind_sockets(int port, const BindOptions& options) {
    if (port < 0 || port > 65535) throw std::invalid_argument("bind_sockets: port out of range");
    addrinfo hints{};
    hints.ai_family = options.family;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    addrinfo* raw = nullptr;
    std::string service = std::to_string(port);
    int rc = ::getaddrinfo(options.address.empty() ? nullptr : options.address.c_str(),
                           service.c_str(), &hints, &raw);
    if (rc != 0)
        throw std::runtime_error("bind_sockets: cannot resolve '" + options.address +
                                 "': " + ::gai_strerror(rc));
    std::unique_ptr<addrinfo, AddrinfoDeleter> results(raw);

    std::vector<int> socks;
    std::vector<std::string> seen;
    int bound_port = port;
    try {
        for (addrinfo* ai = raw; ai; ai = ai->ai_next) {
            std::string key(reinterpret_cast<const char*>(ai->ai_addr), ai->ai_addrlen);
            if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
            seen.push_back(key);
            int fd = ::socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                if (errno == EAFNOSUPPORT) continue;  // e.g. IPv6 compiled out of the kernel
                throw_errno("socket");
            }
            socks.push_back(fd);
            int one = 1;
            ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
            if (options.reuse_port && ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
                throw_errno("setsockopt(SO_REUSEPORT)");
            // One socket per family: an IPv6 socket must not also take the IPv4 traffic.
            if (ai->ai_family == AF_INET6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
            sockaddr_storage addr{};
            std::memcpy(&addr, ai->ai_addr, ai->ai_addrlen);
            // Port 0: the first socket's kernel-chosen port is used for all (Tornado 4.0).
            if (port == 0 && bound_port != 0) set_port(reinterpret_cast<sockaddr*>(&addr), bound_port);
            if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), ai->ai_addrlen) != 0)
                throw_errno("bind to port " + std::to_string(bound_port));
            if (::listen(fd, options.backlog) != 0) throw_errno("listen");
            if (port == 0 && bound_port == 0) {
                socklen_t len = sizeof addr;
                ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
                bound_port = port_of(reinterpret_cast<sockaddr*>(&addr));
            }
        }
    } catch (...) {
        for (int fd : socks) ::close(fd);
        throw;
    }
    if (socks.empty()) throw std::runtime_error("bind_sockets: no usable address for '" + options.address + "'");
    return socks;
}

void add_accept_handler(IOLoop& loop, int sock, AcceptCallback callback, int backlog) {
    auto acceptor = std::make_unique<Acceptor>(Acceptor{&loop, sock, std::max(1, backlog), std::move(callback)});
    loop.add_handler(sock, [a = std::move(acceptor)](int, Events) { a->on_ready(); }, Events::read);
}

std::string SocketAddress::ip() const {
    char buf[INET6_ADDRSTRLEN] = {};
    if (family() == AF_INET)
        ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage)->sin_addr, buf, sizeof buf);
    else if (family() == AF_INET6)
        ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_addr, buf, sizeof buf);
    return buf;
}

int SocketAddress::port() const noexcept { return port_of(get()); }

SocketAddress local_address(int sock) {
    SocketAddress a;
    a.length = sizeof a.storage;
    if (::getsockname(sock, reinterpret_cast<sockaddr*>(&a.storage), &a.length) != 0)
        throw_errno("getsockname");
    return a;
}

bool is_valid_ip(std::string_view ip) {
    if (ip.empty() || ip.size() >= INET6_ADDRSTRLEN + 16) return false;
    if (ip.find('\0') != std::string_view::npos) return false;
    std::string s(ip);
    in6_addr buf6;
    in_addr buf4;
    if (::inet_pton(AF_INET, s.c_str(), &buf4) == 1) return true;
    // Scoped addresses ("fe80::1%eth0") are valid too, as getaddrinfo would accept them.
    std::string host = s.substr(0, s.find('%'));
    return ::inet_pton(AF_INET6, host.c_str(), &buf6) == 1;
}

}  // namespace squall
