// Future<T> / Promise<T> and the C++20 coroutine glue that makes Future<T> a coroutine's return
// type. Public header. Models tornado/concurrent.py (4.0: Future, chain_future) and the Runner of
// tornado/gen.py (@gen.coroutine: eager start, resume through the IOLoop, exceptions in the Future).
#pragma once

#include "squall/detail/require_cxx20.h"

#include <coroutine>
#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "squall/function.h"
#include "squall/detail/recycler.h"

namespace squall {

template <class T>
class Future;
template <class T>
class Promise;

/// Set on a Future whose every Promise went away without setting it, so that whoever awaits it
/// fails instead of waiting forever. Differs from Tornado: Python Futures cannot be abandoned.
class BrokenPromise : public std::logic_error {
public:
    BrokenPromise() : std::logic_error("broken promise: the Future's producer went away") {}
};

namespace detail {

struct Unit {};
template <class T>
using StoredValue = std::conditional_t<std::is_void_v<T>, Unit, T>;

/// The text of an exception, for logs: what() for std::exception, a fixed phrase otherwise.
std::string describe_exception(const std::exception_ptr& e);

/// The shared state behind a Future and its Promises. Single-threaded by design, like Tornado
/// 4.0's Future ("not thread-safe ... therefore faster"): counts are plain integers.
class StateBase : public Recycled {  // one or more per request
public:
    using Callback = MoveOnlyFunction<void(StateBase&)>;

    StateBase() = default;
    StateBase(const StateBase&) = delete;
    StateBase& operator=(const StateBase&) = delete;
    virtual ~StateBase();

    void add_ref() noexcept { ++refs_; }
    void release() noexcept {
        if (--refs_ == 0) delete this;
    }
    std::uint32_t refs() const noexcept { return refs_; }
    void add_promise() noexcept { ++promises_; }
    void release_promise() noexcept;

    bool done() const noexcept { return done_; }
    bool has_outcome() const noexcept { return has_outcome_; }
    const std::exception_ptr& peek_exception() const noexcept { return exception_; }
    std::exception_ptr take_exception() noexcept {
        retrieved_ = true;
        return exception_;
    }
    void rethrow_if_failed() {
        retrieved_ = true;
        if (exception_) std::rethrow_exception(exception_);
    }
    void check_done() const {
        if (!done_) throw std::logic_error("Future is not done yet; a Future does not block");
    }

    /// Runs at once (and synchronously) when already done, as in Tornado 4.0.
    void add_callback(Callback cb);

    /// Record an exception as the outcome without completing (coroutines finish at final suspend).
    void store_exception(std::exception_ptr e);
    /// Mark done and run the callbacks in order. Chains deeper than a small bound are unrolled
    /// through a per-thread queue so that the stack never grows with the length of the chain.
    void complete() noexcept;
    void fail(std::exception_ptr e) {
        store_exception(std::move(e));
        complete();
    }

protected:
    void mark_outcome() {
        if (has_outcome_) throw std::logic_error("Future result already set");
        has_outcome_ = true;
    }

private:
    friend struct CompletionDrain;
    void run_callbacks() noexcept;

    std::uint32_t refs_ = 0;
    std::uint32_t promises_ = 0;
    bool done_ = false;
    bool has_outcome_ = false;
    bool retrieved_ = false;
    std::exception_ptr exception_;
    Callback first_;
    // Behind a pointer: a second callback is rare, and every Future state (one or more per
    // request, one per idle connection) would carry the empty vector.
    std::unique_ptr<std::vector<Callback>> more_;
};

template <class T>
class State final : public StateBase {
public:
    template <class... A>
    void store_value(A&&... args) {
        mark_outcome();
        value_.emplace(std::forward<A>(args)...);
    }
    StoredValue<T>& value() noexcept { return *value_; }

private:
    std::optional<StoredValue<T>> value_;
};

/// Owns a suspended coroutine until it is resumed; destroying an unresumed one destroys the
/// frame, so a coroutine whose awaited Future can never complete is freed, not leaked.
class ResumeHandle {
public:
    explicit ResumeHandle(std::coroutine_handle<> h) noexcept : h_(h) {}
    ResumeHandle(ResumeHandle&& o) noexcept : h_(std::exchange(o.h_, {})) {}
    ResumeHandle& operator=(ResumeHandle&&) = delete;
    ~ResumeHandle() {
        if (h_) h_.destroy();
    }
    void operator()() { std::exchange(h_, {}).resume(); }

private:
    std::coroutine_handle<> h_;
};

/// Resume `h` on the current thread's IOLoop (next iteration), or inline when none is current.
/// Defined with the IOLoop. This is Tornado 4.0's Runner behaviour and bounds the stack.
void schedule_resume(ResumeHandle h);

template <class T>
class CoroutinePromise;

template <class T>
class StateRef {
public:
    StateRef() noexcept = default;
    explicit StateRef(State<T>* s) noexcept : s_(s) {
        if (s_) s_->add_ref();
    }
    StateRef(const StateRef& o) noexcept : StateRef(o.s_) {}
    StateRef(StateRef&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
    StateRef& operator=(StateRef o) noexcept {
        std::swap(s_, o.s_);
        return *this;
    }
    ~StateRef() {
        if (s_) s_->release();
    }
    State<T>* get() const noexcept { return s_; }
    State<T>* operator->() const noexcept { return s_; }

private:
    State<T>* s_ = nullptr;
};

}  // namespace detail

/// The read side of an asynchronous result. Copies share one state. Not thread-safe: a Future
/// belongs to the thread of its IOLoop (hand results across threads with IOLoop::add_callback).
template <class T>
class Future {
public:
    using value_type = T;
    using promise_type = detail::CoroutinePromise<T>;

