// Tests of IOLoop and PeriodicCallback through the public API. Ports tornado/test/ioloop_test.py
// (4.0, plus the later handle, removal-ordering and PeriodicCallback math tests).
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <fcntl.h>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "async_test.h"
#include "catch.h"
#include "socket_pair.h"
#include "squall/gen.h"
#include "squall/ioloop.h"

using namespace squall;
using namespace std::chrono_literals;
using squall::testing::AsyncTest;
using squall::testing::LogCapture;
using squall::testing::SocketPair;


TEST_CASE_METHOD(AsyncTest, "add_callback from a timeout wakes an idle loop", "[core][ioloop]") {
    bool ran = false;
    run_sync([&] {
        Promise<void> done;
        io_loop().call_later(1ms, [&, done]() mutable {
            io_loop().add_callback([&, done]() mutable {
                ran = true;
                done.set_result();
            });
        });
        return done.get_future();
    });
    CHECK(ran);
}

TEST_CASE_METHOD(AsyncTest, "add_callback from another thread wakes a blocked poll", "[core][ioloop][threads]") {
    std::thread::id ran_on;
    std::thread worker;
    run_sync([&] {
        Promise<void> done;
        Future<void> finished = done.get_future();
        // The loop is idle (nothing but the run_sync timeout): only the waker can wake it.
        // Promises are not thread-safe (their counts are plain ints): the worker only moves
        // this one along to the loop, never copies or destroys a live one.
        worker = std::thread([&, done = std::move(done)]() mutable {
            io_loop().add_callback([&, done = std::move(done)]() mutable {
                ran_on = std::this_thread::get_id();
                done.set_result();
            });
        });
        return finished;
    });
    worker.join();
    CHECK(ran_on == std::this_thread::get_id());
}

TEST_CASE_METHOD(AsyncTest, "add_callback from several threads at once runs each callback once, on the loop",
                 "[core][ioloop][threads]") {
    constexpr int kThreads = 4, kEach = 500;
    int ran = 0;  // the loop thread's alone
    bool elsewhere = false;
    const auto loop_id = std::this_thread::get_id();
    std::vector<std::thread> workers;
    run_sync([&]() -> Future<void> {
        Promise<void> all;
        Future<void> finished = all.get_future();
        // The callbacks hold a reference: the Promise is touched on the loop thread only.
        for (int t = 0; t < kThreads; ++t)
            workers.emplace_back([&] {
                for (int i = 0; i < kEach; ++i)
                    io_loop().add_callback([&] {
                        if (std::this_thread::get_id() != loop_id) elsewhere = true;
                        if (++ran == kThreads * kEach) all.set_result();
                    });
            });
        co_await std::move(finished);
    });
    for (auto& w : workers) w.join();
    CHECK(ran == kThreads * kEach);
    CHECK_FALSE(elsewhere);
}

TEST_CASE_METHOD(AsyncTest, "stop() from another thread ends start()", "[core][ioloop][threads]") {
    std::thread stopper;
    bool timed_out = false;
    // Started by the running loop, so the stop cannot come before start().
    io_loop().add_callback([&] { stopper = std::thread([&] { io_loop().stop(); }); });
    auto guard = io_loop().call_later(squall::testing::get_async_test_timeout(), [&] {
        timed_out = true;
        io_loop().stop();
    });
    io_loop().start();
    io_loop().remove_timeout(guard);
    stopper.join();
    CHECK_FALSE(timed_out);
}

TEST_CASE_METHOD(AsyncTest, "a timeout of one microsecond fires", "[core][ioloop]") {
    bool fired = false;
    run_sync([&] {
        Promise<void> done;
        io_loop().add_timeout(std::chrono::microseconds(1), [&, done]() mutable {
            fired = true;
            done.set_result();
        });
        return done.get_future();
    });
    CHECK(fired);
}

TEST_CASE_METHOD(AsyncTest, "adding a handler twice for one fd throws", "[core][ioloop]") {
    SocketPair sp;
    io_loop().add_handler(sp.a, [](int, Events) {}, IOLoop::READ);
    CHECK_THROWS_AS(io_loop().add_handler(sp.a, [](int, Events) {}, IOLoop::READ),
                    std::logic_error);
    CHECK(io_loop().handler_count() == 1);
    io_loop().remove_handler(sp.a);
    CHECK(io_loop().handler_count() == 0);
}

