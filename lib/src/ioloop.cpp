// The IOLoop's iteration, handler table, timer heap, callback queues and waker. Internal.
// Models tornado/ioloop.py (4.0) PollIOLoop: lazy timer cancellation with heap rebuilds, the
// thread-safe callback list with a waker, and per-iteration ordering.
#include "squall/ioloop.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <system_error>

#include "squall/log.h"

namespace squall {

// ---- pieces ---------------------------------------------------------------------------------

struct IOLoop::HandlerEntry {
    Handler handler;
    Callback closer;  // null: close(2) the fd
    Events events = Events::none;
    std::uint32_t gen = 0;
    bool active = false;
};

struct IOLoop::TimerSlot {
    Callback cb;
    std::uint32_t gen = 0;
    bool armed = false;    // will run unless cancelled
    bool in_heap = false;  // false once due: then it waits in due_timers_
};

/// Wakes a blocked poll from another thread or a signal handler. An eventfd: one descriptor,
/// and write(2) on it is async-signal-safe.
struct IOLoop::Waker {
    int fd = -1;
    Waker() {
        fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (fd < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
    }
    ~Waker() { ::close(fd); }
    void wake() const noexcept {
        std::uint64_t one = 1;
        // EAGAIN means the counter is already non-zero: the loop will wake anyway.
        [[maybe_unused]] ssize_t n = ::write(fd, &one, sizeof one);
    }
    void consume() const noexcept {
        std::uint64_t value;
        [[maybe_unused]] ssize_t n = ::read(fd, &value, sizeof value);
    }
};

/// A fixed ring for add_callback_from_signal: slots claimed with a compare-and-swap, so a signal
/// handler neither locks nor allocates.
struct IOLoop::SignalQueue {
    static constexpr int kSlots = 64;
    enum : int { kFree, kWriting, kReady };
    struct Slot {
        std::atomic<int> state{kFree};
        Callback cb;
    };
    Slot slots[kSlots];
    std::atomic<bool> pending{false};
};

namespace {

constexpr int kBlockBits = 8;
constexpr int kBlockSize = 1 << kBlockBits;
constexpr int kMaxPollMs = 3600 * 1000;
constexpr std::size_t kRebuildThreshold = 512;

thread_local IOLoop* t_current = nullptr;
// While a loop is being closed, coroutines whose awaited work is being destroyed are freed
// rather than resumed into a half-closed loop.
thread_local int t_teardown = 0;

std::mutex g_instance_mutex;
IOLoop* g_instance = nullptr;
std::unique_ptr<IOLoop> g_owned_instance;

bool heap_after(const auto& a, const auto& b) {
    return a.deadline != b.deadline ? a.deadline > b.deadline : a.seq > b.seq;
}

bool is_epipe(const std::exception_ptr& e) {
    try {
        std::rethrow_exception(e);
    } catch (const std::system_error& se) {
        return se.code() == std::errc::broken_pipe;
    } catch (...) {
        return false;
    }
}

}  // namespace

void detail::schedule_resume(ResumeHandle h) {
    if (t_teardown > 0) return;  // h's destructor frees the coroutine frame
    if (IOLoop* loop = t_current) {
        loop->add_callback(std::move(h));
    } else {
        h();
    }
}

// ---- construction and current ---------------------------------------------------------------

IOLoop::IOLoop() : IOLoop(Options{}) {}

IOLoop::IOLoop(Options options) : IOLoop(make_poller(options.poller), options.time_func) {}

IOLoop::IOLoop(std::unique_ptr<Poller> poller, TimeFunc time_func)
    : poller_(std::move(poller)),
      time_func_(time_func),
      waker_(std::make_unique<Waker>()),
      signals_(std::make_unique<SignalQueue>()),
      thread_id_(std::this_thread::get_id()) {
    if (!poller_) throw std::invalid_argument("IOLoop needs a poller");
    if (auto ec = poller_->add(waker_->fd, Events::read))
        throw std::system_error(ec, "IOLoop: registering the waker");
}

IOLoop::~IOLoop() {
    if (!closed_) close(false);
    // Callbacks other threads added after close(); destroying one may add another.
    for (;;) {
        std::vector<Callback> late;
        {
            std::lock_guard lock(remote_mutex_);
            late.swap(remote_callbacks_);
        }
        if (late.empty()) break;
    }
    if (t_current == this) t_current = nullptr;
    std::lock_guard lock(g_instance_mutex);
    if (g_instance == this) g_instance = nullptr;
}

IOLoop& IOLoop::current() {
    if (t_current) return *t_current;
    return instance();
}
IOLoop* IOLoop::current_or_null() noexcept { return t_current; }
void IOLoop::make_current() noexcept { t_current = this; }
void IOLoop::clear_current() noexcept { t_current = nullptr; }

IOLoop& IOLoop::instance() {
    std::lock_guard lock(g_instance_mutex);
    if (!g_instance) {
        g_owned_instance = std::make_unique<IOLoop>();
        g_instance = g_owned_instance.get();
    }
    return *g_instance;
}

bool IOLoop::initialized() noexcept {
    std::lock_guard lock(g_instance_mutex);
    return g_instance != nullptr;
}

void IOLoop::install() {
    std::lock_guard lock(g_instance_mutex);
    if (g_instance) throw std::logic_error("IOLoop::install: an instance already exists");
    g_instance = this;
}

void IOLoop::clear_instance() {
    std::unique_ptr<IOLoop> owned;
    {
        std::lock_guard lock(g_instance_mutex);
        g_instance = nullptr;
        owned = std::move(g_owned_instance);
    }
}

// ---- handlers -------------------------------------------------------------------------------

IOLoop::HandlerEntry* IOLoop::entry(int fd) const noexcept {
    if (fd < 0) return nullptr;
    auto block = static_cast<std::size_t>(fd) >> kBlockBits;
    if (block >= handler_blocks_.size() || !handler_blocks_[block]) return nullptr;
    return &handler_blocks_[block][static_cast<std::size_t>(fd) & (kBlockSize - 1)];
}

IOLoop::HandlerEntry& IOLoop::entry_for_add(int fd) {
    auto block = static_cast<std::size_t>(fd) >> kBlockBits;
    if (block >= handler_blocks_.size()) handler_blocks_.resize(block + 1);
    if (!handler_blocks_[block]) handler_blocks_[block] = std::make_unique<HandlerEntry[]>(kBlockSize);
    return handler_blocks_[block][static_cast<std::size_t>(fd) & (kBlockSize - 1)];
}

void IOLoop::add_handler(int fd, Handler handler, Events events) {
    add_handler_impl(fd, std::move(handler), events, nullptr);
}

void IOLoop::add_handler_impl(int fd, Handler handler, Events events, Callback closer) {
    if (closed_ || closing_) throw std::logic_error("IOLoop::add_handler: the loop is closed");
    if (fd < 0) throw std::invalid_argument("IOLoop::add_handler: negative fd");
    if (!handler) throw std::invalid_argument("IOLoop::add_handler: empty handler");
    HandlerEntry& e = entry_for_add(fd);
    if (e.active)
        throw std::logic_error("IOLoop::add_handler: fd " + std::to_string(fd) +
                               " already has a handler");
    events |= Events::error;
    if (auto ec = poller_->add(fd, events))
        throw std::system_error(ec, "IOLoop::add_handler(fd " + std::to_string(fd) + ")");
    e.handler = std::move(handler);
    e.closer = std::move(closer);
    e.events = events;
    e.active = true;
    ++e.gen;
    ++handler_count_;
}

void IOLoop::update_handler(int fd, Events events) {
    HandlerEntry* e = entry(fd);
    if (!e || !e->active)
        throw std::logic_error("IOLoop::update_handler: fd " + std::to_string(fd) +
                               " has no handler");
    events |= Events::error;
    if (events == e->events) return;  // no syscall when the interest set does not change
    if (auto ec = poller_->modify(fd, events))
        throw std::system_error(ec, "IOLoop::update_handler(fd " + std::to_string(fd) + ")");
    e->events = events;
}

void IOLoop::remove_handler(int fd) noexcept {
    HandlerEntry* e = entry(fd);
    if (!e || !e->active) {
        gen_log().logf(LogLevel::debug, "remove_handler: fd %d has no handler", fd);
        return;
    }
    e->active = false;
    ++e->gen;
    --handler_count_;
    e->closer = nullptr;
    Handler dropped = std::move(e->handler);
    if (poller_) {
        // The fd may already be closed (EBADF) or gone from the kernel set; that is expected.
        if (auto ec = poller_->remove(fd))
            gen_log().logf(LogLevel::debug, "remove_handler(fd %d): %s", fd, ec.message().c_str());
    }
}

bool IOLoop::has_handler(int fd) const noexcept {
    const HandlerEntry* e = entry(fd);
    return e && e->active;
}

// ---- timers ---------------------------------------------------------------------------------

TimeoutHandle IOLoop::schedule(TimePoint when, Callback cb) {
    std::uint32_t slot;
    if (!free_slots_.empty()) {
        slot = free_slots_.back();
        free_slots_.pop_back();
    } else {
        slot = static_cast<std::uint32_t>(timer_slots_.size());
        timer_slots_.emplace_back();
    }
    TimerSlot& s = timer_slots_[slot];
    if (++s.gen == 0) s.gen = 1;  // 0 marks an empty handle
    s.cb = std::move(cb);
    s.armed = true;
    s.in_heap = true;
    heap_.push_back(HeapEntry{when, timer_seq_++, slot});
    std::push_heap(heap_.begin(), heap_.end(), heap_after<HeapEntry, HeapEntry>);
    ++live_timers_;
    return TimeoutHandle(slot, s.gen);
}

void IOLoop::remove_timeout(TimeoutHandle handle) noexcept {
    if (!handle || handle.slot_ >= timer_slots_.size()) return;
    TimerSlot& s = timer_slots_[handle.slot_];
    if (s.gen != handle.gen_ || !s.armed) return;
    s.armed = false;
    --live_timers_;
    if (s.in_heap) ++cancellations_;
    Callback dropped = std::move(s.cb);  // destroyed after the slot is consistent
}

void IOLoop::collect_due_timers(TimePoint now) {
    // Rebuild before popping: popping a mass of cancelled entries one by one costs O(n log n).
    if (cancellations_ > kRebuildThreshold && cancellations_ > heap_.size() / 2) rebuild_heap();
    while (!heap_.empty()) {
        const HeapEntry& top = heap_.front();
        TimerSlot& s = timer_slots_[top.slot];
        if (s.armed && top.deadline > now) break;
        std::uint32_t slot = top.slot;
        std::pop_heap(heap_.begin(), heap_.end(), heap_after<HeapEntry, HeapEntry>);
        heap_.pop_back();
        s.in_heap = false;
        if (s.armed) {
            // Still cancellable until it runs: a timer due in this iteration may cancel another.
            due_timers_.push_back(slot);
        } else {
            --cancellations_;
            free_slots_.push_back(slot);
        }
    }
}

void IOLoop::run_due_timers() {
    for (std::size_t i = 0; i < due_timers_.size(); ++i) {
        std::uint32_t slot = due_timers_[i];
        TimerSlot& s = timer_slots_[slot];
        if (!s.armed) {
            free_slots_.push_back(slot);
            continue;
        }
        Callback cb = std::move(s.cb);
        s.armed = false;
        --live_timers_;
        free_slots_.push_back(slot);
        run_callback(cb);
    }
    due_timers_.clear();
}

void IOLoop::rebuild_heap() {
    auto keep = std::remove_if(heap_.begin(), heap_.end(), [this](const HeapEntry& h) {
        if (timer_slots_[h.slot].armed) return false;
        free_slots_.push_back(h.slot);
        return true;
    });
    heap_.erase(keep, heap_.end());
    std::make_heap(heap_.begin(), heap_.end(), heap_after<HeapEntry, HeapEntry>);
    cancellations_ = 0;
}

int IOLoop::poll_timeout_ms() {
    while (!heap_.empty() && !timer_slots_[heap_.front().slot].armed) {
        free_slots_.push_back(heap_.front().slot);
        std::pop_heap(heap_.begin(), heap_.end(), heap_after<HeapEntry, HeapEntry>);
        heap_.pop_back();
        --cancellations_;
    }
    if (heap_.empty()) return kMaxPollMs;
    auto left = heap_.front().deadline - time();
    if (left <= Duration::zero()) return 0;
    // Round up: waking a fraction of a millisecond early would spin until the deadline.
    auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
    return static_cast<int>(std::min<decltype(ms)>(ms, kMaxPollMs));
}

// ---- callbacks ------------------------------------------------------------------------------

void IOLoop::enqueue(Callback cb) {
    if (on_loop_thread()) {
        if (closing_ || closed_) return;
        callbacks_.push(std::move(cb));
        return;
    }
    bool was_empty;
    {
        std::lock_guard lock(remote_mutex_);
        if (remote_closed_) {
            // Never run, and not destroyed on this thread either: its captures (a Promise, say)
            // belong to the loop's thread, which destroys them with the loop.
            remote_callbacks_.push_back(std::move(cb));
            return;
        }
        was_empty = remote_callbacks_.empty();
        remote_callbacks_.push_back(std::move(cb));
        remote_pending_.store(true, std::memory_order_release);
    }
    if (was_empty) waker_->wake();
}

bool IOLoop::enqueue_from_signal(Callback cb) noexcept {
    for (auto& slot : signals_->slots) {
        int expected = SignalQueue::kFree;
        if (slot.state.compare_exchange_strong(expected, SignalQueue::kWriting,
                                               std::memory_order_acquire)) {
            slot.cb = std::move(cb);
            slot.state.store(SignalQueue::kReady, std::memory_order_release);
            signals_->pending.store(true, std::memory_order_release);
            waker_->wake();
            return true;
        }
    }
    return false;
}

void IOLoop::drain_signal_queue() {
    signals_->pending.store(false, std::memory_order_relaxed);
    for (auto& slot : signals_->slots) {
        if (slot.state.load(std::memory_order_acquire) == SignalQueue::kReady) {
            running_batch_.push(std::move(slot.cb));
            slot.state.store(SignalQueue::kFree, std::memory_order_release);
        }
    }
}

void IOLoop::run_callback(Callback& cb) noexcept {
    try {
        cb();
    } catch (...) {
        handle_callback_exception(std::current_exception());
    }
}

void IOLoop::handle_callback_exception(std::exception_ptr e) {
    app_log().logf(LogLevel::error, "Exception in callback: %s",
                   detail::describe_exception(e).c_str());
}

// ---- running --------------------------------------------------------------------------------

void IOLoop::stop() noexcept {
    stopped_.store(true, std::memory_order_release);
    if (!on_loop_thread() && waker_) waker_->wake();
}

void IOLoop::dispatch_ready() {
    ready_gen_.resize(ready_.size());
    for (std::size_t i = 0; i < ready_.size(); ++i) {
        HandlerEntry* e = entry(ready_[i].fd);
        ready_gen_[i] = e ? e->gen : 0;
    }
    for (std::size_t i = 0; i < ready_.size(); ++i) {
        const ReadyEvent ev = ready_[i];
        if (ev.fd == waker_->fd) {
            waker_->consume();
            continue;
        }
        HandlerEntry* e = entry(ev.fd);
        const std::uint32_t gen = ready_gen_[i];
        if (!e || !e->active || e->gen != gen) continue;  // removed or replaced this iteration
        // Moved out while it runs: the handler may remove or re-add its own fd.
        Handler h = std::move(e->handler);
        try {
            h(ev.fd, ev.events);
        } catch (...) {
            auto ex = std::current_exception();
            if (!is_epipe(ex)) handle_callback_exception(ex);
        }
        if (e->active && e->gen == gen && !e->handler) e->handler = std::move(h);
    }
}

void IOLoop::start() {
    if (closed_ || closing_) throw std::logic_error("IOLoop::start: the loop is closed");
    if (running_) throw std::logic_error("IOLoop is already running");
    if (stopped_.exchange(false)) return;  // stop() came before start()
    IOLoop* old_current = t_current;
    t_current = this;
    thread_id_.store(std::this_thread::get_id(), std::memory_order_relaxed);
    running_ = true;
    iteration_time_ = time();
    struct Restore {
        IOLoop* self;
        IOLoop* old;
        ~Restore() {
            self->running_ = false;
            self->stopped_.store(false);
            t_current = old;
        }
    } restore{this, old_current};

    while (true) {
        running_batch_.swap(callbacks_);
        if (remote_pending_.load(std::memory_order_acquire)) {
            std::lock_guard lock(remote_mutex_);
            for (auto& cb : remote_callbacks_) running_batch_.push(std::move(cb));
            remote_callbacks_.clear();
            remote_pending_.store(false, std::memory_order_relaxed);
        }
        if (signals_->pending.load(std::memory_order_acquire)) drain_signal_queue();
        if (!heap_.empty()) collect_due_timers(time());

        const bool watch = blocking_threshold_ > Duration::zero();
        TimePoint work_started = watch ? Clock::now() : TimePoint{};
        running_batch_.drain([this](Callback& cb) { run_callback(cb); });
        if (!due_timers_.empty()) run_due_timers();
        if (watch) check_blocking(work_started);

        bool more = !callbacks_.empty() || remote_pending_.load(std::memory_order_acquire) ||
                    signals_->pending.load(std::memory_order_acquire);
        int timeout = more ? 0 : poll_timeout_ms();
        if (stopped_.load(std::memory_order_acquire)) break;

        if (auto ec = poller_->poll(timeout, ready_)) {
            gen_log().logf(LogLevel::error, "IOLoop: %s poll failed: %s",
                           std::string(poller_->name()).c_str(), ec.message().c_str());
            throw std::system_error(ec, "IOLoop poll");
        }
        iteration_time_ = time();
        if (blocking_threshold_ > Duration::zero()) {
            TimePoint dispatch_started = Clock::now();
            dispatch_ready();
            check_blocking(dispatch_started);
        } else {
            dispatch_ready();
        }
    }
}

void IOLoop::set_blocking_log_threshold(Duration threshold) {
    blocking_threshold_ = threshold;
    blocking_action_ = nullptr;
}

void IOLoop::set_blocking_signal_threshold(Duration threshold,
                                           MoveOnlyFunction<void(Duration)> action) {
    blocking_threshold_ = threshold;
    blocking_action_ = std::move(action);
}

void IOLoop::check_blocking(TimePoint started) {
    Duration elapsed = Clock::now() - started;
    if (elapsed <= blocking_threshold_) return;
    if (blocking_action_) {
        try {
            blocking_action_(elapsed);
        } catch (...) {
            handle_callback_exception(std::current_exception());
        }
        return;
    }
    gen_log().logf(LogLevel::warning, "IOLoop blocked for %.3f seconds",
                   std::chrono::duration<double>(elapsed).count());
}

void IOLoop::close(bool all_fds) {
    if (closed_) return;
    if (running_) throw std::logic_error("IOLoop::close: stop() the loop before closing it");
    closing_ = true;
    ++t_teardown;
    std::vector<Callback> remote;
    {
        std::lock_guard lock(remote_mutex_);
        remote_closed_ = true;
        remote.swap(remote_callbacks_);
    }
    // Destroying a callback can destroy objects that call back into the loop (remove_handler,
    // add_callback); every such call sees a consistent, closing loop.
    std::vector<Handler> handlers;
    for (auto& block : handler_blocks_) {
        if (!block) continue;
        for (int i = 0; i < kBlockSize; ++i) {
            HandlerEntry& e = block[i];
            if (!e.active) continue;
            int fd = static_cast<int>(&block[i] - &block[0]) +
                     static_cast<int>((&block - &handler_blocks_[0])) * kBlockSize;
            Callback closer = std::move(e.closer);
            e.active = false;
            ++e.gen;
            --handler_count_;
            poller_->remove(fd);
            handlers.push_back(std::move(e.handler));
            if (all_fds) {
                if (closer)
                    run_callback(closer);
                else
                    ::close(fd);
            }
        }
    }
    handlers.clear();
    remote.clear();
    while (!callbacks_.empty() || !heap_.empty()) {
        callbacks_.clear();
        std::vector<HeapEntry> heap;
        heap.swap(heap_);
        for (auto& h : heap) due_timers_.push_back(h.slot);
        for (auto slot : std::exchange(due_timers_, {})) {
            TimerSlot& s = timer_slots_[slot];
            if (s.armed) {
                s.armed = false;
                --live_timers_;
                Callback dropped = std::move(s.cb);
            }
        }
    }
    for (auto& slot : signals_->slots) slot.cb = nullptr;
    timer_slots_.clear();
    free_slots_.clear();
    cancellations_ = 0;
    --t_teardown;
    poller_.reset();
    closed_ = true;
    closing_ = false;
    if (t_current == this) t_current = nullptr;
}

// ---- PeriodicCallback -----------------------------------------------------------------------

PeriodicCallback::PeriodicCallback(Callback callback, Duration period, IOLoop& loop, int)
    : callback_(std::move(callback)), period_(period), loop_(loop) {
    if (period <= Duration::zero())
        throw std::invalid_argument("PeriodicCallback: the period must be positive");
    if (!callback_) throw std::invalid_argument("PeriodicCallback: empty callback");
}

void PeriodicCallback::start() {
    if (running_) return;
    running_ = true;
    next_timeout_ = loop_.time();
    schedule_next();
}

void PeriodicCallback::stop() noexcept {
    running_ = false;
    if (timeout_) {
        loop_.remove_timeout(timeout_);
        timeout_ = {};
    }
}

void PeriodicCallback::run() {
    timeout_ = {};
    if (!running_) return;
    try {
        callback_();
    } catch (...) {
        loop_.handle_callback_exception(std::current_exception());
    }
    schedule_next();
}

void PeriodicCallback::schedule_next() {
    if (!running_) return;
    TimePoint now = loop_.time();
    if (next_timeout_ <= now) {
        // Skip every run that was missed instead of firing them back to back.
        auto missed = (now - next_timeout_) / period_;
        next_timeout_ += (missed + 1) * period_;
    }
    timeout_ = loop_.call_at(next_timeout_, [this] { run(); });
}

}  // namespace squall
