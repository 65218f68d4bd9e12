// The event loop: fd handlers over a pluggable Poller, timers, callbacks, PeriodicCallback.
// Public header. Models tornado/ioloop.py (4.0): IOLoop / PollIOLoop and PeriodicCallback.
//
// One iteration of start(), in this order (Tornado's PollIOLoop.start):
//   1. take every queued callback (callbacks added while they run wait for the next iteration);
//   2. read the clock once and append every due timer to that batch, in (deadline, order) order;
//   3. run the batch; a callback that throws, or returns a failed Future, is logged and the loop
//      goes on;
//   4. poll: not at all blocking if new callbacks are queued, else until the first deadline
//      (re-read after the callbacks ran, so slow callbacks do not delay timers), at most 3600 s;
//   5. dispatch ready fds one at a time; a handler removed (or replaced) earlier in the same
//      iteration is not called for stale events.
#pragma once

#include "squall/detail/require_cxx20.h"

#include <atomic>
#include <chrono>
#include <concepts>
#include <cstdio>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <vector>

#include "squall/concurrent.h"
#include "squall/detail/callback_queue.h"
#include "squall/function.h"
#include "squall/poller/poller.h"

namespace squall {

using Clock = std::chrono::steady_clock;
using Duration = Clock::duration;
using TimePoint = Clock::time_point;

/// Raised by run_sync when its timeout passes, and by with_timeout (Tornado's gen.TimeoutError).
class TimeoutError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// An object that owns a descriptor and can be registered instead of a bare fd (Tornado 4.0
/// accepts "file-like objects"); close(all_fds=true) calls its close().
template <class T>
concept FileDescriptorObject = requires(T& t) {
    { t.fileno() } -> std::convertible_to<int>;
    t.close();
};

/// Opaque handle returned by call_at / call_later / add_timeout, for remove_timeout.
class TimeoutHandle {
public:
    TimeoutHandle() noexcept = default;
    explicit operator bool() const noexcept { return gen_ != 0; }
    bool operator==(const TimeoutHandle&) const noexcept = default;

private:
    friend class IOLoop;
    TimeoutHandle(std::uint32_t slot, std::uint32_t gen) noexcept : slot_(slot), gen_(gen) {}
    std::uint32_t slot_ = 0;
    std::uint32_t gen_ = 0;
};

class IOLoop {
public:
    static constexpr Events NONE = Events::none;
    static constexpr Events READ = Events::read;
    static constexpr Events WRITE = Events::write;
    static constexpr Events ERROR = Events::error;

    using Callback = MoveOnlyFunction<void()>;
    using Handler = MoveOnlyFunction<void(int fd, Events events)>;
    using TimeFunc = TimePoint (*)();

    struct Options {
        /// Backend name; empty: SQUALL_POLLER, else the best available.
        std::string poller;
        /// Clock for time() and timers; null: steady_clock (Tornado's PollIOLoop time_func).
        TimeFunc time_func = nullptr;
    };

    IOLoop();
    explicit IOLoop(Options options);
    explicit IOLoop(std::unique_ptr<Poller> poller, TimeFunc time_func = nullptr);
    IOLoop(const IOLoop&) = delete;
    IOLoop& operator=(const IOLoop&) = delete;
    /// Closes the loop (without closing registered fds) if close() was not called.
    virtual ~IOLoop();

    // ---- which loop ---------------------------------------------------------------------
    /// The loop current on this thread, else the global instance() (created on first use).
    static IOLoop& current();
    /// The loop current on this thread, or null; never creates one.
    static IOLoop* current_or_null() noexcept;
    void make_current() noexcept;
    static void clear_current() noexcept;
    /// The process-wide loop, created on first use. A convenience for small programs: libraries
    /// should take an IOLoop& instead.
    static IOLoop& instance();
    static bool initialized() noexcept;
    /// Make this loop the global instance; throws std::logic_error when one exists.
    void install();
    /// Forget the global instance (destroying it when instance() created it).
    static void clear_instance();

    // ---- fd handlers --------------------------------------------------------------------
    /// Call `handler(fd, events)` when `fd` is ready. ERROR is always added to `events`.
    /// Throws std::logic_error when `fd` already has a handler, std::system_error on a poller error.
    void add_handler(int fd, Handler handler, Events events);
    void update_handler(int fd, Events events);
    /// Unknown fds are not an error (logged at debug), as in Tornado.
    void remove_handler(int fd) noexcept;

