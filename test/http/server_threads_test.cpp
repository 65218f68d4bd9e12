// ServerThreads over loopback: several loops serving one port through SO_REUSEPORT, a shared
// delegate and one per thread, a drain across the threads and GracefulShutdown of them. In
// the "threads" suite, so ThreadSanitizer watches what the threads share.
#include <unistd.h>

#include <csignal>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "async_test.h"
#include "catch.h"
#include "http_client_support.h"
#include "squall/gen.h"
#include "squall/graceful_shutdown.h"
#include "squall/netutil.h"
#include "squall/server_threads.h"

using namespace squall;
using namespace std::chrono_literals;
using squall::testing::AsyncTest;
using squall::testing::RawHTTPClient;

namespace {

std::string this_thread_name() {
    std::ostringstream out;
    out << std::this_thread::get_id();
    return out.str();
}

/// "/" answers with the serving thread's id at once; "/slow" the same after 200 ms.
void answer_with_thread(std::shared_ptr<HTTPServerRequest> request) {
    if (request->path != "/slow") {
        respond(*request, 200, {}, this_thread_name());
        return;
    }
    IOLoop::current().call_later(200ms, [request] { respond(*request, 200, {}, this_thread_name()); });
}

ServerThreadsOptions loopback(unsigned threads) {
    ServerThreadsOptions o;
    o.threads = threads;
    o.bind.address = "127.0.0.1";
    return o;
}

/// `n` connections, each with one answered request (so each is a kept-alive connection).
Future<std::vector<std::shared_ptr<RawHTTPClient>>> connected(IOLoop& loop, int port, int n,
                                                              std::set<std::string>& threads) {
    std::vector<std::shared_ptr<RawHTTPClient>> clients;
    for (int i = 0; i < n; ++i) {
        clients.push_back(std::make_shared<RawHTTPClient>(loop, port));
        co_await clients.back()->connect();
        co_await clients.back()->send("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
        auto r = co_await clients.back()->read_response();
        threads.insert(r.body);
    }
    co_return clients;
}

/// Answers each request with the name of the thread that made this delegate.
class ThreadNameDelegate : public HTTPServerConnectionDelegate {
    class Message : public HTTPMessageDelegate {
    public:
        Message(std::shared_ptr<HTTP1Connection> c, std::string name) : connection_(std::move(c)), name_(std::move(name)) {}
        Future<void> headers_received(const StartLine&, HTTPHeaders&) override { return {}; }
        Future<void> data_received(std::string_view) override { return {}; }
        void finish() override {
            connection_->write_headers(ResponseStartLine{"HTTP/1.1", 200, ""},
                                       {{"Content-Length", std::to_string(name_.size())}}, name_);
            connection_->finish();
        }
        void on_connection_close() override {}

    private:
        std::shared_ptr<HTTP1Connection> connection_;
        std::string name_;
    };

public:
    std::unique_ptr<HTTPMessageDelegate> start_request(std::shared_ptr<HTTP1Connection> connection) override {
        return std::make_unique<Message>(std::move(connection), made_on_);
    }

private:
    std::string made_on_ = this_thread_name();
};

}  // namespace

TEST_CASE_METHOD(AsyncTest, "ServerThreads: every thread serves the one port", "[http][threads][net]") {
    ServerThreads threads(answer_with_thread, 0, loopback(2));
    REQUIRE(threads.size() == 2);
    REQUIRE(threads.port() > 0);
    std::set<std::string> seen;
    run_sync([&]() -> Future<void> {
        // The kernel hashes each connection to one socket: with 64 of them, both threads
        // serve some (all on one thread would be a 1 in 2^63 chance).
        auto clients = co_await connected(io_loop(), threads.port(), 64, seen);
    }, 10s);
    CHECK(seen.size() == 2);
    CHECK(seen.count(this_thread_name()) == 0);  // served by the threads, not here
}

TEST_CASE_METHOD(AsyncTest, "ServerThreads: a delegate per thread, made on its thread", "[http][threads][net]") {
    ServerThreads threads([] { return std::make_unique<ThreadNameDelegate>(); }, 0, loopback(2));
    std::set<std::string> seen;
    run_sync([&]() -> Future<void> { auto clients = co_await connected(io_loop(), threads.port(), 64, seen); }, 10s);
    CHECK(seen.size() == 2);
}

TEST_CASE_METHOD(AsyncTest, "ServerThreads: close_all_connections drains every thread", "[http][threads][net]") {
    ServerThreads threads(answer_with_thread, 0, loopback(2));
    std::set<std::string> seen, answered_by;
    run_sync([&]() -> Future<void> {
        auto idle = co_await connected(io_loop(), threads.port(), 16, seen);
        auto busy = co_await connected(io_loop(), threads.port(), 32, seen);
        for (auto& c : busy) co_await c->send("GET /slow HTTP/1.1\r\nHost: h\r\n\r\n");
        Future<void> closing = threads.close_all_connections(10s, io_loop());
        for (auto& c : idle) co_await c->wait_closed();
        for (auto& c : busy) {
            auto r = co_await c->read_response();
            CHECK(r.code == 200);
            CHECK(r.headers.get("Connection") == "close");
            answered_by.insert(r.body);
            co_await c->wait_closed();
        }
        co_await std::move(closing);
        RawHTTPClient late(io_loop(), threads.port());
        bool refused = false;
        try {
            co_await late.connect();
        } catch (const std::exception&) {
            refused = true;
        }
        CHECK(refused);
    }, 10s);
    CHECK(seen.size() == 2);
    CHECK(answered_by.size() == 2);  // both threads had requests in flight and finished them
}

TEST_CASE_METHOD(AsyncTest, "ServerThreads: GracefulShutdown on SIGTERM drains the threads", "[http][threads][net]") {
    ServerThreads threads(answer_with_thread, 0, loopback(2));
    GracefulShutdownOptions options;
    options.stop_loop = false;
    GracefulShutdown shutdown(threads, options, io_loop());
    std::set<std::string> seen;
    run_sync([&]() -> Future<void> {
        auto busy = co_await connected(io_loop(), threads.port(), 8, seen);
        for (auto& c : busy) co_await c->send("GET /slow HTTP/1.1\r\nHost: h\r\n\r\n");
        std::raise(SIGTERM);
        for (auto& c : busy) {
            auto r = co_await c->read_response();
            CHECK(r.code == 200);
            co_await c->wait_closed();
        }
        co_await shutdown.finished();
    }, 10s);
    CHECK(shutdown.signal_number() == SIGTERM);
}

TEST_CASE("ServerThreads: a port in use fails the constructor and starts no thread", "[http][threads][net]") {
    BindOptions plain;
    plain.address = "127.0.0.1";
    std::vector<int> taken = bind_sockets(0, plain);  // without SO_REUSEPORT: nobody may share it
    int port = local_address(taken.front()).port();
    CHECK_THROWS_AS(ServerThreads(answer_with_thread, port, loopback(2)), std::system_error);
    for (int fd : taken) ::close(fd);
}
