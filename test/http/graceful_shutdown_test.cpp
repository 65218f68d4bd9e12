// Graceful shutdown over loopback with raw clients: HTTPServer::close_all_connections with a
// grace period (idle connections closed at once, requests in flight answered with
// Connection: close, the rest closed when it ends) and GracefulShutdown driven by real
// signals. Tornado 5's HTTPServer.close_all_connections, plus the drain nginx does on SIGQUIT.
#include <csignal>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "async_test.h"
#include "catch.h"
#include "http_client_support.h"
#include "squall/gen.h"
#include "squall/graceful_shutdown.h"
#include "squall/httpserver.h"

using namespace squall;
using namespace std::chrono_literals;
using squall::testing::AsyncTest;
using squall::testing::RawHTTPClient;

namespace {

/// Answers "/" at once and holds every "/hold" request until the test answers it.
struct HoldingServer {
    std::vector<std::shared_ptr<HTTPServerRequest>> held;
    std::optional<Promise<void>> arrived;
    HTTPServer server;
    int port;

    explicit HoldingServer(IOLoop& loop)
        : server(
              [this](std::shared_ptr<HTTPServerRequest> r) {
                  if (r->path != "/hold") {
                      respond(*r, 200, {}, "now");
                      return;
                  }
                  held.push_back(std::move(r));
                  if (arrived) take_promise(arrived).set_result();
              },
              {}, loop) {
        server.listen(0, "127.0.0.1");
        port = server.ports().front();
    }
    /// Connects `c` and sends `requests` (starting with a held one); done once the server holds it.
    Future<void> hold(RawHTTPClient& c, std::string requests) {
        co_await c.connect();
        arrived.emplace();
        auto held = arrived->get_future();
        co_await c.send(std::move(requests));
        co_await std::move(held);
    }
    /// Until the server has accepted `n` connections (accepting is all it does with them).
    Future<void> accepted(std::size_t n) {
        while (server.connection_count() < n) co_await squall::sleep(1ms);
    }
};

const char* const get_root = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";
const char* const get_held = "GET /hold HTTP/1.1\r\nHost: h\r\n\r\n";

}  // namespace

TEST_CASE_METHOD(AsyncTest, "a grace period closes idle connections at once and lets requests in flight finish",
                 "[http][shutdown][net]") {
    HoldingServer s(io_loop());
    run_sync([&]() -> Future<void> {
        RawHTTPClient idle(io_loop(), s.port), busy(io_loop(), s.port), fresh(io_loop(), s.port);
        co_await idle.connect();
        co_await idle.send(get_root);
        auto first = co_await idle.read_response();
        CHECK(first.headers.get("Connection") != "close");  // kept alive until the shutdown
        co_await s.hold(busy, get_held);
        co_await fresh.connect();
        co_await s.accepted(3);

        s.server.stop();
        // Far longer than the test may take: finishing must not wait for the deadline.
        Future<void> closing = s.server.close_all_connections(60s);
        co_await idle.wait_closed();
        CHECK_FALSE(closing.done());

        // A connection that has sent nothing yet gets its one request answered, then closes.
        co_await fresh.send(get_root);
        auto last = co_await fresh.read_response();
        CHECK(last.body == "now");
        CHECK(last.headers.get("Connection") == "close");
        co_await fresh.wait_closed();
        CHECK_FALSE(closing.done());

        respond(*s.held.front(), 200, {}, "late");
        s.held.clear();
        auto answered = co_await busy.read_response();
        CHECK(answered.code == 200);
        CHECK(answered.body == "late");
        CHECK(answered.headers.get("Connection") == "close");
        co_await busy.wait_closed();
        co_await std::move(closing);
        CHECK(s.server.connection_count() == 0);
    }, 10s);
}

TEST_CASE_METHOD(AsyncTest, "when the grace period ends, requests still in flight are cut off",
                 "[http][shutdown][net]") {
    HoldingServer s(io_loop());
    run_sync([&]() -> Future<void> {
        RawHTTPClient busy(io_loop(), s.port), slow_body(io_loop(), s.port);
        co_await s.hold(busy, get_held);
        co_await slow_body.connect();
        co_await slow_body.send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc");
        co_await s.accepted(2);
        s.server.stop();
        co_await s.server.close_all_connections(100ms);
        CHECK(s.server.connection_count() == 0);
        co_await busy.wait_closed();
        co_await slow_body.wait_closed();
        // The handler's late answer finds the connection gone and is dropped.
        auto late = respond(*s.held.front(), 200, {}, "too late");
        bool refused = false;
        try {
            co_await std::move(late);
        } catch (const StreamClosedError&) {
            refused = true;
        }
        CHECK(refused);
    }, 10s);
}

