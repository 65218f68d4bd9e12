// squall-bench-wsload: the WebSocket benchmark's client, the same for every server it drives.
// It opens N connections to ws://127.0.0.1:PORT/, then either keeps one masked message of SIZE
// bytes in flight per connection for SECONDS and prints round trips and MiB/s, or (idle mode)
// holds the connections open until stdin closes. Plain epoll and squall's sans-I/O frame codec.
// A benchmark tool of squall; run it through tools/bench/run-wsbench.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "squall/websocket_frame.h"

namespace {

using squall::WebSocketParser;

[[noreturn]] void die(const char* what) {
    std::perror(what);
    std::exit(1);
}

struct Connection {
    int fd = -1;
    std::string out;  // bytes not yet written
    std::size_t out_at = 0;
    std::string in;
    WebSocketParser parser{[] {
        squall::WebSocketParserOptions o;
        o.expect_masked = false;
        o.max_message_size = std::uint64_t{1} << 32;
        return o;
    }()};
};

int connect_to(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) die("socket");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) die("connect");
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

/// The opening handshake, blocking; bytes after the 101 head stay in `c.in`.
void handshake(Connection& c, int port) {
    std::string request = "GET / HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                          "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    if (::send(c.fd, request.data(), request.size(), 0) != static_cast<ssize_t>(request.size())) die("send");
    char buf[4096];
    std::size_t end;
    while ((end = c.in.find("\r\n\r\n")) == std::string::npos) {
        ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
        if (n <= 0) die("handshake recv");
        c.in.append(buf, static_cast<std::size_t>(n));
    }
    if (c.in.compare(0, 12, "HTTP/1.1 101") != 0) {
        std::fprintf(stderr, "handshake refused: %s\n", c.in.substr(0, c.in.find("\r\n")).c_str());
        std::exit(1);
    }
    c.in.erase(0, end + 4);
}

void queue_message(Connection& c, const std::string& message) {
    static const unsigned char key[4] = {0x12, 0x34, 0x56, 0x78};
    squall::write_websocket_frame(c.out, squall::WebSocketOpcode::binary, message, true, key);
}

/// Writes what it can; true while bytes remain.
bool flush(Connection& c) {
    while (c.out_at < c.out.size()) {
        ssize_t n = ::send(c.fd, c.out.data() + c.out_at, c.out.size() - c.out_at, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EAGAIN) return true;
            die("send");
        }
        c.out_at += static_cast<std::size_t>(n);
    }
    c.out.clear();
    c.out_at = 0;
    return false;
}

/// Reads and parses; the number of whole echoes that arrived.
int read_echoes(Connection& c) {
    char buf[65536];
    int echoes = 0;
    for (;;) {
        ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EAGAIN) break;
        if (n <= 0) die("the server closed a connection");
        c.in.append(buf, static_cast<std::size_t>(n));
    }
    std::size_t at = 0;
    for (;;) {
        auto r = c.parser.parse(std::string_view(c.in).substr(at));
        at += r.consumed;
        if (r.status == WebSocketParser::Status::incomplete) break;
        if (r.status == WebSocketParser::Status::message) ++echoes;
        if (r.status == WebSocketParser::Status::error || r.status == WebSocketParser::Status::close) {
            std::fprintf(stderr, "server frame: %s\n", c.parser.error_message().c_str());
            std::exit(1);
        }
    }
    c.in.erase(0, at);
    return echoes;
}

void set_nonblocking(int fd) {
    int one = 1;
    if (::ioctl(fd, FIONBIO, &one) != 0) die("FIONBIO");
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 5 && !(argc == 4 && std::strcmp(argv[3], "idle") == 0)) {
        std::fprintf(stderr, "usage: squall-bench-wsload PORT CONNECTIONS SECONDS SIZE | PORT CONNECTIONS idle\n");
        return 2;
    }
    const int port = std::atoi(argv[1]);
    const int count = std::atoi(argv[2]);
    rlimit limit{};
    ::getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
    std::vector<std::unique_ptr<Connection>> conns;
    for (int i = 0; i < count; ++i) {
        auto c = std::make_unique<Connection>();
        c->fd = connect_to(port);
        handshake(*c, port);
        conns.push_back(std::move(c));
    }
    if (argc == 4) {
        std::printf("ready\n");
        std::fflush(stdout);
        char line[16];
        (void)!std::fgets(line, sizeof line, stdin);  // held until the script has measured
        return 0;
    }
    const double seconds = std::atof(argv[3]);
    const std::string message(static_cast<std::size_t>(std::atol(argv[4])), 'm');
    int ep = ::epoll_create1(EPOLL_CLOEXEC);
    for (auto& c : conns) {
        set_nonblocking(c->fd);
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLOUT | EPOLLET;
        ev.data.ptr = c.get();
        ::epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
        queue_message(*c, message);
        flush(*c);
    }
    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    const auto deadline = start + std::chrono::duration<double>(seconds);
    long long round_trips = 0;
    std::vector<epoll_event> events(1024);
    while (Clock::now() < deadline) {
        int n = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), 100);
        for (int i = 0; i < n; ++i) {
            auto& c = *static_cast<Connection*>(events[i].data.ptr);
            if (events[i].events & EPOLLOUT) flush(c);
            if (events[i].events & EPOLLIN) {
                int echoes = read_echoes(c);
                round_trips += echoes;
                for (int k = 0; k < echoes; ++k) queue_message(c, message);
                if (echoes) flush(c);
            }
        }
    }
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf("%.0f round-trips/s %.1f MiB/s\n", static_cast<double>(round_trips) / elapsed,
                static_cast<double>(round_trips) * static_cast<double>(message.size()) / elapsed / (1 << 20));
    return 0;
}
