// squall-bench-echo: an echo server (squall's TCPServer + IOStream, or a plain hand-written
// epoll server doing the same work) and a load client measuring round trips per second over
// many connections and the bulk throughput of one connection. A benchmark tool of squall; run
// it through tools/bench/run-echobench, which pins server and client to different cores.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "plain_epoll.h"
#include "squall/iostream.h"
#include "squall/log.h"
#include "squall/tcpserver.h"

namespace {

using BenchClock = std::chrono::steady_clock;

// ---- servers ------------------------------------------------------------------------------

class SquallEcho : public squall::TCPServer {
    using TCPServer::TCPServer;
    void handle_stream(std::unique_ptr<squall::IOStream> stream, const squall::SocketAddress&) override {
        stream->set_nodelay(true);
        serve(std::move(stream));
    }
    static squall::Future<void> serve(std::unique_ptr<squall::IOStream> stream) {
        try {
            while (true) {
                std::string chunk = co_await stream->read_bytes(64 * 1024, true);
                co_await stream->write(std::move(chunk));
            }
        } catch (const squall::StreamClosedError&) {
        }
    }
};

int run_squall_server(int port) {
    squall::set_logging_level(squall::LogLevel::warning);
    squall::IOLoop loop;
    SquallEcho server(loop);
    server.listen(port, "127.0.0.1");
    std::printf("ready %d\n", server.ports().front());
    std::fflush(stdout);
    loop.start();
    return 0;
}

/// The floor: non-blocking sockets, one epoll set, a pending-output buffer per connection.
int run_epoll_server(int port) {
    squall::bench::PlainEpoll plain = squall::bench::open_plain_epoll(port);
    int lfd = plain.listener, ep = plain.epoll;
    std::vector<std::string> pending(65536);
    std::vector<char> buf(64 * 1024);
    std::vector<epoll_event> events(256);
    while (true) {
        int n = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), -1);
        for (int i = 0; i < n; ++i) {
            int fd = events[static_cast<size_t>(i)].data.fd;
            if (fd == lfd) {
                squall::bench::accept_all(plain);
                continue;
            }
            std::string& out = pending[static_cast<size_t>(fd)];
            bool closed = false;
            if (out.empty()) {
                ssize_t r = ::recv(fd, buf.data(), buf.size(), 0);
                if (r == 0 || (r < 0 && errno != EAGAIN)) closed = true;
                else if (r > 0) out.assign(buf.data(), static_cast<size_t>(r));
            }
            if (!closed && !out.empty()) {
                ssize_t w = ::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
                if (w < 0 && errno != EAGAIN) closed = true;
                else if (w > 0) out.erase(0, static_cast<size_t>(w));
            }
            if (closed) {
                ::epoll_ctl(ep, EPOLL_CTL_DEL, fd, nullptr);
                ::close(fd);
                out.clear();
                continue;
            }
            epoll_event cev{};
            cev.events = out.empty() ? EPOLLIN : EPOLLOUT;  // stop reading while output waits
            cev.data.fd = fd;
            ::epoll_ctl(ep, EPOLL_CTL_MOD, fd, &cev);
        }
    }
}

// ---- client -------------------------------------------------------------------------------

int connect_to(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        std::perror("connect");
        std::exit(1);
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

/// Round trips: `conns` connections each keep one `size`-byte message in flight.
double round_trips_per_second(int port, int conns, std::size_t size, double seconds) {
    int ep = ::epoll_create1(EPOLL_CLOEXEC);
    std::vector<int> fds;
    std::vector<std::size_t> got(static_cast<size_t>(conns), 0);
    std::string msg(size, 'm');
    for (int i = 0; i < conns; ++i) {
        int fd = connect_to(port);
        ::fcntl(fd, F_SETFL, O_NONBLOCK);
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u32 = static_cast<uint32_t>(i);
        ::epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
        fds.push_back(fd);
        ::send(fd, msg.data(), msg.size(), MSG_NOSIGNAL);
    }
    std::vector<char> buf(64 * 1024);
    std::vector<epoll_event> events(256);
    long trips = 0;
    auto end = BenchClock::now() + std::chrono::duration_cast<BenchClock::duration>(std::chrono::duration<double>(seconds));
    auto start = BenchClock::now();
    while (BenchClock::now() < end) {
        int n = ::epoll_wait(ep, events.data(), static_cast<int>(events.size()), 100);
        for (int i = 0; i < n; ++i) {
            auto c = events[static_cast<size_t>(i)].data.u32;
            ssize_t r = ::recv(fds[c], buf.data(), buf.size(), 0);
            if (r <= 0) continue;
            got[c] += static_cast<size_t>(r);
            if (got[c] >= size) {
                got[c] -= size;
                ++trips;
                ::send(fds[c], msg.data(), msg.size(), MSG_NOSIGNAL);
            }
        }
    }
    double elapsed = std::chrono::duration<double>(BenchClock::now() - start).count();
    for (int fd : fds) ::close(fd);
    ::close(ep);
    return static_cast<double>(trips) / elapsed;
}

/// Bulk: one connection streams `total` bytes and reads the echo back; GB/s echoed.
double bulk_gbps(int port, std::size_t total) {
    int fd = connect_to(port);
    ::fcntl(fd, F_SETFL, O_NONBLOCK);
    std::vector<char> out(256 * 1024, 'b'), in(256 * 1024);
    std::size_t sent = 0, received = 0;
    auto start = BenchClock::now();
    while (received < total) {
        if (sent < total) {
            ssize_t w = ::send(fd, out.data(), std::min(out.size(), total - sent), MSG_NOSIGNAL);
            if (w > 0) sent += static_cast<size_t>(w);
        }
        ssize_t r = ::recv(fd, in.data(), in.size(), 0);
        if (r > 0) received += static_cast<size_t>(r);
        else if (r == 0) break;
    }
    double elapsed = std::chrono::duration<double>(BenchClock::now() - start).count();
    ::close(fd);
    return static_cast<double>(received) / elapsed / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc >= 3 && std::strcmp(argv[1], "server") == 0) {
        int port = argc >= 4 ? std::atoi(argv[3]) : 0;
        if (std::strcmp(argv[2], "squall") == 0) return run_squall_server(port);
        if (std::strcmp(argv[2], "epoll") == 0) return run_epoll_server(port);
    }
    if (argc >= 4 && std::strcmp(argv[1], "client") == 0) {
        int port = std::atoi(argv[2]);
        double seconds = std::atof(argv[3]);
        double rt = round_trips_per_second(port, 50, 64, seconds);
        double gb = bulk_gbps(port, std::size_t{1} << 30);
        std::printf("round_trips_per_s %.0f\nbulk_gb_per_s %.3f\n", rt, gb);
        return 0;
    }
    std::fprintf(stderr,
                 "usage: squall-bench-echo server squall|epoll [port]\n"
                 "       squall-bench-echo client PORT SECONDS\n");
    return 2;
}