TEST_CASE_METHOD(AsyncTest, "removing an unknown handler is not an error", "[core][ioloop]") {
    CHECK_NOTHROW(io_loop().remove_handler(12345));
    CHECK_NOTHROW(io_loop().remove_handler(-1));
    CHECK_THROWS_AS(io_loop().update_handler(12345, IOLoop::READ), std::logic_error);
}

TEST_CASE_METHOD(AsyncTest, "READ and WRITE are reported together", "[core][ioloop][net]") {
    SocketPair sp;
    REQUIRE(::write(sp.b, "abc", 3) == 3);
    Events seen = Events::none;
    std::string got;
    run_sync([&] {
        Promise<void> done;
        io_loop().add_handler(
            sp.a,
            [&, done](int fd, Events ev) mutable {
                seen = ev;
                char buf[16];
                ssize_t n = ::read(fd, buf, sizeof buf);
                if (n > 0) got.assign(buf, static_cast<size_t>(n));
                io_loop().remove_handler(fd);
                done.set_result();
            },
            IOLoop::READ | IOLoop::WRITE);
        return done.get_future();
    });
    CHECK(any(seen, IOLoop::READ));
    CHECK(any(seen, IOLoop::WRITE));
    CHECK(got == "abc");
}

TEST_CASE_METHOD(AsyncTest, "update_handler changes what is reported", "[core][ioloop][net]") {
    SocketPair sp;
    int write_events = 0;
    run_sync([&] {
        Promise<void> done;
        io_loop().add_handler(
            sp.a,
            [&, done](int fd, Events ev) mutable {
                if (any(ev, IOLoop::WRITE)) {
                    ++write_events;
                    io_loop().update_handler(fd, IOLoop::READ);
                    REQUIRE(::write(sp.b, "x", 1) == 1);
                } else if (any(ev, IOLoop::READ)) {
                    io_loop().remove_handler(fd);
                    done.set_result();
                }
            },
            IOLoop::WRITE);
        return done.get_future();
    });
    CHECK(write_events == 1);
}

TEST_CASE_METHOD(AsyncTest, "the peer closing reports an event and the handler sees EOF",
                 "[core][ioloop][net]") {
    SocketPair sp;
    sp.close_b();
    ssize_t last_read = -2;
    run_sync([&] {
        Promise<void> done;
        io_loop().add_handler(
            sp.a,
            [&, done](int fd, Events) mutable {
                char c;
                last_read = ::read(fd, &c, 1);
                io_loop().remove_handler(fd);
                done.set_result();
            },
            IOLoop::READ);
        return done.get_future();
    });
    CHECK(last_read == 0);
}

TEST_CASE_METHOD(AsyncTest, "remove_timeout after the timeout fired is harmless", "[core][ioloop]") {
    TimeoutHandle h;
    run_sync([&] {
        Promise<void> done;
        h = io_loop().call_later(0s, [done]() mutable { done.set_result(); });
        return done.get_future();
    });
    CHECK(h);
    CHECK_NOTHROW(io_loop().remove_timeout(h));
    CHECK_NOTHROW(io_loop().remove_timeout(TimeoutHandle{}));
    CHECK(io_loop().pending_timeouts() == 0);
}

TEST_CASE_METHOD(AsyncTest, "many cancelled timeouts are cleaned up and callbacks still run",
                 "[core][ioloop]") {
    for (int i = 0; i < 2000; ++i) {
        auto h = io_loop().call_later(3600s, [] { FAIL("cancelled timeout ran"); });
        io_loop().remove_timeout(h);
    }
    CHECK(io_loop().pending_timeouts() == 0);
    int ran = 0;
    run_sync([&] {
        Promise<void> done;
        io_loop().call_later(1ms, [&, done]() mutable {
            ++ran;
            done.set_result();
        });
        return done.get_future();
    });
    CHECK(ran == 1);
}

TEST_CASE_METHOD(AsyncTest, "timeouts with equal or increasing deadlines run in order",
                 "[core][ioloop]") {
    std::vector<int> results;
    run_sync([&] {
        Promise<void> done;
        // Each deadline is read from the clock when scheduled, so they never decrease; equal
        // deadlines keep insertion order.
        io_loop().add_timeout(io_loop().time(), [&] { results.push_back(1); });
        io_loop().add_timeout(0s, [&] { results.push_back(2); });
        io_loop().call_at(io_loop().time(), [&] { results.push_back(3); });
        io_loop().call_later(0s, [&] { results.push_back(4); });
        auto same = io_loop().time();
        io_loop().call_at(same, [&] { results.push_back(5); });
        io_loop().call_at(same, [&] { results.push_back(6); });
        io_loop().call_later(0s, [done]() mutable { done.set_result(); });
        return done.get_future();
    });
    CHECK(results == std::vector<int>{1, 2, 3, 4, 5, 6});
}