    /// Register an object with fileno()/close(); the handler receives the object.
    template <FileDescriptorObject Obj, class F>
    void add_handler(Obj& obj, F handler, Events events) {
        Obj* p = &obj;
        add_handler_impl(static_cast<int>(obj.fileno()),
                         [p, h = std::move(handler)](int, Events e) mutable { h(*p, e); },
                         events, [p] { p->close(); });
    }
    template <FileDescriptorObject Obj>
    void update_handler(Obj& obj, Events events) {
        update_handler(static_cast<int>(obj.fileno()), events);
    }
    template <FileDescriptorObject Obj>
    void remove_handler(Obj& obj) noexcept {
        remove_handler(static_cast<int>(obj.fileno()));
    }
    bool has_handler(int fd) const noexcept;
    /// How many fds have handlers (for leak checks in tests).
    std::size_t handler_count() const noexcept { return handler_count_; }

    // ---- running ------------------------------------------------------------------------
    /// Run until stop(). The loop is current on this thread while it runs.
    /// Throws std::logic_error("IOLoop is already running") when re-entered.
    void start();
    /// Stop after the current iteration; a stop() before start() makes the next start() return
    /// at once. Safe from other threads.
    void stop() noexcept;
    /// Run `func` (returning a Future<T>, or a plain value) on the loop until its Future is done
    /// and return the result or rethrow its exception. With a timeout, throws TimeoutError
    /// "Operation timed out after N seconds".
    template <class F>
    auto run_sync(F&& func, std::optional<Duration> timeout = std::nullopt);
    /// Release the poller and waker; with all_fds, close every registered fd or object.
    /// Pending callbacks and timers are destroyed (coroutines waiting on them are freed).
    void close(bool all_fds = false);
    bool closed() const noexcept { return closed_; }
    bool running() const noexcept { return running_; }
    /// The backend this loop polls with ("epoll", "io_uring"...); empty once closed.
    std::string_view poller_name() const noexcept { return poller_ ? poller_->name() : std::string_view(); }

    // ---- time and timers ----------------------------------------------------------------
    /// The loop's clock: monotonic, unaffected by changes of the wall-clock time.
    TimePoint time() const noexcept { return time_func_ ? time_func_() : Clock::now(); }
    /// time() as read when this iteration's poll returned (time() itself when the loop is not
    /// running): no clock read, for deadlines that may start up to one iteration's work early,
    /// like the per-request idle timeout (libuv's uv_now).
    TimePoint iteration_time() const noexcept { return running_ ? iteration_time_ : time(); }
    template <class F>
    TimeoutHandle call_at(TimePoint when, F&& callback) {
        return schedule(when, wrap(std::forward<F>(callback)));
    }
    template <class F>
    TimeoutHandle call_later(Duration delay, F&& callback) {
        return schedule(time() + delay, wrap(std::forward<F>(callback)));
    }
    template <class F>
    TimeoutHandle add_timeout(TimePoint deadline, F&& callback) {
        return call_at(deadline, std::forward<F>(callback));
    }
    template <class F>
    TimeoutHandle add_timeout(Duration delay, F&& callback) {
        return call_later(delay, std::forward<F>(callback));
    }
    /// Lazy cancellation; harmless after the timer fired or for an empty handle.
    void remove_timeout(TimeoutHandle handle) noexcept;
    /// Timers scheduled and not yet fired or cancelled.
    std::size_t pending_timeouts() const noexcept { return live_timers_; }

