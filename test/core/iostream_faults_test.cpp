// Fault tests for streams and the accept loop: a peer that resets mid-read and mid-write, a
// half-close, and a server that runs out of descriptors. Models the failure cases of
// tornado/test/iostream_test.py and tcpserver_test.py (4.0), plus descriptor counting.
#include <dirent.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "async_test.h"
#include "catch.h"
#include "squall/gen.h"
#include "squall/iostream.h"
#include "squall/tcpserver.h"

using namespace squall;
using namespace std::chrono_literals;
using squall::testing::AsyncTest;
using squall::testing::LogCapture;

namespace {

/// Listens on 127.0.0.1 and hands each accepted stream to a Promise queue.
class Collector : public TCPServer {
public:
    using TCPServer::TCPServer;
    std::vector<std::unique_ptr<IOStream>> streams;
    Promise<void> arrived;
    std::size_t wanted = 1;

    sockaddr_in address() const {
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = htons(static_cast<uint16_t>(ports().front()));
        return a;
    }

protected:
    void handle_stream(std::unique_ptr<IOStream> stream, const SocketAddress&) override {
        streams.push_back(std::move(stream));
        if (streams.size() == wanted && !arrived.done()) arrived.set_result();
    }
};

int connect_blocking(const sockaddr_in& addr) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0);
    return fd;
}

void reset_and_close(int fd) {
    linger lg{1, 0};  // close with an RST instead of a FIN
    ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    ::close(fd);
}

std::error_code real_errc(const StreamClosedError& e) {
    try {
        if (e.real_error()) std::rethrow_exception(e.real_error());
    } catch (const std::system_error& se) {
        return se.code();
    } catch (...) {
    }
    return {};
}

int highest_open_fd() {
    int high = -1;
    if (DIR* d = ::opendir("/proc/self/fd")) {
        while (dirent* e = ::readdir(d)) high = std::max(high, std::atoi(e->d_name));
        ::closedir(d);
    }
    return high;
}

}  // namespace

TEST_CASE_METHOD(AsyncTest, "a peer reset during a read fails it with the reset as real_error",
                 "[core][iostream][faults][net]") {
    Collector server(io_loop());
    server.listen(0, "127.0.0.1");
    int client = connect_blocking(server.address());
    run_sync([&]() -> Future<void> {
        co_await server.arrived.get_future();
        auto pending = server.streams[0]->read_until("\n");
        reset_and_close(client);
        try {
            co_await pending;
            FAIL("read succeeded");
        } catch (const StreamClosedError& e) {
            CHECK(real_errc(e) == std::errc::connection_reset);
        }
        CHECK(server.streams[0]->closed());
    });
}

TEST_CASE_METHOD(AsyncTest, "a peer reset during a large write fails the write", "[core][iostream][faults][net]") {
    Collector server(io_loop());
    server.listen(0, "127.0.0.1");
    int client = connect_blocking(server.address());
    run_sync([&]() -> Future<void> {
        co_await server.arrived.get_future();
        // Far more than the socket buffers hold, so the write is still pending at the reset.
        auto written = server.streams[0]->write(std::string(32 * 1024 * 1024, 'w'));
        CHECK_FALSE(written.done());
        reset_and_close(client);
        bool failed = false;
        try {
            co_await written;
        } catch (const StreamClosedError& e) {
            failed = true;
            auto code = real_errc(e);
            CHECK((code == std::errc::connection_reset || code == std::errc::broken_pipe));
        }
        CHECK(failed);
    });
}

TEST_CASE_METHOD(AsyncTest, "a half-closed peer's data is read to the end", "[core][iostream][faults][net]") {
    Collector server(io_loop());
    server.listen(0, "127.0.0.1");
    int client = connect_blocking(server.address());
    REQUIRE(::write(client, "last words", 10) == 10);
    ::shutdown(client, SHUT_WR);
    run_sync([&]() -> Future<void> {
        co_await server.arrived.get_future();
        auto all = co_await server.streams[0]->read_until_close();
        CHECK(all == "last words");
        CHECK(server.streams[0]->error() == nullptr);  // an orderly close, not an error
    });
    ::close(client);
}

TEST_CASE_METHOD(AsyncTest, "out of descriptors, the server pauses accepting and serves later",
                 "[core][tcpserver][faults][net]") {
    LogCapture logs;
    Collector server(io_loop());
    server.wanted = 3;
    server.listen(0, "127.0.0.1");
    // Sockets made while descriptors remain; they connect after the limit is lowered, so their
    // accepts are the ones that fail with EMFILE.
    std::vector<int> clients;
    for (int i = 0; i < 3; ++i) clients.push_back(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    rlimit old{};
    ::getrlimit(RLIMIT_NOFILE, &old);
    rlimit tight = old;
    tight.rlim_cur = static_cast<rlim_t>(highest_open_fd() + 1);
    REQUIRE(::setrlimit(RLIMIT_NOFILE, &tight) == 0);
    std::vector<int> fillers;  // take any number still free below the limit
    for (int fd; (fd = ::dup(0)) >= 0;) fillers.push_back(fd);
    auto addr = server.address();
    for (int fd : clients) REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    run_sync([&]() -> Future<void> {
        // Wait (on the loop, not a sleep) until the server has hit the limit, then free it.
        while (logs.count("out of descriptors") == 0) co_await squall::moment;
        CHECK(server.streams.empty());
        for (int fd : fillers) ::close(fd);
        fillers.clear();
        ::setrlimit(RLIMIT_NOFILE, &old);
        co_await server.arrived.get_future();
    });
    for (int fd : fillers) ::close(fd);
    ::setrlimit(RLIMIT_NOFILE, &old);
    CHECK(server.streams.size() == 3);
    for (int fd : clients) ::close(fd);
}

TEST_CASE_METHOD(AsyncTest, "streams and servers leave no descriptor behind", "[core][iostream][faults][net]") {
    int before = squall::testing::open_fd_count();
    {
        Collector server(io_loop());
        server.wanted = 4;
        server.listen(0, "127.0.0.1");
        std::vector<int> clients;
        for (int i = 0; i < 4; ++i) clients.push_back(connect_blocking(server.address()));
        run_sync([&]() -> Future<void> {
            co_await server.arrived.get_future();
            reset_and_close(clients[0]);
            ::close(clients[1]);
            auto r0 = server.streams[0]->read_until_close();
            auto r1 = server.streams[1]->read_until_close();
            try {
                co_await r0;
            } catch (const StreamClosedError&) {
            }
            co_await r1;
        });
        ::close(clients[2]);
        ::close(clients[3]);
    }
    CHECK(squall::testing::open_fd_count() == before);
}
