// Tests of TCPClient and the happy-eyeballs Connector. Ports tornado/test/tcpclient_test.py
// (4.0): TCPClientTest, TestConnectorSplit and ConnectorTest with fake connections.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "async_test.h"
#include "catch.h"
#include "dns_server.h"
#include "socket_pair.h"
#include "squall/gen.h"
#include "squall/tcpclient.h"
#include "squall/tcpserver.h"

using namespace squall;
using namespace std::chrono_literals;
using squall::testing::AsyncTest;

namespace {

class LineEcho : public TCPServer {
public:
    using TCPServer::TCPServer;

protected:
    void handle_stream(std::unique_ptr<IOStream> stream, const SocketAddress&) override { serve(std::move(stream)); }

private:
    static Future<void> serve(std::unique_ptr<IOStream> stream) {
        try {
            while (true) {
                std::string line = co_await stream->read_until("\n");
                co_await stream->write(std::move(line));
            }
        } catch (const StreamClosedError&) {
        }
    }
};

SocketAddress fake(int family, int port) {
    auto a = numeric_address(family == AF_INET ? "10.0.0.1" : "fd00::1", port, family);
    return a.front();
}

/// A connect function whose attempts the test finishes by hand.
struct FakeConnects {
    explicit FakeConnects(IOLoop& l) : loop(l) {}
    IOLoop& loop;
    std::map<int, Promise<std::unique_ptr<IOStream>>> pending;  // by port
    std::vector<int> attempted;
    Connector::ConnectFunction function() {
        return [this](const SocketAddress& a) {
            attempted.push_back(a.port());
            return pending[a.port()].get_future();
        };
    }
    void fail(int port) { pending[port].set_exception(std::runtime_error("refused " + std::to_string(port))); }
    void succeed(int port) {
        int fds[2];
        ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds);
        ::close(fds[1]);
        pending[port].set_result(std::make_unique<IOStream>(loop, fds[0]));
    }
};

}  // namespace

TEST_CASE("Connector::split keeps the first family first", "[core][tcpclient]") {
    auto [p1, s1] = Connector::split({fake(AF_INET, 1), fake(AF_INET, 2)});
    CHECK(p1.size() == 2);
    CHECK(s1.empty());
    auto [p2, s2] = Connector::split({fake(AF_INET, 1), fake(AF_INET6, 2), fake(AF_INET, 3), fake(AF_INET6, 4)});
    REQUIRE(p2.size() == 2);
    REQUIRE(s2.size() == 2);
    CHECK(p2[0].port() == 1);
    CHECK(p2[1].port() == 3);
    CHECK(s2[0].port() == 2);
    CHECK(s2[1].port() == 4);
}

TEST_CASE_METHOD(AsyncTest, "Connector: a primary failure starts the other family at once",
                 "[core][tcpclient]") {
    FakeConnects fc(io_loop());
    auto result = Connector::start(io_loop(), {fake(AF_INET, 1), fake(AF_INET, 2), fake(AF_INET6, 3)},
                                   fc.function(), 1h);
    CHECK(fc.attempted == std::vector<int>{1});
    fc.fail(1);
    CHECK(fc.attempted == std::vector<int>{1, 2, 3});  // b and c pending together
    fc.succeed(3);
    REQUIRE(result.done());
    CHECK(result.result().first.port() == 3);
    fc.fail(2);  // a late failure starts nothing and changes nothing
    CHECK(fc.attempted.size() == 3);
}

TEST_CASE_METHOD(AsyncTest, "Connector: the timeout starts the secondary; a late winner is dropped",
                 "[core][tcpclient]") {
    FakeConnects fc(io_loop());
    auto result = Connector::start(io_loop(), {fake(AF_INET, 1), fake(AF_INET6, 2)}, fc.function(), 5ms);
    run_sync([&]() -> Future<void> {
        while (fc.attempted.size() < 2) co_await squall::moment;  // the timer fired
    });
    CHECK(fc.attempted == std::vector<int>{1, 2});
    fc.succeed(1);
    REQUIRE(result.done());
    CHECK(result.result().first.port() == 1);
    fc.succeed(2);  // closed and dropped
}

