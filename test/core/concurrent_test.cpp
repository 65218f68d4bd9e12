// Tests of Future, Promise, chain_future and coroutines. Ports tornado/test/concurrent_test.py
// and the coroutine parts of gen_test.py (4.0): sync/async return and raise, moment, stack depth.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "async_test.h"
#include "catch.h"
#include "squall/concurrent.h"
#include "squall/gen.h"

using namespace squall;
using namespace std::chrono_literals;
using squall::testing::AsyncTest;
using squall::testing::LogCapture;

TEST_CASE("a Future reports done, result and exception", "[core][future]") {
    Promise<int> p;
    Future<int> f = p.get_future();
    CHECK(f.valid());
    CHECK_FALSE(f.done());
    CHECK(f.running());
    CHECK_THROWS_AS(f.result(), std::logic_error);
    p.set_result(3);
    CHECK(f.done());
    CHECK(f.result() == 3);
    CHECK(f.exception() == nullptr);
    CHECK_THROWS_AS(p.set_result(4), std::logic_error);
    CHECK(f.result() == 3);

    Promise<std::string> q;
    q.set_exception(std::runtime_error("bad"));
    CHECK_THROWS_WITH(q.get_future().result(), "bad");
    CHECK(q.get_future().exception() != nullptr);
    CHECK_FALSE(Future<int>().valid());
}

TEST_CASE("done callbacks run in order, and at once when already done", "[core][future]") {
    Promise<void> p;
    std::vector<int> order;
    p.get_future().add_done_callback([&](Future<void>) { order.push_back(1); });
    p.get_future().add_done_callback([&](Future<void>) { order.push_back(2); });
    CHECK(order.empty());
    p.set_result();
    CHECK(order == std::vector<int>{1, 2});
    p.get_future().add_done_callback([&](Future<void>) { order.push_back(3); });
    CHECK(order == std::vector<int>{1, 2, 3});
}

TEST_CASE("a done callback that throws is logged and the others still run", "[core][future]") {
    LogCapture logs;
    Promise<int> p;
    bool second = false;
    p.get_future().add_done_callback([](Future<int>) { throw std::runtime_error("cb failed"); });
    p.get_future().add_done_callback([&](Future<int>) { second = true; });
    p.set_result(1);
    CHECK(second);
    CHECK(logs.count("cb failed", "tornado.application") == 1);
}

TEST_CASE("dropping every Promise fails the Future with BrokenPromise", "[core][future]") {
    Future<int> f;
    {
        Promise<int> p;
        Promise<int> copy = p;
        f = p.get_future();
    }
    REQUIRE(f.done());
    CHECK_THROWS_AS(f.result(), BrokenPromise);
}

TEST_CASE("take_promise empties its slot before the Future's callbacks run", "[core][future]") {
    std::optional<Promise<int>> slot;
    slot.emplace();
    Future<int> f = slot->get_future();
    bool slot_was_empty = false;
    f.add_done_callback([&](Future<int>) { slot_was_empty = !slot.has_value(); });
    take_promise(slot).set_result(7);
    CHECK(slot_was_empty);
    CHECK(f.result() == 7);
}

TEST_CASE("an exception nobody reads is logged when the Future goes away", "[core][future]") {
    LogCapture logs;
    {
        Promise<int> p;
        p.set_exception(std::runtime_error("unread"));
    }
    CHECK(logs.count("never retrieved: unread", "tornado.application") == 1);
    {
        Promise<int> p;
        p.set_exception(std::runtime_error("read"));
        CHECK(p.get_future().exception() != nullptr);
    }
    CHECK(logs.count("never retrieved: read$") == 0);
}

TEST_CASE("chain_future copies the result or exception unless the target is done",
          "[core][future]") {
    Promise<int> a, b;
    chain_future(a.get_future(), b);
    a.set_result(9);
    CHECK(b.get_future().result() == 9);

    Promise<int> c, d;
    chain_future(c.get_future(), d);
    c.set_exception(std::runtime_error("x"));
    CHECK_THROWS_WITH(d.get_future().result(), "x");

    Promise<int> e, g;
    chain_future(e.get_future(), g);
    g.set_result(1);
    e.set_result(2);
    CHECK(g.get_future().result() == 1);
}

TEST_CASE("Futures hold move-only values", "[core][future]") {
    Promise<std::unique_ptr<int>> p;
    p.set_result(std::make_unique<int>(5));
    auto f = p.get_future();
    CHECK(*f.result() == 5);
    auto ready = make_ready_future(std::make_unique<int>(6));
    CHECK(*ready.result() == 6);
}

namespace {

Future<int> sync_return() { co_return 42; }
Future<void> sync_raise() {
    throw std::runtime_error("sync raise");
    co_return;
}
Future<int> async_return(int v) {
    co_await squall::sleep(1ms);
    co_return v;
}
Future<int> async_raise() {
    co_await squall::sleep(1ms);
    throw std::runtime_error("async raise");
}
Future<int> add_async(int a, int b) {
    int x = co_await async_return(a);
    int y = co_await async_return(b);
    co_return x + y;
}

}  // namespace

TEST_CASE("a coroutine that finishes without suspending returns a done Future",
          "[core][coroutine]") {
    auto f = sync_return();
    CHECK(f.done());
    CHECK(f.result() == 42);
    auto g = sync_raise();  // the exception is stored, not thrown at the call
    CHECK(g.done());
    CHECK_THROWS_WITH(g.result(), "sync raise");
}

