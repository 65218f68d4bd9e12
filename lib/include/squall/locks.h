// Coroutine synchronisation on one IOLoop: Condition, Event, Semaphore, BoundedSemaphore and
// Lock, each wait taking an optional timeout (TimeoutError). Not thread-safe: they coordinate
// coroutines of one loop, as asyncio's do. Public header. Models tornado/locks.py (4.2+).
#pragma once

#include "squall/detail/require_cxx20.h"

#include <optional>

#include "squall/concurrent.h"
#include "squall/detail/waiters.h"
#include "squall/ioloop.h"

namespace squall {

/// Coroutines wait until another notifies them.
class Condition {
public:
    explicit Condition(IOLoop& loop = IOLoop::current()) : waiters_(loop) {}
    /// True once notified; false when `timeout` passed first (Tornado resolves to False, not
    /// an error).
    Future<bool> wait(std::optional<Duration> timeout = std::nullopt);
    /// Wakes `n` waiters, the longest-waiting first.
    void notify(int n = 1);
    void notify_all();

private:
    detail::Waiters<bool> waiters_;
};

/// A flag coroutines can wait for; wait() returns at once while it is set.
class Event {
public:
    explicit Event(IOLoop& loop = IOLoop::current()) : waiters_(loop) {}
    bool is_set() const noexcept { return set_; }
    /// Sets the flag and wakes every waiter.
    void set();
    void clear() noexcept { set_ = false; }
    /// Done once the flag is set; TimeoutError when `timeout` passes first.
    Future<void> wait(std::optional<Duration> timeout = std::nullopt);

private:
    bool set_ = false;
    detail::Waiters<void> waiters_;
};

/// A counter: acquire() waits while it is zero, then decrements it; release() increments it.
class Semaphore {
public:
    /// Releases the semaphore it came from when destroyed (or release()d), so that
    /// `auto held = co_await sem.acquire();` holds it for a scope.
    class Guard {
    public:
        Guard() noexcept = default;
        explicit Guard(Semaphore& owner) noexcept : owner_(&owner) {}
        Guard(Guard&& other) noexcept : owner_(std::exchange(other.owner_, nullptr)) {}
        Guard& operator=(Guard&& other) noexcept {
            if (this != &other) {
                release();
                owner_ = std::exchange(other.owner_, nullptr);
            }
            return *this;
        }
        ~Guard() { release(); }
        void release() {
            if (auto* s = std::exchange(owner_, nullptr)) s->release();
        }

    private:
        Semaphore* owner_ = nullptr;
    };

    /// std::invalid_argument for a negative value.
    explicit Semaphore(int value = 1, IOLoop& loop = IOLoop::current());
    virtual ~Semaphore() = default;
    Semaphore(const Semaphore&) = delete;
    Semaphore& operator=(const Semaphore&) = delete;

    /// A Guard once the counter was above zero (at once if it is); TimeoutError when
    /// `timeout` passes first, the counter untouched.
    Future<Guard> acquire(std::optional<Duration> timeout = std::nullopt);
    /// Gives the count to the longest waiter, or increments the counter.
    virtual void release();
    int value() const noexcept { return value_; }

protected:
    int value_;

private:
    detail::Waiters<Guard> waiters_;
};

/// A Semaphore that refuses to be released above its initial value (std::logic_error
/// "Semaphore released too many times"), which catches a release without an acquire.
class BoundedSemaphore : public Semaphore {
public:
    explicit BoundedSemaphore(int value = 1, IOLoop& loop = IOLoop::current())
        : Semaphore(value, loop), initial_(value) {}
    void release() override;

private:
    int initial_;
};

/// One holder at a time: `auto held = co_await lock.acquire();`. Not reentrant.
class Lock {
public:
    using Guard = Semaphore::Guard;
    explicit Lock(IOLoop& loop = IOLoop::current()) : block_(1, loop) {}
    Future<Guard> acquire(std::optional<Duration> timeout = std::nullopt) { return block_.acquire(timeout); }
    /// std::logic_error("release unlocked lock") when nobody holds it.
    void release();
    bool locked() const noexcept { return block_.value() == 0; }

private:
    BoundedSemaphore block_;
};

}  // namespace squall