TEST_CASE_METHOD(AsyncTest, "Connector fails only after every address failed", "[core][tcpclient]") {
    FakeConnects fc(io_loop());
    auto result = Connector::start(io_loop(), {fake(AF_INET, 1), fake(AF_INET, 2), fake(AF_INET6, 3),
                                               fake(AF_INET6, 4)}, fc.function(), 1h);
    fc.fail(1);
    fc.fail(3);
    fc.fail(4);
    CHECK_FALSE(result.done());
    fc.fail(2);
    REQUIRE(result.done());
    CHECK_THROWS_WITH(result.result(), "refused 2");
}

TEST_CASE_METHOD(AsyncTest, "TCPClient connects by name through c-ares and echoes",
                 "[core][tcpclient][cares][net]") {
    LineEcho server(io_loop());
    server.listen(0, "127.0.0.1");
    int port = server.ports().front();
    squall::testing::DnsServer dns(io_loop());
    dns.add("echo.test", {"127.0.0.1"});
    BlockingResolver blocking;
    OverrideResolver fallback(blocking, {{"echo.test", "127.0.0.1"}});
    std::unique_ptr<Resolver> cares;
    if (cares_available()) cares = std::make_unique<CaresResolver>(io_loop(), CaresOptions{dns.address(), 300ms, 1, false});
    TCPClient client(cares ? cares.get() : static_cast<Resolver*>(&fallback), io_loop());
    run_sync([&]() -> Future<void> {
        ConnectOptions options;
        options.family = AF_INET;
        auto stream = co_await client.connect("echo.test", port, options);
        co_await stream->write("ping\n");
        auto line = co_await stream->read_until("\n");
        CHECK(line == "ping\n");
    });
}

TEST_CASE_METHOD(AsyncTest, "TCPClient reports refused connections and honours its timeout",
                 "[core][tcpclient][net]") {
    BlockingResolver resolver;
    TCPClient client(&resolver, io_loop());
    int port;
    {
        BindOptions b;
        b.address = "127.0.0.1";
        int fd = bind_sockets(0, b).front();
        SocketAddress a = local_address(fd);
        port = a.port();
        ::close(fd);
    }
    try {
        run_sync([&] { return client.connect("127.0.0.1", port); });
        FAIL("connected to a closed port");
    } catch (const StreamClosedError& e) {
        CHECK_THROWS_AS(std::rethrow_exception(e.real_error()), std::system_error);
    }
    // A resolver that never answers: the overall timeout ends the attempt.
    squall::testing::DnsServer dns(io_loop());
    dns.ignore("slow.test");
    if (cares_available()) {
        CaresResolver slow(io_loop(), CaresOptions{dns.address(), 5000ms, 1, false});
        TCPClient patient(&slow, io_loop());
        ConnectOptions options;
        options.timeout = 50ms;
        CHECK_THROWS_AS(run_sync([&] { return patient.connect("slow.test", 80, options); }), TimeoutError);
    }
}

TEST_CASE_METHOD(AsyncTest, "happy eyeballs: an unreachable family loses to the other after 0.3 s",
                 "[core][tcpclient][net]") {
    LineEcho server(io_loop());
    server.listen(0, "127.0.0.1");
    int port = server.ports().front();
    // IPv6 first, but its connects never complete (a black hole); IPv4 really connects.
    std::vector<Promise<std::unique_ptr<IOStream>>> black_hole;
    auto addresses = numeric_address("fd00::1", port, AF_INET6);
    auto v4 = numeric_address("127.0.0.1", port, AF_INET);
    addresses.insert(addresses.end(), v4.begin(), v4.end());
    auto started = io_loop().time();
    auto winner = run_sync([&] {
        return Connector::start(io_loop(), addresses, [&](const SocketAddress& a) -> Future<std::unique_ptr<IOStream>> {
            if (a.family() == AF_INET6) {
                black_hole.emplace_back();
                return black_hole.back().get_future();
            }
            auto s = std::make_unique<IOStream>(io_loop(), ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
            auto* raw = s.get();
            Promise<std::unique_ptr<IOStream>> p;
            auto f = p.get_future();
            raw->connect(a.get(), a.length).add_done_callback([p, s = std::move(s)](Future<void> c) mutable {
                if (auto e = c.exception()) p.set_exception(e); else p.set_result(std::move(s));
            });
            return f;
        });
    });
    CHECK(winner.first.family() == AF_INET);
    CHECK(io_loop().time() - started >= Connector::initial_connect_timeout);
    black_hole.clear();
}