    // ---- callbacks ----------------------------------------------------------------------
    /// Run `callback` on the next iteration. The only method safe to call from any thread;
    /// wakes the loop when called from another thread. Ignored once the loop is closed
    /// (Tornado 4.3+; 4.0 raised); a callable from another thread is then kept unrun and
    /// destroyed with the loop, on the thread that destroys it.
    template <class F>
    void add_callback(F&& callback) {
        if (on_loop_thread() && !closing_ && !closed_) [[likely]]
            callbacks_.push(wrap(std::forward<F>(callback)));  // the lock-free common case
        else
            enqueue(wrap(std::forward<F>(callback)));
    }
    /// Like add_callback, callable from a signal handler: no lock and no allocation. The
    /// callable must fit MoveOnlyFunction's inline storage; returns false when the fixed queue
    /// (64 entries) is full.
    template <class F>
    bool add_callback_from_signal(F&& callback) noexcept {
        static_assert(sizeof(std::decay_t<F>) <= Callback::inline_size &&
                          std::is_nothrow_move_constructible_v<std::decay_t<F>>,
                      "add_callback_from_signal needs a small callable that cannot allocate");
        return enqueue_from_signal(Callback(std::forward<F>(callback)));
    }
    /// add_callback for fire-and-forget work (C++ has no stack_context to drop).
    template <class F>
    void spawn_callback(F&& callback) {
        add_callback(std::forward<F>(callback));
    }
    /// When `future` is done, call `callback(future)` on a later iteration of this loop.
    template <class T, class F>
    void add_future(Future<T> future, F&& callback) {
        future.add_done_callback([this, cb = std::forward<F>(callback)](Future<T> f) mutable {
            add_callback([cb = std::move(cb), f = std::move(f)]() mutable { cb(f); });
        });
    }

    // ---- blocking detection ---------------------------------------------------------------
    /// Log a warning on gen_log() whenever one iteration's callbacks and handlers run for longer
    /// than `threshold` (zero turns it off). Differs from Tornado: Tornado interrupts the loop
    /// with SIGALRM and logs a stack; squall measures after the fact and names the time taken.
    void set_blocking_log_threshold(Duration threshold);
    /// As set_blocking_log_threshold, but call `action(elapsed)` instead of logging.
    void set_blocking_signal_threshold(Duration threshold,
                                       MoveOnlyFunction<void(Duration)> action);

    /// Called with every exception that escapes a callback or handler. The default logs
    /// "Exception in callback: ..." on the application logger; override to do more.
    virtual void handle_callback_exception(std::exception_ptr e);

private:
    struct HandlerEntry;
    struct TimerSlot;
    struct HeapEntry {
        TimePoint deadline;
        std::uint64_t seq;
        std::uint32_t slot;
    };
    struct Waker;
    struct SignalQueue;

    friend class PeriodicCallback;
    template <class F>
    Callback wrap(F&& f);

    void add_handler_impl(int fd, Handler handler, Events events, Callback closer);
    HandlerEntry* entry(int fd) const noexcept;
    HandlerEntry& entry_for_add(int fd);
    TimeoutHandle schedule(TimePoint when, Callback cb);
    void enqueue(Callback cb);
    bool enqueue_from_signal(Callback cb) noexcept;
    void run_callback(Callback& cb) noexcept;
    void collect_due_timers(TimePoint now);
    void run_due_timers();
    int poll_timeout_ms();
    void dispatch_ready();
    void drain_signal_queue();
    void rebuild_heap();
    void check_blocking(TimePoint started);
    bool on_loop_thread() const noexcept {
        return std::this_thread::get_id() == thread_id_.load(std::memory_order_relaxed);
    }

    std::unique_ptr<Poller> poller_;
    TimeFunc time_func_ = nullptr;
    std::unique_ptr<Waker> waker_;
    std::unique_ptr<SignalQueue> signals_;

    std::vector<std::unique_ptr<HandlerEntry[]>> handler_blocks_;
    std::size_t handler_count_ = 0;

    std::vector<TimerSlot> timer_slots_;
    std::vector<std::uint32_t> free_slots_;
    std::vector<HeapEntry> heap_;
    std::vector<std::uint32_t> due_timers_;  // popped from the heap, run after the callbacks
    std::uint64_t timer_seq_ = 0;
    std::size_t cancellations_ = 0;
    std::size_t live_timers_ = 0;

    detail::CallbackBlockPool callback_pool_;  // declared first: the queues give blocks back
    detail::CallbackQueue callbacks_{callback_pool_};      // queued by the loop thread, no lock
    detail::CallbackQueue running_batch_{callback_pool_};  // this iteration's callbacks
    std::mutex remote_mutex_;
    std::vector<Callback> remote_callbacks_;  // queued by other threads
    std::atomic<bool> remote_pending_{false};

    std::vector<ReadyEvent> ready_;
    std::vector<std::uint32_t> ready_gen_;

    Duration blocking_threshold_{};
    MoveOnlyFunction<void(Duration)> blocking_action_;

