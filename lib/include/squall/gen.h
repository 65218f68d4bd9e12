// Coroutine helpers: with_timeout, sleep, moment, multi, maybe_future. Public header. Models
// tornado/gen.py (4.0, with 4.1's sleep and 4.2's logging of the extra failures in multi).
#pragma once

#include "squall/detail/require_cxx20.h"

#include <map>
#include <memory>
#include <type_traits>
#include <vector>

#include "squall/concurrent.h"
#include "squall/ioloop.h"
#include "squall/log.h"

namespace squall {

/// A Future that follows `future` but fails with TimeoutError("Timeout") if `deadline` comes
/// first. Like Tornado, the wrapped operation is not cancelled.
template <class T>
Future<T> with_timeout(TimePoint deadline, Future<T> future, IOLoop& loop = IOLoop::current()) {
    if (future.done()) return future;
    Promise<T> result;
    auto timer = loop.call_at(deadline, [result]() mutable {
        if (!result.done()) result.set_exception(TimeoutError("Timeout"));
    });
    future.add_done_callback([result, timer, &loop](Future<T> f) mutable {
        loop.remove_timeout(timer);
        if (result.done()) {
            f.exception();  // a late failure of the abandoned operation is not worth a log line
            return;
        }
        chain_future(f, result);
    });
    return result.get_future();
}
template <class T>
Future<T> with_timeout(Duration timeout, Future<T> future, IOLoop& loop = IOLoop::current()) {
    return with_timeout(loop.time() + timeout, std::move(future), loop);
}

/// A Future that is done after `delay` (Tornado 4.1's gen.sleep).
Future<void> sleep(Duration delay, IOLoop& loop = IOLoop::current());

/// `co_await moment;` gives up one loop iteration, even though nothing is pending, so other
/// callbacks and I/O may run (Tornado's gen.moment).
struct Moment {
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) const { detail::schedule_resume(detail::ResumeHandle(h)); }
    void await_resume() const noexcept {}
};
inline constexpr Moment moment{};

/// Tornado's maybe_future: a done Future holding `value`.
template <class T>
Future<std::decay_t<T>> maybe_future(T&& value) {
    return make_ready_future(std::forward<T>(value));
}

namespace detail {

/// Shared by the children of one multi(): counts them down, then reports the first failure in
/// the children's order and logs the others (Tornado 4.2).
template <class Result>
struct MultiState {
    Promise<Result> promise;
    std::size_t remaining = 0;
    std::exception_ptr first_error;
    std::size_t first_error_index = SIZE_MAX;

    void child_failed(std::size_t index, std::exception_ptr e) {
        if (index < first_error_index) {
            if (first_error) log_extra(first_error);
            first_error = std::move(e);
            first_error_index = index;
        } else {
            log_extra(e);
        }
    }
    static void log_extra(const std::exception_ptr& e) {
        app_log().logf(LogLevel::error, "Multiple exceptions in yield list: %s",
                       describe_exception(e).c_str());
    }
};

template <class T>
T take_result(Future<T>& f) {
    if constexpr (std::is_copy_constructible_v<T>)
        return f.result();
    else
        return std::move(f.result());
}

}  // namespace detail

/// Wait for every Future; the result keeps their order. If any fail, the first failure (by
/// position) is raised once all are done, and the other failures are logged.
template <class T>
Future<std::conditional_t<std::is_void_v<T>, void, std::vector<T>>> multi(
    std::vector<Future<T>> futures) {
    using Result = std::conditional_t<std::is_void_v<T>, void, std::vector<T>>;
    auto st = std::make_shared<detail::MultiState<Result>>();
    Future<Result> out = st->promise.get_future();
    st->remaining = futures.size();
    auto finish = [st, futures]() mutable {
        if (st->first_error) return st->promise.set_exception(st->first_error);
        if constexpr (std::is_void_v<T>) {
            st->promise.set_result();
        } else {
            std::vector<T> values;
            values.reserve(futures.size());
            for (auto& f : futures) values.push_back(detail::take_result(f));
            st->promise.set_result(std::move(values));
        }
    };
    if (futures.empty()) {
        finish();
        return out;
    }
    auto shared_finish = std::make_shared<decltype(finish)>(std::move(finish));
    for (std::size_t i = 0; i < futures.size(); ++i) {
        // The callbacks hold the shared state, not the Futures, so no cycle can form.
        futures[i].add_done_callback([st, i, shared_finish](Future<T> f) {
            if (auto e = f.exception()) st->child_failed(i, e);
            if (--st->remaining == 0) {
                auto fin = std::move(*shared_finish);
                fin();
            }
        });
    }
    return out;
}

/// The map form of multi: the result has the same keys.
template <class K, class T>
Future<std::map<K, T>> multi(std::map<K, Future<T>> futures) {
    std::vector<K> keys;
    std::vector<Future<T>> list;
    for (auto& [k, f] : futures) {
        keys.push_back(k);
        list.push_back(f);
    }
    Promise<std::map<K, T>> promise;
    Future<std::map<K, T>> out = promise.get_future();
    multi(std::move(list)).add_done_callback(
        [promise, keys = std::move(keys)](Future<std::vector<T>> all) mutable {
            if (auto e = all.exception()) return promise.set_exception(e);
            std::map<K, T> values;
            auto& v = all.result();
            for (std::size_t i = 0; i < keys.size(); ++i)
                values.emplace(keys[i], std::move(v[i]));
            promise.set_result(std::move(values));
        });
    return out;
}

}  // namespace squall
