// A fixed-size thread pool and run_on_executor, which hand results back to the IOLoop's thread
// as Futures. Public header. Models tornado/concurrent.py (4.0) run_on_executor and
// DummyExecutor, over a pool like Python's concurrent.futures.ThreadPoolExecutor.
#pragma once

#include "squall/detail/require_cxx20.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <optional>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

#include "squall/concurrent.h"
#include "squall/function.h"
#include "squall/ioloop.h"

namespace squall {

/// Runs jobs on `workers` threads. Thread-safe. The destructor runs the jobs already submitted,
/// then joins the threads (like `shutdown(wait=True)`).
class ThreadPoolExecutor {
public:
    using Job = MoveOnlyFunction<void()>;
    /// 0 workers means std::thread::hardware_concurrency().
    explicit ThreadPoolExecutor(std::size_t workers = 0);
    ThreadPoolExecutor(const ThreadPoolExecutor&) = delete;
    ThreadPoolExecutor& operator=(const ThreadPoolExecutor&) = delete;
    ~ThreadPoolExecutor() { shutdown(); }

    /// Queue `job`; throws std::logic_error after shutdown().
    void submit(Job job);
    /// Stop taking jobs, finish the queued ones and join the workers. Idempotent.
    void shutdown();
    /// The worker threads: as many as asked for, 0 once shutdown() has returned.
    std::size_t workers() const noexcept { return workers_.load(std::memory_order_relaxed); }

private:
    void work();

    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Job> jobs_;
    bool stopping_ = false;
    std::mutex shutdown_mutex_;  // held while shutdown() joins; guards threads_ after construction
    std::vector<std::thread> threads_;
    std::atomic<std::size_t> workers_{0};
};

/// Run `fn()` on `executor` and return a Future, completed on `loop`'s thread, with its result or
/// exception. Call from the loop's thread; the loop object must outlive the job. A job that
/// finishes after the loop was closed leaves its Future pending until the loop is destroyed,
/// which fails it with BrokenPromise on the destroying thread, never on the worker.
template <class F>
auto run_on_executor(ThreadPoolExecutor& executor, F&& fn, IOLoop& loop = IOLoop::current())
    -> Future<std::invoke_result_t<std::decay_t<F>&>> {
    using T = std::invoke_result_t<std::decay_t<F>&>;
    // The Promise's counts are not atomic, so the worker never copies it: the pointer travels
    // to the loop thread, where the callback sets it.
    auto cell = std::make_unique<Promise<T>>();
    Future<T> future = cell->get_future();
    executor.submit([cell = std::move(cell), &loop, fn = std::forward<F>(fn)]() mutable {
        std::exception_ptr error;
        std::optional<detail::StoredValue<T>> value;
        try {
            if constexpr (std::is_void_v<T>) {
                fn();
                value.emplace();
            } else {
                value.emplace(fn());
            }
        } catch (...) {
            error = std::current_exception();
        }
        // `error` moves too: were the worker's copy the last one released (after the loop is
        // done with the exception), the exception would be freed here, synchronised with the
        // loop's reads only by libstdc++'s reference count, which ThreadSanitizer cannot see.
        loop.add_callback([cell = std::move(cell), error = std::move(error), value = std::move(value)]() mutable {
            if (error)
                cell->set_exception(error);
            else if constexpr (std::is_void_v<T>)
                cell->set_result();
            else
                cell->set_result(std::move(*value));
        });
    });
    return future;
}

/// Tornado's DummyExecutor: runs `fn` at once on this thread and returns a done Future.
template <class F>
auto run_synchronously(F&& fn) -> Future<std::invoke_result_t<std::decay_t<F>&>> {
    using T = std::invoke_result_t<std::decay_t<F>&>;
    Promise<T> p;
    try {
        if constexpr (std::is_void_v<T>) {
            fn();
            p.set_result();
        } else {
            p.set_result(fn());
        }
    } catch (...) {
        p.set_exception(std::current_exception());
    }
    return p.get_future();
}

}  // namespace squall