    std::atomic<bool> stopped_{false};
    bool remote_closed_ = false;  // guarded by remote_mutex_
    bool running_ = false;
    TimePoint iteration_time_{};
    bool closing_ = false;
    bool closed_ = false;
    std::atomic<std::thread::id> thread_id_;
};

/// Calls `callback` every `period` on `loop` (Tornado takes milliseconds; squall takes any
/// duration). A run that overruns skips the missed runs rather than queueing them.
class PeriodicCallback {
public:
    using Callback = MoveOnlyFunction<void()>;
    /// Throws std::invalid_argument when `period` is not positive. A callback returning a
    /// Future has failures logged, like IOLoop callbacks.
    template <class F>
    PeriodicCallback(F&& callback, Duration period, IOLoop& loop = IOLoop::current())
        : PeriodicCallback(loop.wrap(std::forward<F>(callback)), period, loop, 0) {}
    PeriodicCallback(const PeriodicCallback&) = delete;
    PeriodicCallback& operator=(const PeriodicCallback&) = delete;
    ~PeriodicCallback() { stop(); }

    /// First run at now + period.
    void start();
    void stop() noexcept;
    bool is_running() const noexcept { return running_; }
    Duration period() const noexcept { return period_; }

private:
    PeriodicCallback(Callback callback, Duration period, IOLoop& loop, int);
    void run();
    void schedule_next();

    Callback callback_;
    Duration period_;
    IOLoop& loop_;
    bool running_ = false;
    TimePoint next_timeout_{};
    TimeoutHandle timeout_;
};

// ---- templates ------------------------------------------------------------------------------

namespace detail {
template <class F>
using callback_result_t = std::invoke_result_t<std::decay_t<F>&>;
/// T for a Future<T>, R itself otherwise: what run_sync returns.
template <class R>
struct sync_value {
    using type = R;
};
template <class T>
struct sync_value<Future<T>> {
    using type = T;
};
}  // namespace detail

template <class F>
IOLoop::Callback IOLoop::wrap(F&& f) {
    using R = detail::callback_result_t<F>;
    if constexpr (is_future_v<R>) {
        // Tornado 4.0: a callback returning a Future has the Future watched, so a failure is
        // logged instead of vanishing.
        return [this, fn = std::forward<F>(f)]() mutable {
            auto fut = fn();
            fut.add_done_callback([this](auto done) {
                if (auto e = done.exception()) handle_callback_exception(e);
            });
        };
    } else {
        return Callback(std::forward<F>(f));
    }
}

template <class F>
auto IOLoop::run_sync(F&& func, std::optional<Duration> timeout) {
    using R = detail::callback_result_t<F>;
    using T = typename detail::sync_value<std::decay_t<R>>::type;
    // Shared with the queued callback, which may outlive this call (stop() before start(), or a
    // timeout): then it must neither touch this frame nor stop a later run of the loop.
    struct Run {
        std::decay_t<F> func;
        Future<T> result;
        bool active = true;
    };
    auto run = std::make_shared<Run>(Run{std::forward<F>(func), {}, true});
    add_callback([this, run]() {
        if (!run->active) return;
        try {
            if constexpr (is_future_v<R>) {
                run->result = run->func();
                // A ready Future<void> without a state: given one, so that "no result yet"
                // below still means the function has not finished.
                if constexpr (std::is_void_v<T>) {
                    if (!run->result.valid()) run->result = make_ready_future();
                }
            } else if constexpr (std::is_void_v<R>) {
                run->func();
                run->result = make_ready_future();
            } else {
                run->result = make_ready_future(run->func());
            }
        } catch (...) {
            run->result = make_failed_future<T>(std::current_exception());
        }
        run->result.add_done_callback([this, run](auto) {
            if (run->active) stop();
        });
    });
    TimeoutHandle timer;
    if (timeout) timer = call_later(*timeout, [this] { stop(); });
    start();
    run->active = false;
    if (timer) remove_timeout(timer);
    if (!run->result.valid() || !run->result.done()) {
        double secs = timeout ? std::chrono::duration<double>(*timeout).count() : 0.0;
        char msg[96];
        std::snprintf(msg, sizeof msg, "Operation timed out after %g seconds", secs);
        throw TimeoutError(msg);
    }
    if constexpr (std::is_void_v<T>) {
        run->result.result();
    } else if constexpr (std::is_copy_constructible_v<T>) {
        return T(run->result.result());
    } else {
        return std::move(run->result.result());
    }
}

}  // namespace squall
