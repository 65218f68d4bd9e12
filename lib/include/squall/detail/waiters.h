// The Futures that coroutines wait on in locks and queues, each with an optional timeout that
// fails it with TimeoutError. Internal, shared by squall/locks.h and squall/queues.h; Tornado
// keeps the same lists of Futures (tornado/locks.py, tornado/queues.py).
#pragma once

#include <deque>
#include <variant>
#include <optional>
#include <utility>

#include "squall/concurrent.h"
#include "squall/ioloop.h"

namespace squall::detail {

/// First come, first served. A waiter whose timeout passed stays in the list, done, until
/// a wake-up or a cleanup skips it (as Tornado's _consume_expired does).
template <class T, class Extra = std::monostate>
class Waiters {
public:
    struct Waiter {
        Promise<T> promise;
        TimeoutHandle timer;
        Extra extra;  // what the waiter brings (a queue's putter: its item)
    };

    explicit Waiters(IOLoop& loop) : loop_(loop) {}
    Waiters(const Waiters&) = delete;
    Waiters& operator=(const Waiters&) = delete;
    /// Pending Futures stay pending for good (or until their timeout fires).
    ~Waiters() {
        for (Waiter& w : list_)
            if (w.timer) loop_.remove_timeout(w.timer);
    }

    /// A new waiter's Future; it fails with TimeoutError("Timeout") once `timeout` passes.
    Future<T> add(std::optional<Duration> timeout, Extra extra = {}) {
        Waiter& w = list_.emplace_back(Waiter{Promise<T>(), {}, std::move(extra)});
        Future<T> f = w.promise.get_future();
        if (timeout) {
            // The timer holds the promise, not the list: it may outlive both.
            w.timer = loop_.call_later(*timeout, [p = w.promise]() mutable {
                if (!p.done()) p.set_exception(std::make_exception_ptr(TimeoutError("Timeout")));
            });
        }
        return f;
    }
    /// The first waiter still waiting, taken out of the list (its timer cancelled); none left:
    /// nullopt.
    std::optional<Waiter> take_next() {
        drop_expired();
        if (list_.empty()) return std::nullopt;
        Waiter w = std::move(list_.front());
        list_.pop_front();
        if (w.timer) loop_.remove_timeout(std::exchange(w.timer, {}));
        return w;
    }
    bool empty() {
        drop_expired();
        return list_.empty();
    }
    void drop_expired() {
        while (!list_.empty() && list_.front().promise.done()) list_.pop_front();
    }

private:
    IOLoop& loop_;
    std::deque<Waiter> list_;
};

}  // namespace squall::detail
