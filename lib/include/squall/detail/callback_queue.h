// The IOLoop's FIFO of callbacks: fixed-size blocks of MoveOnlyFunction recycled through a pool,
// so queueing never relocates earlier callbacks and a warm loop allocates nothing. Internal
// header (squall::detail). Plays the part of PollIOLoop._callbacks in tornado/ioloop.py (4.0).
#pragma once

#include <cstddef>
#include <utility>

#include "squall/function.h"

namespace squall::detail {

class CallbackQueue;

/// Spare blocks shared by a loop's queues. Not thread-safe: owned by the loop thread.
class CallbackBlockPool {
public:
    CallbackBlockPool() = default;
    CallbackBlockPool(const CallbackBlockPool&) = delete;
    CallbackBlockPool& operator=(const CallbackBlockPool&) = delete;
    ~CallbackBlockPool();

private:
    friend class CallbackQueue;
    struct Block;
    Block* take();
    void give(Block* b) noexcept;

    // Spare blocks are kept, like a vector keeps its capacity: a loop holds the memory of its
    // largest burst of callbacks, and later bursts neither allocate nor page-fault.
    Block* spare_ = nullptr;
};

struct CallbackBlockPool::Block {
    MoveOnlyFunction<void()> items[256];
    std::size_t count = 0;
    Block* next = nullptr;
};

class CallbackQueue {
public:
    using Callback = MoveOnlyFunction<void()>;

    explicit CallbackQueue(CallbackBlockPool& pool) noexcept : pool_(&pool) {}
    CallbackQueue(const CallbackQueue&) = delete;
    CallbackQueue& operator=(const CallbackQueue&) = delete;
    ~CallbackQueue() { clear(); }

    bool empty() const noexcept { return size_ == 0; }
    std::size_t size() const noexcept { return size_; }
    void push(Callback&& cb) {
        if (!tail_ || tail_->count == kBlockSize) add_block();
        tail_->items[tail_->count++] = std::move(cb);
        ++size_;
    }
    /// Exchange contents (not pools: both queues of a loop share one).
    void swap(CallbackQueue& other) noexcept;
    /// Call `fn(cb)` on each callback in order, then empty the queue. `fn` must not touch this
    /// queue (the loop runs one queue while new callbacks go to the other).
    template <class F>
    void drain(F&& fn);
    /// Destroy every callback (their destructors may queue more; those are destroyed too).
    void clear() noexcept;

private:
    static constexpr std::size_t kBlockSize = 256;
    void add_block();
    CallbackBlockPool::Block* pop_head() noexcept;

    CallbackBlockPool* pool_;
    CallbackBlockPool::Block* head_ = nullptr;
    CallbackBlockPool::Block* tail_ = nullptr;
    std::size_t size_ = 0;
};


template <class F>
void CallbackQueue::drain(F&& fn) {
    while (CallbackBlockPool::Block* b = pop_head()) {
        for (std::size_t i = 0; i < b->count; ++i) {
            fn(b->items[i]);
            b->items[i].reset();
        }
        pool_->give(b);
    }
}

}  // namespace squall::detail
