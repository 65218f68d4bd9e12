// Coroutine queues on one IOLoop: Queue (first in, first out), PriorityQueue (smallest first)
// and LifoQueue (last in, first out), with maxsize, put/get that wait (with optional timeouts),
// put_nowait/get_nowait (QueueFull/QueueEmpty), task_done and join. Not thread-safe. Public
// header. Models tornado/queues.py (4.2+).
#pragma once

#include "squall/detail/require_cxx20.h"

#include <algorithm>
#include <cstddef>
#include <deque>
#include <functional>
#include <optional>
#include <stdexcept>
#include <vector>

#include "squall/locks.h"

namespace squall {

class QueueEmpty : public std::runtime_error {
public:
    QueueEmpty() : std::runtime_error("queue is empty") {}
};
class QueueFull : public std::runtime_error {
public:
    QueueFull() : std::runtime_error("queue is full") {}
};

namespace detail {

/// Orders of a queue's items: push and pop_next.
template <class T>
struct FifoOrder {
    std::deque<T> items;
    void push(T item) { items.push_back(std::move(item)); }
    T pop_next() {
        T item = std::move(items.front());
        items.pop_front();
        return item;
    }
};

template <class T>
struct LifoOrder {
    std::vector<T> items;
    void push(T item) { items.push_back(std::move(item)); }
    T pop_next() {
        T item = std::move(items.back());
        items.pop_back();
        return item;
    }
};

template <class T, class Compare>
struct PriorityOrder {
    std::vector<T> items;  // a heap whose top is the smallest by Compare
    void push(T item) {
        items.push_back(std::move(item));
        std::push_heap(items.begin(), items.end(), greater);
    }
    T pop_next() {
        std::pop_heap(items.begin(), items.end(), greater);
        T item = std::move(items.back());
        items.pop_back();
        return item;
    }
    static bool greater(const T& a, const T& b) { return Compare()(b, a); }
};

/// The queue, whatever its order.
template <class T, class Order>
class BasicQueue {
public:
    /// maxsize 0: unbounded. std::invalid_argument for a negative one.
    explicit BasicQueue(long maxsize = 0, IOLoop& loop = IOLoop::current())
        : maxsize_(maxsize), getters_(loop), putters_(loop), finished_(loop) {
        if (maxsize < 0) throw std::invalid_argument("maxsize cannot be negative");
        finished_.set();
    }

    std::size_t qsize() const noexcept { return order_.items.size(); }
    bool empty() const noexcept { return order_.items.empty(); }
    bool full() const noexcept { return maxsize_ > 0 && qsize() >= static_cast<std::size_t>(maxsize_); }
    long maxsize() const noexcept { return maxsize_; }

    /// Done once the item is in the queue (at once unless it is full); TimeoutError when
    /// `timeout` passes first, the item not added.
    Future<void> put(T item, std::optional<Duration> timeout = std::nullopt) {
        if (!full()) {
            put_nowait(std::move(item));
            return make_ready_future();
        }
        return putters_.add(timeout, std::optional<T>(std::move(item)));
    }
    /// Adds the item or throws QueueFull.
    void put_nowait(T item) {
        if (auto getter = getters_.take_next()) {  // a waiting getter means the queue is empty
            count_task();
            getter->promise.set_result(std::move(item));
            return;
        }
        if (full()) throw QueueFull();
        count_task();
        order_.push(std::move(item));
    }
    /// The next item once there is one; TimeoutError when `timeout` passes first.
    Future<T> get(std::optional<Duration> timeout = std::nullopt) {
        if (!empty()) return make_ready_future(get_nowait());
        return getters_.add(timeout);
    }
    /// The next item, or QueueEmpty.
    T get_nowait() {
        // As Tornado: a waiting putter's item goes in first (the queue is full, so briefly one
        // past maxsize), then the next item by the queue's order comes out.
        admit_putter();
        if (empty()) throw QueueEmpty();
        return order_.pop_next();
    }
    /// A consumer finished an item it got; join() is done when every item put was.
    /// std::logic_error when called more often than items were put.
    void task_done() {
        if (unfinished_ == 0) throw std::logic_error("task_done() called too many times");
        if (--unfinished_ == 0) finished_.set();
    }
    /// Done once every item put has been marked task_done(); TimeoutError after `timeout`.
    Future<void> join(std::optional<Duration> timeout = std::nullopt) { return finished_.wait(timeout); }

private:
    void count_task() {
        ++unfinished_;
        finished_.clear();
    }
    /// An item is about to leave: the longest-waiting putter's item goes in.
    void admit_putter() {
        if (auto putter = putters_.take_next()) {
            count_task();
            order_.push(std::move(*putter->extra));
            putter->promise.set_result();
        }
    }

    long maxsize_;
    Order order_;
    std::size_t unfinished_ = 0;
    Waiters<T> getters_;
    Waiters<void, std::optional<T>> putters_;
    Event finished_;
};

}  // namespace detail

template <class T>
using Queue = detail::BasicQueue<T, detail::FifoOrder<T>>;
/// get() returns the smallest item by Compare first (Tornado's PriorityQueue: heapq order).
template <class T, class Compare = std::less<T>>
using PriorityQueue = detail::BasicQueue<T, detail::PriorityOrder<T, Compare>>;
template <class T>
using LifoQueue = detail::BasicQueue<T, detail::LifoOrder<T>>;

}  // namespace squall