TEST_CASE_METHOD(AsyncTest, "call_at, call_later and add_timeout return removable handles",
                 "[core][ioloop]") {
    bool ran = false;
    auto a = io_loop().call_at(io_loop().time() + 1ms, [&] { ran = true; });
    auto b = io_loop().call_later(1ms, [&] { ran = true; });
    auto c = io_loop().add_timeout(1ms, [&] { ran = true; });
    CHECK((a && b && c));
    CHECK(!(a == b));
    io_loop().remove_timeout(a);
    io_loop().remove_timeout(b);
    io_loop().remove_timeout(c);
    run_sync([&] { return squall::sleep(5ms); });
    CHECK_FALSE(ran);
}

namespace {
TimePoint g_fake_now{};
TimePoint fake_clock() { return g_fake_now; }
}  // namespace

TEST_CASE("a timeout that cancels another due timeout prevents it", "[core][ioloop]") {
    // A manual clock moved past all three deadlines, so they come due in one iteration.
    g_fake_now = TimePoint{} + 100s;
    IOLoop loop(make_poller(), &fake_clock);
    bool first_ran = false, second_ran = false;
    TimeoutHandle second;
    loop.call_at(g_fake_now + 1ms, [&] {
        first_ran = true;
        loop.remove_timeout(second);
    });
    second = loop.call_at(g_fake_now + 2ms, [&] { second_ran = true; });
    loop.call_at(g_fake_now + 3ms, [&] { loop.stop(); });
    g_fake_now += 1s;
    loop.start();
    CHECK(first_ran);
    CHECK_FALSE(second_ran);
    CHECK(loop.pending_timeouts() == 0);
}

TEST_CASE_METHOD(AsyncTest, "a handler that removes another fd stops its pending event",
                 "[core][ioloop][net]") {
    SocketPair a, b;
    REQUIRE(::write(a.b, "x", 1) == 1);
    REQUIRE(::write(b.b, "x", 1) == 1);
    int calls = 0;
    run_sync([&] {
        Promise<void> done;
        auto handler_for = [&](int other) {
            return [&, other, done](int fd, Events) mutable {
                ++calls;
                io_loop().remove_handler(fd);
                io_loop().remove_handler(other);
                io_loop().call_later(5ms, [done]() mutable {
                    if (!done.done()) done.set_result();
                });
            };
        };
        io_loop().add_handler(a.a, handler_for(b.a), IOLoop::READ);
        io_loop().add_handler(b.a, handler_for(a.a), IOLoop::READ);
        return done.get_future();
    });
    CHECK(calls == 1);
}

TEST_CASE_METHOD(AsyncTest, "a handler may remove its own fd and register a new one",
                 "[core][ioloop][net]") {
    SocketPair sp;
    REQUIRE(::write(sp.b, "x", 1) == 1);
    int second_calls = 0;
    run_sync([&] {
        Promise<void> done;
        io_loop().add_handler(
            sp.a,
            [&, done](int fd, Events) mutable {
                io_loop().remove_handler(fd);
                // Same fd, new handler, inside the old handler: the old one must not be clobbered
                // while it runs, nor the new one called for the stale event.
                io_loop().add_handler(
                    fd,
                    [&, done](int fd2, Events) mutable {
                        ++second_calls;
                        io_loop().remove_handler(fd2);
                        done.set_result();
                    },
                    IOLoop::READ);
            },
            IOLoop::READ);
        return done.get_future();
    });
    CHECK(second_calls == 1);
}

namespace {

struct FdObject {
    int fd;
    bool closed = false;
    int fileno() const { return fd; }
    void close() {
        closed = true;
        ::close(fd);
    }
};

}  // namespace