    /// Without a shared state (valid() is false). A Future<void> made so is done and succeeded,
    /// so `return {};` from a function returning Future<void> means "finished already"; any
    /// other Future made so is invalid, and using it throws std::logic_error.
    Future() noexcept = default;

    bool valid() const noexcept { return state_.get() != nullptr; }
    bool done() const {
        if (ready_without_state()) return true;
        check_valid();
        return state_->done();
    }
    /// Tornado's running(): not yet done.
    bool running() const { return !done(); }

    /// The value, or the stored exception rethrown. Throws std::logic_error when not done.
    std::add_lvalue_reference_t<T> result() const {
        if constexpr (std::is_void_v<T>) {
            if (ready_without_state()) return;
        }
        check_valid();
        state_->check_done();
        state_->rethrow_if_failed();
        if constexpr (!std::is_void_v<T>) return state_->value();
    }
    /// The stored exception, or null. Throws std::logic_error when not done.
    std::exception_ptr exception() const {
        if (ready_without_state()) return nullptr;
        check_valid();
        state_->check_done();
        return state_->take_exception();
    }

    /// Call `fn(Future<T>)` when done; at once (synchronously) when already done.
    template <class F>
    void add_done_callback(F&& fn) const {
        if (ready_without_state()) {
            fn(Future());
            return;
        }
        check_valid();
        state_->add_callback(
            [f = std::forward<F>(fn)](detail::StateBase& s) mutable {
                f(Future(static_cast<detail::State<T>*>(&s)));
            });
    }

    struct Awaiter {
        detail::StateRef<T> state;
        /// A coroutine destroyed while suspended here (its loop closed) was the outcome's
        /// consumer: the failure it never saw is not "never retrieved".
        ~Awaiter() {
            if (state.get() && state->done()) (void)state->take_exception();
        }
        bool await_ready() const noexcept { return !state.get() || state->done(); }
        void await_suspend(std::coroutine_handle<> h) {
            state->add_callback([r = detail::ResumeHandle(h)](detail::StateBase&) mutable {
                detail::schedule_resume(std::move(r));
            });
        }
        T await_resume() {
            if (!state.get()) {
                if constexpr (std::is_void_v<T>) return;
                else throw std::logic_error("co_await of an invalid (default-constructed) Future");
            }
            state->rethrow_if_failed();
            if constexpr (!std::is_void_v<T>) {
                // Move out when nobody else can see the value; copy when the Future is shared.
                if constexpr (std::is_copy_constructible_v<T>) {
                    if (state->refs() > 1) return state->value();
                }
                return std::move(state->value());
            }
        }
    };
    /// Awaiting a done Future does not suspend; otherwise the coroutine resumes on the IOLoop.
    Awaiter operator co_await() const& noexcept { return Awaiter{state_}; }
    Awaiter operator co_await() && noexcept { return Awaiter{std::move(state_)}; }

    explicit Future(detail::State<T>* s) noexcept : state_(s) {}

private:
    bool ready_without_state() const noexcept {
        if constexpr (std::is_void_v<T>) return !state_.get();
        else return false;
    }
    void check_valid() const {
        if (!state_.get()) throw std::logic_error("use of an invalid (default-constructed) Future");
    }
    detail::StateRef<T> state_;
};

/// The write side of a Future. Copies share one state. When every copy of a Promise is gone and
/// no result was set, the Future fails with BrokenPromise.
template <class T>
class Promise {
public:
    Promise() : Promise(new detail::State<T>()) {}
    Promise(const Promise& o) noexcept : Promise(o.state_.get()) {}
    Promise(Promise&& o) noexcept : state_(std::move(o.state_)) {}
    Promise& operator=(Promise o) noexcept {
        std::swap(state_, o.state_);
        return *this;
    }
    ~Promise() {
        if (state_.get()) state_->release_promise();
    }

