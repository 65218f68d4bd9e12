// The worker threads of ThreadPoolExecutor. Internal. Models concurrent.futures'
// ThreadPoolExecutor as Tornado 4.0's run_on_executor uses it.
#include "squall/executor.h"

#include <algorithm>

#include "squall/log.h"

namespace squall {

ThreadPoolExecutor::ThreadPoolExecutor(std::size_t workers) {
    if (workers == 0) workers = std::max(1u, std::thread::hardware_concurrency());
    threads_.reserve(workers);
    for (std::size_t i = 0; i < workers; ++i) threads_.emplace_back([this] { work(); });
    workers_.store(workers, std::memory_order_relaxed);
}

void ThreadPoolExecutor::submit(Job job) {
    {
        std::lock_guard lock(mutex_);
        if (stopping_) throw std::logic_error("ThreadPoolExecutor: submit after shutdown");
        jobs_.push_back(std::move(job));
    }
    wake_.notify_one();
}

void ThreadPoolExecutor::shutdown() {
    // One caller joins the workers; any other waits here for it, so that every caller returns
    // after the queued jobs ran, and no two join the same thread.
    std::lock_guard joining(shutdown_mutex_);
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    for (auto& t : threads_) t.join();
    threads_.clear();
    workers_.store(0, std::memory_order_relaxed);
}

void ThreadPoolExecutor::work() {
    while (true) {
        Job job;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
            if (jobs_.empty()) return;
            job = std::move(jobs_.front());
            jobs_.pop_front();
        }
        try {
            job();
        } catch (...) {
            app_log().logf(LogLevel::error, "Exception in executor job: %s",
                           detail::describe_exception(std::current_exception()).c_str());
        }
    }
}

}  // namespace squall