TEST_CASE("close(all_fds) closes registered objects and fds; handlers get the object",
          "[core][ioloop][net]") {
    IOLoop loop;
    loop.make_current();
    SocketPair a, b;
    FdObject obj{a.a};
    a.a = -1;  // now owned by obj
    REQUIRE(::write(a.b, "x", 1) == 1);
    FdObject* seen = nullptr;
    loop.run_sync(
        [&] {
            Promise<void> done;
            loop.add_handler(
                obj,
                [&, done](FdObject& o, Events) mutable {
                    seen = &o;
                    if (!done.done()) done.set_result();
                },
                IOLoop::READ);
            return done.get_future();
        },
        5s);
    CHECK(seen == &obj);
    // The same fd cannot be registered again, as a number or as an object.
    CHECK_THROWS_AS(loop.add_handler(obj.fd, [](int, Events) {}, IOLoop::READ), std::logic_error);
    int raw = b.a;
    loop.add_handler(raw, [](int, Events) {}, IOLoop::READ);
    loop.close(true);
    CHECK(obj.closed);
    CHECK(::fcntl(raw, F_GETFD) == -1);  // closed by the loop
    b.a = -1;
    IOLoop::clear_current();
}

TEST_CASE_METHOD(AsyncTest, "add_callback after close is ignored", "[core][ioloop]") {
    io_loop().close(true);
    bool ran = false;
    CHECK_NOTHROW(io_loop().add_callback([&] { ran = true; }));
    CHECK_FALSE(ran);
    CHECK_THROWS_AS(io_loop().start(), std::logic_error);
}

namespace {

struct RecordingLoop : IOLoop {
    std::vector<std::string> errors;
    void handle_callback_exception(std::exception_ptr e) override {
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            errors.push_back(ex.what());
        }
    }
};

}  // namespace

TEST_CASE("handle_callback_exception sees the exception and the loop goes on", "[core][ioloop]") {
    RecordingLoop loop;
    bool after = false;
    loop.run_sync(
        [&] {
            Promise<void> done;
            loop.add_callback([] { throw std::domain_error("division by zero"); });
            loop.add_callback([&, done]() mutable {
                after = true;
                done.set_result();
            });
            return done.get_future();
        },
        5s);
    REQUIRE(loop.errors.size() == 1);
    CHECK(loop.errors[0] == "division by zero");
    CHECK(after);
}

TEST_CASE_METHOD(AsyncTest, "start() inside a running loop throws", "[core][ioloop]") {
    bool threw = false;
    run_sync([&] {
        try {
            io_loop().start();
        } catch (const std::logic_error& e) {
            threw = std::string(e.what()) == "IOLoop is already running";
        }
    });
    CHECK(threw);
}

TEST_CASE_METHOD(AsyncTest, "stop() before start() makes start() return at once", "[core][ioloop]") {
    io_loop().stop();
    bool ran = false;
    io_loop().add_callback([&] { ran = true; });
    io_loop().start();
    CHECK_FALSE(ran);
    run_sync([] {});  // the queued callback runs on the next start
    CHECK(ran);
}

TEST_CASE_METHOD(AsyncTest, "a callback that throws is logged on tornado.application",
                 "[core][ioloop]") {
    LogCapture logs;
    run_sync([&] {
        Promise<void> done;
        io_loop().add_callback([] { throw std::runtime_error("boom"); });
        io_loop().call_later(1ms, [done]() mutable { done.set_result(); });
        return done.get_future();
    });
    CHECK(logs.count("^Exception in callback.*boom", "tornado.application") == 1);
}

namespace {
Future<void> failing_coroutine() {
    co_await squall::sleep(1ms);
    throw std::runtime_error("coroutine failed");
}
}  // namespace

TEST_CASE_METHOD(AsyncTest, "a callback returning a failed Future is logged", "[core][ioloop]") {
    LogCapture logs;
    run_sync([&] {
        io_loop().add_callback([] { return failing_coroutine(); });
        io_loop().spawn_callback([] { throw std::runtime_error("spawned"); });
        return squall::sleep(20ms);
    });
    CHECK(logs.count("^Exception in callback.*coroutine failed", "tornado.application") == 1);
    CHECK(logs.count("^Exception in callback.*spawned", "tornado.application") == 1);
}

TEST_CASE("a loop is current only when made current or while it runs", "[core][ioloop]") {
    IOLoop::clear_current();
    IOLoop loop;
    CHECK(IOLoop::current_or_null() == nullptr);
    IOLoop* inside = nullptr;
    loop.run_sync([&] { inside = IOLoop::current_or_null(); }, 5s);
    CHECK(inside == &loop);
    CHECK(IOLoop::current_or_null() == nullptr);
    loop.make_current();
    CHECK(&IOLoop::current() == &loop);
    IOLoop::clear_current();
}

