// Tests of the gen helpers: multi (vector and map), with_timeout, sleep, maybe_future. Ports
// tornado/test/gen_test.py (4.0: test_multi*, WithTimeoutTest; later: test_sleep, multi errors).
#include <map>
#include <string>
#include <vector>

#include "async_test.h"
#include "catch.h"
#include "squall/executor.h"
#include "squall/gen.h"

using namespace squall;
using namespace std::chrono_literals;
using squall::testing::AsyncTest;
using squall::testing::LogCapture;

namespace {

Future<int> delayed(int v, Duration d) {
    co_await squall::sleep(d);
    co_return v;
}
Future<int> delayed_failure(std::string what, Duration d) {
    co_await squall::sleep(d);
    throw std::runtime_error(what);
}

}  // namespace

TEST_CASE_METHOD(AsyncTest, "multi keeps the order of its Futures, whatever their timing",
                 "[core][gen]") {
    auto values = run_sync([] {
        return multi(std::vector<Future<int>>{delayed(1, 6ms), delayed(2, 1ms), delayed(3, 3ms)});
    });
    CHECK(values == std::vector<int>{1, 2, 3});
    CHECK(run_sync([] { return multi(std::vector<Future<int>>{}); }).empty());
    run_sync([] { return multi(std::vector<Future<void>>{}); });
}

TEST_CASE_METHOD(AsyncTest, "multi over a map returns a map with the same keys", "[core][gen]") {
    auto values = run_sync([] {
        std::map<std::string, Future<int>> m;
        m["a"] = delayed(1, 2ms);
        m["b"] = delayed(2, 1ms);
        return multi(std::move(m));
    });
    CHECK(values == std::map<std::string, int>{{"a", 1}, {"b", 2}});
    CHECK(run_sync([] { return multi(std::map<int, Future<int>>{}); }).empty());
}

TEST_CASE_METHOD(AsyncTest, "multi waits for all, raises the first failure and logs the others",
                 "[core][gen]") {
    LogCapture logs;
    bool slow_finished = false;
    auto slow = [&]() -> Future<int> {
        co_await squall::sleep(10ms);
        slow_finished = true;
        co_return 0;
    };
    CHECK_THROWS_WITH(run_sync([&] {
                          return multi(std::vector<Future<int>>{
                              delayed(1, 1ms), delayed_failure("second", 1ms),
                              delayed_failure("third", 2ms), slow()});
                      }),
                      "second");
    CHECK(slow_finished);
    CHECK(logs.count("Multiple exceptions in yield list: third", "tornado.application") == 1);
}

TEST_CASE_METHOD(AsyncTest, "multi of 2000 Futures finishes (no quadratic work)", "[core][gen]") {
    auto values = run_sync([] {
        std::vector<Future<int>> fs;
        for (int i = 0; i < 2000; ++i) fs.push_back(delayed(i, 1ms));
        return multi(std::move(fs));
    });
    REQUIRE(values.size() == 2000);
    CHECK(values[1999] == 1999);
}

TEST_CASE_METHOD(AsyncTest, "with_timeout raises TimeoutError when the Future is late",
                 "[core][gen]") {
    Promise<int> never;
    try {
        run_sync([&] { return with_timeout(5ms, never.get_future()); });
        FAIL("no timeout");
    } catch (const TimeoutError& e) {
        CHECK(std::string(e.what()) == "Timeout");
    }
    CHECK(run_sync([] { return with_timeout(1s, delayed(4, 1ms)); }) == 4);
    CHECK_THROWS_WITH(run_sync([] { return with_timeout(1s, delayed_failure("orig", 1ms)); }),
                      "orig");
    CHECK(run_sync([] { return with_timeout(1s, make_ready_future(8)); }) == 8);
    CHECK(io_loop().pending_timeouts() == 0);  // the timer of a finished wait is removed
}

TEST_CASE_METHOD(AsyncTest, "with_timeout works with results from the thread pool", "[core][gen][threads]") {
    ThreadPoolExecutor pool(1);
    CHECK(run_sync([&] { return with_timeout(5s, run_on_executor(pool, [] { return 11; })); }) == 11);
}

TEST_CASE_METHOD(AsyncTest, "sleep waits at least its duration", "[core][gen]") {
    auto start = io_loop().time();
    run_sync([] { return squall::sleep(20ms); });
    CHECK(io_loop().time() - start >= 20ms);
    CHECK(maybe_future(std::string("x")).result() == "x");
}