    Future<T> get_future() const noexcept { return Future<T>(state_.get()); }
    bool done() const noexcept { return state_->done(); }

    template <class... A>
    void set_result(A&&... args) {
        state_->store_value(std::forward<A>(args)...);
        state_->complete();
    }
    void set_exception(std::exception_ptr e) {
        if (!e) throw std::invalid_argument("set_exception needs an exception");
        state_->fail(std::move(e));
    }
    template <class E, class = std::enable_if_t<!std::is_same_v<std::decay_t<E>, std::exception_ptr>>>
    void set_exception(E&& e) {
        set_exception(std::make_exception_ptr(std::forward<E>(e)));
    }

private:
    explicit Promise(detail::State<T>* s) noexcept : state_(s) { s->add_promise(); }
    detail::StateRef<T> state_;
};

namespace detail {
/// `f`, with its failure marked as seen: for a Future nobody has to collect because something
/// else reports the failure (a write's error is the stream close's news), so that it is not
/// logged as "never retrieved" (Tornado does the same).
template <class T>
Future<T> quiet(Future<T> f) {
    f.add_done_callback([](Future<T> done) { (void)done.exception(); });
    return f;
}
}  // namespace detail

/// A Future that is already done with `value` (Tornado's gen.maybe_future).
template <class T>
Future<std::decay_t<T>> make_ready_future(T&& value) {
    Promise<std::decay_t<T>> p;
    p.set_result(std::forward<T>(value));
    return p.get_future();
}
inline Future<void> make_ready_future() {
    Promise<void> p;
    p.set_result();
    return p.get_future();
}
template <class T>
Future<T> make_failed_future(std::exception_ptr e) {
    Promise<T> p;
    p.set_exception(std::move(e));
    return p.get_future();
}

/// The Promise parked in `slot`, leaving the slot empty: settling it may run code that refills
/// the slot or destroys its owner, so take it out first. Usage: `take_promise(p).set_result()`.
template <class T>
Promise<T> take_promise(std::optional<Promise<T>>& slot) {
    Promise<T> p = std::move(*slot);
    slot.reset();
    return p;
}

/// When `a` finishes, copy its result or exception into `b` unless `b` is already done.
template <class T>
void chain_future(Future<T> a, Promise<T> b) {
    a.add_done_callback([b = std::move(b)](Future<T> f) mutable {
        if (b.done()) return;
        if (auto e = f.exception()) {
            b.set_exception(e);
        } else if constexpr (std::is_void_v<T>) {
            b.set_result();
        } else if constexpr (std::is_copy_constructible_v<T>) {
            b.set_result(f.result());
        } else {
            b.set_result(std::move(f.result()));
        }
    });
}

template <class T>
struct is_future : std::false_type {};
template <class T>
struct is_future<Future<T>> : std::true_type {};
template <class T>
inline constexpr bool is_future_v = is_future<std::decay_t<T>>::value;

namespace detail {

/// The coroutine side of Future<T>: eager start (like @gen.coroutine), the result or exception
/// kept in the Future, completion at final suspend, then the frame frees itself.
template <class T>
class CoroutinePromiseBase : public Recycled {
public:
    CoroutinePromiseBase() : state_(new State<T>()) {
        state_->add_ref();
        state_->add_promise();
    }
    CoroutinePromiseBase(const CoroutinePromiseBase&) = delete;
    CoroutinePromiseBase& operator=(const CoroutinePromiseBase&) = delete;
    // The frame is made and freed per call: its operator new and delete come from Recycled.
    ~CoroutinePromiseBase() {
        state_->release_promise();
        state_->release();
    }

    Future<T> get_return_object() { return Future<T>(state_); }
    std::suspend_never initial_suspend() noexcept { return {}; }

    struct FinalAwaiter {
        State<T>* state;
        // Completing here, after the coroutine's locals are gone, means callbacks see a finished
        // coroutine; not suspending lets the frame free itself.
        bool await_ready() noexcept {
            state->complete();
            return true;
        }
        void await_suspend(std::coroutine_handle<>) noexcept {}
        void await_resume() noexcept {}
    };
    FinalAwaiter final_suspend() noexcept { return FinalAwaiter{state_}; }
    void unhandled_exception() noexcept { state_->store_exception(std::current_exception()); }

protected:
    State<T>* state_;
};

template <class T>
class CoroutinePromise : public CoroutinePromiseBase<T> {
public:
    template <class U = T>
    void return_value(U&& value) {
        this->state_->store_value(std::forward<U>(value));
    }
};

template <>
class CoroutinePromise<void> : public CoroutinePromiseBase<void> {
public:
    void return_void() { this->state_->store_value(); }
};

}  // namespace detail
}  // namespace squall