TEST_CASE_METHOD(AsyncTest, "close_all_connections without a grace period cuts a drain short",
                 "[http][shutdown][net]") {
    HoldingServer s(io_loop());
    run_sync([&]() -> Future<void> {
        RawHTTPClient busy(io_loop(), s.port);
        co_await s.hold(busy, get_held);
        s.server.stop();
        Future<void> draining = s.server.close_all_connections(60s);
        CHECK_FALSE(draining.done());
        co_await s.server.close_all_connections();
        CHECK(draining.done());
        co_await busy.wait_closed();
    }, 10s);
}

TEST_CASE_METHOD(AsyncTest, "a pipelined request behind the one in flight is not started during a drain",
                 "[http][shutdown][net]") {
    HoldingServer s(io_loop());
    run_sync([&]() -> Future<void> {
        RawHTTPClient c(io_loop(), s.port);
        co_await s.hold(c, std::string(get_held) + get_root);
        Future<void> closing = s.server.close_all_connections(60s);
        respond(*s.held.front(), 200, {}, "first");
        auto first = co_await c.read_response();
        CHECK(first.body == "first");
        CHECK(first.headers.get("Connection") == "close");
        co_await c.wait_closed();  // the second request was never read: the client may retry it
        co_await std::move(closing);
    }, 10s);
}

namespace {

struct SignalDisposition {
    struct sigaction action {};
    explicit SignalDisposition(int signal) { sigaction(signal, nullptr, &action); }
    bool operator==(const SignalDisposition& other) const { return action.sa_handler == other.action.sa_handler; }
};

}  // namespace

TEST_CASE_METHOD(AsyncTest, "SIGTERM stops the servers and drains them; a second signal closes at once",
                 "[http][shutdown][net]") {
    SignalDisposition term_before(SIGTERM), int_before(SIGINT);
    {
        HoldingServer a(io_loop()), b(io_loop());
        GracefulShutdownOptions options;
        options.grace = 60s;
        options.stop_loop = false;
        GracefulShutdown shutdown({&a.server, &b.server}, options, io_loop());
        CHECK_THROWS_AS(GracefulShutdown({&a.server}, options, io_loop()), std::logic_error);
        run_sync([&]() -> Future<void> {
            RawHTTPClient busy(io_loop(), a.port), idle(io_loop(), b.port);
            co_await idle.connect();
            co_await idle.send(get_root);
            co_await idle.read_response();
            co_await a.hold(busy, get_held);

            std::raise(SIGTERM);  // the handler only queues the shutdown for the loop
            CHECK_FALSE(shutdown.started());
            co_await idle.wait_closed();
            CHECK(shutdown.started());
            CHECK(shutdown.signal_number() == SIGTERM);
            CHECK(a.server.ports().empty());  // no longer listening
            CHECK(b.server.ports().empty());

            respond(*a.held.front(), 200, {}, "answered");
            a.held.clear();
            auto r = co_await busy.read_response();
            CHECK(r.body == "answered");
            CHECK(r.headers.get("Connection") == "close");
            co_await shutdown.finished();
        }, 10s);
    }
    CHECK(SignalDisposition(SIGTERM) == term_before);
    CHECK(SignalDisposition(SIGINT) == int_before);

    HoldingServer c(io_loop());
    GracefulShutdownOptions options;
    options.grace = 60s;
    options.stop_loop = false;
    GracefulShutdown again({&c.server}, options, io_loop());
    run_sync([&]() -> Future<void> {
        RawHTTPClient busy(io_loop(), c.port);
        co_await c.hold(busy, get_held);
        std::raise(SIGINT);
        std::raise(SIGINT);  // impatient: the second one does not wait for the held request
        co_await again.finished();
        co_await busy.wait_closed();
        CHECK(again.signal_number() == SIGINT);
    }, 10s);
}

namespace {

/// One request answered on `c`, then the shutdown begun.
Future<void> serve_one_then_shut_down(RawHTTPClient& c, GracefulShutdown& shutdown) {
    co_await c.connect();
    co_await c.send(get_root);
    co_await c.read_response();
    shutdown.begin();
}

}  // namespace

TEST_CASE_METHOD(AsyncTest, "GracefulShutdown stops the loop once every connection is closed", "[http][shutdown][net]") {
    HoldingServer s(io_loop());
    GracefulShutdown shutdown({&s.server}, {}, io_loop());
    RawHTTPClient idle(io_loop(), s.port);
    Future<void> client;
    io_loop().add_callback([&] { client = serve_one_then_shut_down(idle, shutdown); });
    auto timeout = io_loop().call_later(10s, [&] { io_loop().stop(); });
    io_loop().start();
    io_loop().remove_timeout(timeout);
    CHECK(client.done());
    CHECK(shutdown.finished().done());
    CHECK(s.server.connection_count() == 0);
}