TEST_CASE("instance() is created once and clear_instance forgets it", "[core][ioloop]") {
    IOLoop::clear_instance();
    CHECK_FALSE(IOLoop::initialized());
    IOLoop& a = IOLoop::instance();
    CHECK(&IOLoop::instance() == &a);
    CHECK(IOLoop::initialized());
    IOLoop mine;
    CHECK_THROWS_AS(mine.install(), std::logic_error);
    IOLoop::clear_instance();
    mine.install();
    CHECK(&IOLoop::instance() == &mine);
    IOLoop::clear_instance();
}

TEST_CASE_METHOD(AsyncTest, "run_sync returns values and rethrows exceptions", "[core][ioloop]") {
    CHECK(run_sync([] { return 42; }) == 42);
    CHECK_THROWS_WITH(run_sync([]() -> int { throw std::runtime_error("sync"); }), "sync");
    CHECK(run_sync([]() -> Future<int> {
              co_await squall::sleep(1ms);
              co_return 7;
          }) == 7);
    CHECK_THROWS_WITH(run_sync([]() -> Future<void> {
                          co_await squall::sleep(1ms);
                          throw std::runtime_error("async");
                      }),
                      "async");
}

TEST_CASE_METHOD(AsyncTest, "run_sync with a timeout throws TimeoutError", "[core][ioloop]") {
    try {
        run_sync([] { return squall::sleep(10s); }, 10ms);
        FAIL("no TimeoutError");
    } catch (const TimeoutError& e) {
        CHECK(std::string(e.what()) == "Operation timed out after 0.01 seconds");
    }
    // The loop is still usable afterwards, and the abandoned callback does not stop it early.
    CHECK(run_sync([]() -> Future<int> {
              co_await squall::sleep(2ms);
              co_return 1;
          }) == 1);
}

namespace {
IOLoop* g_signal_loop = nullptr;
std::atomic<int> g_signal_ran{0};
void on_sigusr1(int) {
    g_signal_loop->add_callback_from_signal([] { g_signal_ran.fetch_add(1); });
}
}  // namespace

TEST_CASE_METHOD(AsyncTest, "add_callback_from_signal runs the callback on the loop",
                 "[core][ioloop][threads]") {
    g_signal_loop = &io_loop();
    g_signal_ran = 0;
    struct sigaction sa {}, old{};
    sa.sa_handler = on_sigusr1;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGUSR1, &sa, &old);
    run_sync([&]() -> Future<void> {
        ::raise(SIGUSR1);  // on the loop thread
        std::thread([] { ::raise(SIGUSR1); }).join();  // delivered to the thread that raised it
        while (g_signal_ran.load() < 2) co_await squall::sleep(1ms);
    });
    ::sigaction(SIGUSR1, &old, nullptr);
    CHECK(g_signal_ran.load() == 2);
}

TEST_CASE_METHOD(AsyncTest, "add_future runs its callback on a later iteration", "[core][ioloop]") {
    std::vector<std::string> order;
    run_sync([&] {
        Promise<int> p;
        Promise<void> done;
        io_loop().add_future(p.get_future(), [&, done](Future<int> f) mutable {
            order.push_back("callback " + std::to_string(f.result()));
            done.set_result();
        });
        p.set_result(5);
        order.push_back("after set_result");
        return done.get_future();
    });
    CHECK(order == std::vector<std::string>{"after set_result", "callback 5"});
}

// ---- PeriodicCallback ------------------------------------------------------------------------

TEST_CASE("PeriodicCallback runs every period", "[core][periodic]") {
    IOLoop loop;
    int runs = 0;
    loop.run_sync(
        [&]() -> Future<void> {
            PeriodicCallback pc([&] { ++runs; }, 2ms, loop);
            CHECK_FALSE(pc.is_running());
            pc.start();
            CHECK(pc.is_running());
            while (runs < 3) co_await squall::sleep(1ms, loop);
            pc.stop();
            CHECK_FALSE(pc.is_running());
        },
        5s);
    CHECK(runs == 3);
    CHECK(loop.pending_timeouts() == 0);
}

