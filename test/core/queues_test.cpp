// Queue, PriorityQueue and LifoQueue on a real IOLoop: order, maxsize, waiting put/get with
// timeouts (a timed-out waiter is skipped), put_nowait/get_nowait errors, task_done and join,
// and a producer/consumer pair. Ports tornado/test/queues_test.py (4.2+).
#include <string>
#include <vector>

#include "async_test.h"
#include "catch.h"
#include "squall/gen.h"
#include "squall/queues.h"

using namespace squall;
using namespace std::chrono_literals;
using squall::testing::AsyncTest;
using squall::testing::times_out;

TEST_CASE_METHOD(AsyncTest, "Queue: first in, first out; maxsize; nowait errors", "[core][queues]") {
    CHECK_THROWS_AS(Queue<int>(-1, io_loop()), std::invalid_argument);
    Queue<int> q(2, io_loop());
    CHECK(q.maxsize() == 2);
    CHECK(q.empty());
    CHECK_THROWS_AS(q.get_nowait(), QueueEmpty);
    q.put_nowait(1);
    q.put_nowait(2);
    CHECK(q.full());
    CHECK_THROWS_AS(q.put_nowait(3), QueueFull);
    CHECK(q.qsize() == 2);
    CHECK(q.get_nowait() == 1);
    CHECK(q.get_nowait() == 2);
    Queue<std::string> unbounded(0, io_loop());
    for (int i = 0; i < 1000; ++i) unbounded.put_nowait(std::to_string(i));
    CHECK_FALSE(unbounded.full());
}

TEST_CASE_METHOD(AsyncTest, "Queue: get waits for a put; a timed-out getter is skipped", "[core][queues]") {
    Queue<int> q(0, io_loop());
    run_sync([&]() -> Future<void> {
        Future<int> hasty = q.get(10ms);
        Future<int> patient = q.get();
        bool timed_out = co_await times_out(std::move(hasty));
        CHECK(timed_out);
        q.put_nowait(7);  // to the patient getter, not the expired one
        int got = co_await std::move(patient);
        CHECK(got == 7);
        CHECK(q.empty());
    });
}

TEST_CASE_METHOD(AsyncTest, "Queue: put waits while full; a timed-out put adds nothing", "[core][queues]") {
    Queue<int> q(1, io_loop());
    run_sync([&]() -> Future<void> {
        co_await q.put(1);
        Future<void> hasty = q.put(2, 10ms);
        Future<void> patient = q.put(3);
        bool timed_out = co_await times_out(std::move(hasty));
        CHECK(timed_out);
        CHECK_FALSE(patient.done());
        int first = co_await q.get();
        CHECK(first == 1);
        co_await std::move(patient);  // its item went in as the first came out
        int second = co_await q.get();
        CHECK(second == 3);  // 2 was never added
        CHECK(q.empty());
    });
}

TEST_CASE_METHOD(AsyncTest, "Queue: task_done and join", "[core][queues]") {
    Queue<int> q(0, io_loop());
    CHECK_THROWS_AS(q.task_done(), std::logic_error);
    run_sync([&]() -> Future<void> {
        co_await q.join();  // nothing put: done at once
    });
    for (int i = 0; i < 3; ++i) q.put_nowait(i);
    // join(timeout) fails with TimeoutError while tasks are unfinished.
    CHECK(run_sync([&] { return times_out(q.join(10ms)); }));
    for (int i = 0; i < 3; ++i) {
        q.get_nowait();
        q.task_done();
    }
    run_sync([&] { return q.join(1s); });
    CHECK_THROWS_AS(q.task_done(), std::logic_error);
}

TEST_CASE_METHOD(AsyncTest, "PriorityQueue gives the smallest first, LifoQueue the last", "[core][queues]") {
    PriorityQueue<int> p(0, io_loop());
    for (int v : {5, 1, 4, 2, 3}) p.put_nowait(v);
    std::vector<int> out;
    while (!p.empty()) out.push_back(p.get_nowait());
    CHECK(out == std::vector<int>{1, 2, 3, 4, 5});
    PriorityQueue<int, std::greater<int>> largest(0, io_loop());
    for (int v : {5, 1, 4}) largest.put_nowait(v);
    CHECK(largest.get_nowait() == 5);
    LifoQueue<int> l(0, io_loop());
    for (int v : {1, 2, 3}) l.put_nowait(v);
    out.clear();
    while (!l.empty()) out.push_back(l.get_nowait());
    CHECK(out == std::vector<int>{3, 2, 1});
    // A full PriorityQueue with a putter waiting: the putter's item counts in the next get.
    PriorityQueue<int> bounded(1, io_loop());
    bounded.put_nowait(5);
    Future<void> waiting = bounded.put(0);
    CHECK(bounded.get_nowait() == 0);
    CHECK(waiting.done());
    CHECK(bounded.get_nowait() == 5);
}

namespace {

Future<void> produce(Queue<int>& q, int n) {
    for (int i = 0; i < n; ++i) co_await q.put(i);
}

/// Until it gets a negative item.
Future<void> consume(Queue<int>& q, std::vector<int>& got) {
    while (true) {
        int item = co_await q.get();
        q.task_done();
        if (item < 0) co_return;
        got.push_back(item);
    }
}

}  // namespace

TEST_CASE_METHOD(AsyncTest, "Queue: a producer and a consumer through a small queue", "[core][queues]") {
    Queue<int> q(3, io_loop());
    std::vector<int> got;
    Future<void> consumer = consume(q, got);
    run_sync([&]() -> Future<void> {
        co_await produce(q, 100);
        co_await q.join();
        CHECK(got.size() == 100);
        CHECK_FALSE(consumer.done());  // waiting for the next item
        co_await q.put(-1);
        co_await std::move(consumer);
    });
    CHECK(got.size() == 100);
    CHECK(got.front() == 0);
    CHECK(got.back() == 99);
}
