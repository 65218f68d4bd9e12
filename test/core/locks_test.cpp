// Condition, Event, Semaphore, BoundedSemaphore and Lock on a real IOLoop: wake-up order,
// timeouts (and that a timed-out waiter is skipped, not woken), counts and misuse. Ports
// tornado/test/locks_test.py (4.2+).
#include <string>
#include <vector>

#include "async_test.h"
#include "catch.h"
#include "squall/gen.h"
#include "squall/locks.h"

using namespace squall;
using namespace std::chrono_literals;
using squall::testing::AsyncTest;
using squall::testing::times_out;

namespace {

/// Records `name` in `log` once `f` is done.
template <class T>
void record(Future<T> f, std::vector<std::string>& log, std::string name) {
    f.add_done_callback([&log, name](Future<T> done) {
        (void)done.exception();
        log.push_back(name);
    });
}

}  // namespace

TEST_CASE_METHOD(AsyncTest, "Condition: notify wakes the longest waiter; notify(n) and notify_all",
                 "[core][locks]") {
    Condition c(io_loop());
    std::vector<std::string> log;
    for (const char* name : {"a", "b", "c", "d", "e"}) record(c.wait(), log, name);
    c.notify();
    c.notify(2);
    run_sync([&]() -> Future<void> { co_await squall::moment; });
    CHECK(log == std::vector<std::string>{"a", "b", "c"});
    c.notify_all();
    run_sync([&]() -> Future<void> { co_await squall::moment; });
    CHECK(log.size() == 5);
    c.notify();  // nobody waits: nothing is kept for later
    bool woken = run_sync([&] { return c.wait(20ms); });
    CHECK_FALSE(woken);  // resolved false by its timeout
}

TEST_CASE_METHOD(AsyncTest, "Condition: a wait that timed out answers false and is skipped by notify",
                 "[core][locks]") {
    Condition c(io_loop());
    run_sync([&]() -> Future<void> {
        Future<bool> early = c.wait(10ms);
        Future<bool> patient = c.wait();
        bool first = co_await std::move(early);
        CHECK_FALSE(first);
        c.notify();  // reaches the patient waiter, not the expired one
        bool second = co_await std::move(patient);
        CHECK(second);
    });
}

TEST_CASE_METHOD(AsyncTest, "Event: wait until set, at once while set, TimeoutError otherwise", "[core][locks]") {
    Event e(io_loop());
    CHECK_FALSE(e.is_set());
    run_sync([&]() -> Future<void> {
        Future<void> waiting = e.wait();
        CHECK_FALSE(waiting.done());
        e.set();
        co_await std::move(waiting);
        CHECK(e.wait().done());
        e.clear();
        bool timed_out = co_await times_out(e.wait(10ms));
        CHECK(timed_out);
    });
}

TEST_CASE_METHOD(AsyncTest, "Semaphore: counts, wakes waiters in order, guards release", "[core][locks]") {
    CHECK_THROWS_AS(Semaphore(-1, io_loop()), std::invalid_argument);
    Semaphore s(2, io_loop());
    std::vector<std::string> log;
    run_sync([&]() -> Future<void> {
        auto a = co_await s.acquire();
        auto b = co_await s.acquire();
        CHECK(s.value() == 0);
        Future<Semaphore::Guard> c = s.acquire(), d = s.acquire();
        CHECK_FALSE(c.done());
        a.release();  // goes straight to c
        CHECK(s.value() == 0);
        auto held_c = co_await std::move(c);
        CHECK_FALSE(d.done());
        {
            Semaphore::Guard leaving = std::move(b);
        }  // released by its scope: d's turn
        auto held_d = co_await std::move(d);
        CHECK(s.value() == 0);
    });
    CHECK(s.value() == 2);  // every guard gone
    s.release();  // a plain Semaphore may go above its start
    CHECK(s.value() == 3);
}

TEST_CASE_METHOD(AsyncTest, "Semaphore: a timed-out acquire leaves the count to the next waiter", "[core][locks]") {
    Semaphore s(0, io_loop());
    run_sync([&]() -> Future<void> {
        Future<Semaphore::Guard> hasty = s.acquire(10ms), patient = s.acquire();
        bool timed_out = co_await times_out(std::move(hasty));
        CHECK(timed_out);
        s.release();
        auto held = co_await std::move(patient);
        CHECK(s.value() == 0);
    });
    CHECK(s.value() == 1);
}

TEST_CASE_METHOD(AsyncTest, "BoundedSemaphore and Lock refuse a release without an acquire", "[core][locks]") {
    BoundedSemaphore b(1, io_loop());
    CHECK_THROWS_WITH(b.release(), "Semaphore released too many times");
    Lock lock(io_loop());
    CHECK_THROWS_WITH(lock.release(), "release unlocked lock");
    std::vector<std::string> order;
    run_sync([&]() -> Future<void> {
        auto held = co_await lock.acquire();
        CHECK(lock.locked());
        Future<Lock::Guard> second = lock.acquire(), third = lock.acquire();
        bool timed_out = co_await times_out(lock.acquire(5ms));
        CHECK(timed_out);
        held.release();
        auto h2 = co_await std::move(second);  // first come, first served
        CHECK_FALSE(third.done());
        h2.release();
        auto h3 = co_await std::move(third);
        CHECK(lock.locked());
    });
    CHECK_FALSE(lock.locked());
}