TEST_CASE("PeriodicCallback rejects a period that is not positive", "[core][periodic]") {
    IOLoop loop;
    CHECK_THROWS_AS(PeriodicCallback([] {}, 0s, loop), std::invalid_argument);
    CHECK_THROWS_AS(PeriodicCallback([] {}, -1s, loop), std::invalid_argument);
}

TEST_CASE("PeriodicCallback skips missed runs and survives a clock going backwards",
          "[core][periodic]") {
    // A manual clock that moves one second per loop iteration (a callback that re-queues itself,
    // so the loop never blocks). In an iteration, timers are collected at time T, the tick runs
    // (T+1) and then the due timer, so a run due at D is seen at D+1.
    g_fake_now = TimePoint{} + 1000s;
    IOLoop loop(make_poller(), &fake_clock);
    auto secs = [] { return std::chrono::duration<double>(g_fake_now - TimePoint{}).count(); };
    std::vector<double> fired_at;
    std::vector<Duration> jumps{0s, 25s, -35s, 0s};  // on time, overrun 2.5 periods, backwards
    PeriodicCallback pc(
        [&] {
            fired_at.push_back(secs());
            g_fake_now += jumps[fired_at.size() - 1];
            if (fired_at.size() == jumps.size()) loop.stop();
        },
        10s, loop);
    pc.start();  // first deadline: 1010
    std::function<void()> tick = [&] {
        g_fake_now += 1s;
        loop.add_callback([&] { tick(); });
    };
    loop.add_callback([&] { tick(); });
    loop.start();
    pc.stop();
    REQUIRE(fired_at.size() == 4);
    CHECK(fired_at[0] == 1011);  // due 1010
    CHECK(fired_at[1] == 1021);  // due 1020; then the clock jumps to 1046
    // 1030 and 1040 were missed and are skipped, not run back to back: next due 1050.
    CHECK(fired_at[2] == 1051);
    // The clock went back to 1016; the deadline stays 1050 (no burst, no reschedule from 1016).
    CHECK(fired_at[3] == 1051);
}

TEST_CASE("iteration_time is the loop's clock as read when the iteration's poll returned", "[core][ioloop]") {
    g_fake_now = TimePoint{} + 500s;
    IOLoop loop(make_poller(), &fake_clock);
    CHECK(loop.iteration_time() == TimePoint{} + 500s);  // not running: time() itself
    g_fake_now += 1s;
    CHECK(loop.iteration_time() == TimePoint{} + 501s);
    std::vector<TimePoint> seen;
    loop.add_callback([&] {
        seen.push_back(loop.iteration_time());
        g_fake_now += 7s;  // time spent in this iteration's work does not move it...
        seen.push_back(loop.iteration_time());
        loop.add_callback([&] {  // ...the next poll does
            seen.push_back(loop.iteration_time());
            loop.stop();
        });
    });
    loop.start();
    CHECK(seen == std::vector<TimePoint>{TimePoint{} + 501s, TimePoint{} + 501s, TimePoint{} + 508s});
}

TEST_CASE_METHOD(AsyncTest, "a callback that blocks the loop past the threshold is reported",
                 "[core][ioloop]") {
    LogCapture logs;
    io_loop().set_blocking_log_threshold(50ms);
    run_sync([] {
        // Busy work standing in for a blocking call; the loop cannot run anything meanwhile.
        auto until = Clock::now() + 100ms;
        while (Clock::now() < until) {
        }
    });
    CHECK(logs.count("^IOLoop blocked for (0\\.[1-9]|[1-9])", "tornado.general") == 1);

    std::vector<Duration> reported;
    io_loop().set_blocking_signal_threshold(50ms, [&](Duration d) { reported.push_back(d); });
    run_sync([] { return squall::sleep(1ms); });  // quick iterations: nothing to report
    CHECK(reported.empty());
    run_sync([] {
        auto until = Clock::now() + 60ms;
        while (Clock::now() < until) {
        }
    });
    REQUIRE(reported.size() == 1);
    CHECK(reported[0] >= 60ms);
    io_loop().set_blocking_log_threshold(Duration::zero());
}

TEST_CASE("poller_name names the backend the loop was made with, and nothing once closed", "[core][ioloop]") {
    for (std::string_view name : available_pollers()) {
        INFO(name);
        IOLoop::Options options;
        options.poller = std::string(name);
        IOLoop loop(options);
        CHECK(loop.poller_name() == name);
        loop.close();
        CHECK(loop.poller_name().empty());
    }
}
