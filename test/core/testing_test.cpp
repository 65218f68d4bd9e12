// squall/testing.h itself: the fixture's own loop, stop()/wait() and its timeout, run_sync's
// timeout, bind_unused_port, and ExpectLog (kept out of the output, required or not, and
// failing when nothing matched). Ports the parts of tornado/test/testing_test.py that apply.
#include <sys/socket.h>

#include <stdexcept>

#include "catch.h"
#include "squall/gen.h"
#include "squall/testing.h"

using namespace squall;
using namespace std::chrono_literals;
using squall::testing::AsyncTestCase;
using squall::testing::ExpectLog;

TEST_CASE("AsyncTestCase: a loop of its own, current while it lives", "[core][testing]") {
    IOLoop* before = IOLoop::current_or_null();
    {
        AsyncTestCase test;
        CHECK(&IOLoop::current() == &test.io_loop());
        AsyncTestCase nested;
        CHECK(&IOLoop::current() == &nested.io_loop());
    }
    CHECK(IOLoop::current_or_null() == before);
}

TEST_CASE("AsyncTestCase: wait() returns once stop() is called, or times out", "[core][testing]") {
    AsyncTestCase test;
    bool called = false;
    test.io_loop().add_callback([&] {
        called = true;
        test.stop();
    });
    test.wait();
    CHECK(called);
    test.stop();  // before wait(): the next wait returns at once...
    test.wait(10ms);
    CHECK_THROWS_AS(test.wait(20ms), TimeoutError);  // ...but only that one
    // The loop still runs normally afterwards.
    int answer = test.run_sync([] { return make_ready_future(42); });
    CHECK(answer == 42);
    CHECK_THROWS_AS(test.run_sync([&]() -> Future<void> { co_await squall::sleep(1s); }, 20ms), TimeoutError);
}

TEST_CASE("bind_unused_port: a loopback port nobody else has", "[core][testing]") {
    auto a = squall::testing::bind_unused_port();
    auto b = squall::testing::bind_unused_port(true);
    CHECK(a.port > 0);
    CHECK(b.port > 0);
    CHECK(a.port != b.port);
    CHECK(::listen(a.fd, 1) == 0);
}

TEST_CASE("ExpectLog: matching records are counted and kept out; others pass", "[core][testing]") {
    std::vector<std::string> seen;
    set_log_sink([&](const LogRecord& r) { seen.emplace_back(r.message); });
    {
        ExpectLog expect("tornado.general", "expected \\d+");
        gen_log().warning("expected 42");
        gen_log().warning("something else");
        app_log().warning("expected 7");  // another logger: not this ExpectLog's
        CHECK(expect.matched() == 1);
    }
    CHECK(seen == std::vector<std::string>{"something else", "expected 7"});
    {
        ExpectLog optional("tornado.general", "never", false);
    }
    bool failed = false;
    try {
        ExpectLog required("tornado.general", "never said");
    } catch (const std::runtime_error& e) {
        failed = std::string(e.what()).find("never said") != std::string::npos;
    }
    CHECK(failed);
    gen_log().warning("after");  // the sink that was there before is back
    CHECK(seen.back() == "after");
    reset_log_sink();
    CHECK_THROWS_AS(ExpectLog("tornado.general", "(unclosed"), std::invalid_argument);
}
