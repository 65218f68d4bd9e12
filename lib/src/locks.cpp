// Condition, Event, Semaphore, BoundedSemaphore and Lock: waiters woken in order, counts kept.
// Internal.
#include "squall/locks.h"

#include <stdexcept>

namespace squall {

Future<bool> Condition::wait(std::optional<Duration> timeout) {
    Future<bool> woken = waiters_.add(timeout);
    if (!timeout) return woken;
    // A timeout resolves the wait to false rather than failing it (Tornado's Condition).
    Promise<bool> result;
    Future<bool> answer = result.get_future();
    woken.add_done_callback([result](Future<bool> f) mutable {
        if (f.exception()) result.set_result(false);
        else result.set_result(true);
    });
    return answer;
}

void Condition::notify(int n) {
    for (int i = 0; i < n; ++i) {
        auto waiter = waiters_.take_next();
        if (!waiter) return;
        waiter->promise.set_result(true);
    }
}

void Condition::notify_all() {
    while (auto waiter = waiters_.take_next()) waiter->promise.set_result(true);
}

void Event::set() {
    if (set_) return;
    set_ = true;
    while (auto waiter = waiters_.take_next()) waiter->promise.set_result();
}

Future<void> Event::wait(std::optional<Duration> timeout) {
    if (set_) return make_ready_future();
    return waiters_.add(timeout);
}

Semaphore::Semaphore(int value, IOLoop& loop) : value_(value), waiters_(loop) {
    if (value < 0) throw std::invalid_argument("Semaphore initial value must be >= 0");
}

Future<Semaphore::Guard> Semaphore::acquire(std::optional<Duration> timeout) {
    if (value_ > 0) {
        --value_;
        return make_ready_future(Guard(*this));
    }
    return waiters_.add(timeout);
}

void Semaphore::release() {
    // The count goes straight to the longest waiter: nobody can slip in between.
    if (auto waiter = waiters_.take_next()) {
        waiter->promise.set_result(Guard(*this));
        return;
    }
    ++value_;
}

void BoundedSemaphore::release() {
    if (value_ >= initial_) throw std::logic_error("Semaphore released too many times");
    Semaphore::release();
}

void Lock::release() {
    try {
        block_.release();
    } catch (const std::logic_error&) {
        throw std::logic_error("release unlocked lock");
    }
}

}  // namespace squall
