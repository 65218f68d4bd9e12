// Tests of ThreadPoolExecutor, run_on_executor and run_synchronously. Ports the
// RunOnExecutorTest and TestIOLoopFutures.test_add_future_threads cases of Tornado's tests.
#include <atomic>
#include <future>
#include <thread>
#include <vector>

#include "async_test.h"
#include "catch.h"
#include "squall/executor.h"
#include "squall/gen.h"

using namespace squall;
using namespace std::chrono_literals;
using squall::testing::AsyncTest;

TEST_CASE_METHOD(AsyncTest, "run_on_executor runs on a worker and completes on the loop thread",
                 "[core][executor][threads]") {
    ThreadPoolExecutor pool(2);
    CHECK(pool.workers() == 2);
    std::thread::id worker_id, callback_id;
    auto loop_id = std::this_thread::get_id();
    int v = run_sync([&]() -> Future<int> {
        auto f = run_on_executor(pool, [&] {
            worker_id = std::this_thread::get_id();
            return 21;
        });
        f.add_done_callback([&](Future<int>) { callback_id = std::this_thread::get_id(); });
        co_return 2 * co_await f;
    });
    CHECK(v == 42);
    CHECK(worker_id != loop_id);
    CHECK(callback_id == loop_id);
}

TEST_CASE_METHOD(AsyncTest, "exceptions from executor jobs reach the Future", "[core][executor][threads]") {
    ThreadPoolExecutor pool(1);
    CHECK_THROWS_WITH(run_sync([&] {
                          return run_on_executor(pool, []() -> int {
                              throw std::runtime_error("in worker");
                          });
                      }),
                      "in worker");
    run_sync([&] { return run_on_executor(pool, [] {}); });
}

TEST_CASE_METHOD(AsyncTest, "add_future callbacks for thread-pool futures run on the loop",
                 "[core][executor][threads]") {
    ThreadPoolExecutor pool(2);
    std::atomic<int> on_loop{0};
    run_sync([&] {
        std::vector<Future<int>> fs;
        for (int i = 0; i < 20; ++i) {
            auto f = run_on_executor(pool, [i] { return i; });
            io_loop().add_future(f, [&](Future<int>) {
                if (IOLoop::current_or_null() == &io_loop()) ++on_loop;
            });
            fs.push_back(f);
        }
        return multi(std::move(fs));
    });
    run_sync([] { return squall::sleep(1ms); });  // add_future callbacks run a turn later
    CHECK(on_loop.load() == 20);
}

TEST_CASE("a job that finishes after its loop closed fails the Future on the loop's thread",
          "[core][executor][threads]") {
    ThreadPoolExecutor pool(1);
    std::promise<void> gate;
    std::shared_future<void> opened = gate.get_future().share();
    bool called = false;
    std::thread::id callback_thread;
    {
        IOLoop loop;
        auto f = run_on_executor(pool, [opened] { opened.wait(); return 1; }, loop);
        f.add_done_callback([&](Future<int> done) {
            called = true;
            callback_thread = std::this_thread::get_id();
            CHECK_THROWS_AS(done.result(), BrokenPromise);
        });
        loop.close();
        gate.set_value();
        pool.shutdown();  // the job ran and handed its result to the closed loop
        CHECK_FALSE(called);
    }
    CHECK(called);
    CHECK(callback_thread == std::this_thread::get_id());
}

TEST_CASE("shutdown finishes queued jobs and refuses new ones", "[core][executor][threads]") {
    std::atomic<int> done{0};
    ThreadPoolExecutor pool(1);
    for (int i = 0; i < 100; ++i) pool.submit([&] { ++done; });
    pool.shutdown();
    CHECK(done.load() == 100);
    CHECK_THROWS_AS(pool.submit([] {}), std::logic_error);
    pool.shutdown();  // idempotent
}

TEST_CASE("shutdown from several threads at once waits for the queued jobs in each", "[core][executor][threads]") {
    std::atomic<int> done{0};
    ThreadPoolExecutor pool(2);
    for (int i = 0; i < 200; ++i) pool.submit([&] { ++done; });
    std::atomic<int> saw_all{0};
    std::vector<std::thread> stoppers;
    for (int i = 0; i < 3; ++i)
        stoppers.emplace_back([&] {
            pool.shutdown();
            if (done.load() == 200) ++saw_all;  // every caller returns after the jobs finished
        });
    for (auto& t : stoppers) t.join();
    CHECK(saw_all.load() == 3);
    CHECK(pool.workers() == 0);
}

TEST_CASE("run_synchronously returns a done Future", "[core][executor]") {
    CHECK(run_synchronously([] { return 3; }).result() == 3);
    CHECK_THROWS_WITH(run_synchronously([]() -> int { throw std::runtime_error("now"); }).result(),
                      "now");
}