TEST_CASE_METHOD(AsyncTest, "coroutines return values and exceptions asynchronously",
                 "[core][coroutine]") {
    CHECK(run_sync([] { return add_async(2, 3); }) == 5);
    CHECK_THROWS_WITH(run_sync([] { return async_raise(); }), "async raise");
    int caught = run_sync([]() -> Future<int> {
        try {
            co_await async_raise();
        } catch (const std::runtime_error&) {
            co_return 1;
        }
        co_return 0;
    });
    CHECK(caught == 1);
}

TEST_CASE_METHOD(AsyncTest, "a coroutine starts eagerly and awaiting a done Future does not suspend",
                 "[core][coroutine]") {
    std::vector<std::string> log;
    auto body = [&]() -> Future<void> {
        log.push_back("start");
        co_await make_ready_future(1);
        log.push_back("after done future");
        co_await squall::sleep(1ms);
        log.push_back("after sleep");
    };
    run_sync([&] {
        auto f = body();
        log.push_back("returned");
        return f;
    });
    CHECK(log == std::vector<std::string>{"start", "after done future", "returned", "after sleep"});
}

namespace {

Future<void> yield_done_futures(std::string& out, char c, int n) {
    for (int i = 0; i < n; ++i) {
        out.push_back(c);
        co_await make_ready_future();
    }
}
Future<void> yield_moments(std::string& out, char c, int n) {
    for (int i = 0; i < n; ++i) {
        out.push_back(c);
        co_await squall::moment;
    }
}

}  // namespace

TEST_CASE_METHOD(AsyncTest, "moment gives other coroutines a turn; done Futures do not",
                 "[core][coroutine]") {
    std::string out;
    run_sync([&] {
        return multi(std::vector<Future<void>>{yield_done_futures(out, 'a', 5),
                                               yield_done_futures(out, 'b', 5)});
    });
    CHECK(out == "aaaaabbbbb");
    out.clear();
    run_sync([&] {
        return multi(
            std::vector<Future<void>>{yield_moments(out, 'a', 5), yield_moments(out, 'b', 5)});
    });
    CHECK(out == "ababababab");
    out.clear();
    run_sync([&] {
        return multi(std::vector<Future<void>>{yield_moments(out, 'a', 5),
                                               yield_done_futures(out, 'b', 5)});
    });
    CHECK(out == "abbbbbaaaa");
}

namespace {

Future<int> nested(int depth) {
    if (depth == 0) {
        co_await squall::moment;
        co_return 0;
    }
    int below = co_await nested(depth - 1);
    co_return below + 1;
}

}  // namespace

TEST_CASE_METHOD(AsyncTest, "deep chains of completions do not grow the stack",
                 "[core][coroutine]") {
    // 5,000 nested coroutines complete one after another through the loop.
    CHECK(run_sync([] { return nested(5000); }, 30s) == 5000);

    // A million Futures chained by done callbacks, completed from the first one.
    constexpr int kLinks = 1000000;
    std::vector<Promise<int>> links(kLinks);
    for (int i = 0; i + 1 < kLinks; ++i) {
        links[static_cast<size_t>(i)].get_future().add_done_callback(
            [next = links[static_cast<size_t>(i) + 1]](Future<int> f) mutable {
                next.set_result(f.result() + 1);
            });
    }
    Future<int> last = links.back().get_future();
    links.front().set_result(0);
    REQUIRE(last.done());
    CHECK(last.result() == kLinks - 1);
}

TEST_CASE("a coroutine waiting on work that is destroyed is freed, not leaked",
          "[core][coroutine]") {
    auto alive = std::make_shared<int>(0);
    std::weak_ptr<int> watch = alive;
    Future<void> f;
    {
        IOLoop loop;
        loop.make_current();
        f = [](std::shared_ptr<int> keep) -> Future<void> {
            co_await squall::sleep(1h);
            *keep = 1;
        }(std::move(alive));
        CHECK_FALSE(f.done());
        IOLoop::clear_current();
    }  // the loop and its pending timer go away
    CHECK(watch.expired());
    REQUIRE(f.done());
    CHECK_THROWS_AS(f.result(), BrokenPromise);
}

TEST_CASE_METHOD(AsyncTest, "a default-constructed Future<void> is ready; other default Futures are invalid",
                 "[core][concurrent]") {
    Future<void> ready;
    CHECK_FALSE(ready.valid());
    CHECK(ready.done());
    CHECK_FALSE(ready.running());
    CHECK_NOTHROW(ready.result());
    CHECK(ready.exception() == nullptr);
    bool called = false;
    ready.add_done_callback([&](Future<void> f) { called = f.done(); });
    CHECK(called);  // at once, as for any done Future
    int steps = 0;
    run_sync([&]() -> Future<void> {
        co_await Future<void>();
        ++steps;
        co_await [] { return Future<void>(); }();
        ++steps;
    });
    CHECK(steps == 2);
    run_sync([]() { return Future<void>(); });  // run_sync of a function that finished at once
    Future<int> invalid;
    CHECK_THROWS_AS(invalid.done(), std::logic_error);
    CHECK_THROWS_AS(invalid.result(), std::logic_error);
}
