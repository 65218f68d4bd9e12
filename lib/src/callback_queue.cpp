// Block management for the IOLoop's callback queue. Internal. See squall/detail/callback_queue.h.
#include "squall/detail/callback_queue.h"

namespace squall::detail {

CallbackBlockPool::~CallbackBlockPool() {
    while (spare_) delete std::exchange(spare_, spare_->next);
}

CallbackBlockPool::Block* CallbackBlockPool::take() {
    if (!spare_) return new Block();
    Block* b = std::exchange(spare_, spare_->next);
    b->next = nullptr;
    return b;
}

void CallbackBlockPool::give(Block* b) noexcept {
    b->count = 0;
    b->next = spare_;
    spare_ = b;
}

void CallbackQueue::add_block() {
    static_assert(sizeof(CallbackBlockPool::Block::items) / sizeof(Callback) == kBlockSize);
    CallbackBlockPool::Block* b = pool_->take();
    if (tail_)
        tail_->next = b;
    else
        head_ = b;
    tail_ = b;
}

CallbackBlockPool::Block* CallbackQueue::pop_head() noexcept {
    CallbackBlockPool::Block* b = head_;
    if (!b) return nullptr;
    head_ = b->next;
    if (!head_) tail_ = nullptr;
    size_ -= b->count;
    b->next = nullptr;
    return b;
}

void CallbackQueue::swap(CallbackQueue& other) noexcept {
    std::swap(head_, other.head_);
    std::swap(tail_, other.tail_);
    std::swap(size_, other.size_);
}

void CallbackQueue::clear() noexcept {
    while (!empty()) drain([](Callback&) {});
}

}  // namespace squall::detail
