// ReadBuffer and WriteQueue. Internal. See squall/detail/stream_buffers.h.
#include "squall/detail/stream_buffers.h"

#include <algorithm>
#include <cstring>

namespace squall::detail {

char* ReadBuffer::prepare(std::size_t n) {
    if (capacity_ - end_ >= n) return data_.get() + end_;
    std::size_t live = size();
    if (begin_ > 0 && capacity_ - live >= n && begin_ >= capacity_ / 2) {
        std::memmove(data_.get(), data_.get() + begin_, live);  // compact in place
    } else if (capacity_ - end_ < n) {
        std::size_t cap = std::max({capacity_ * 2, live + n, std::size_t{4096}});
        auto bigger = std::make_unique<char[]>(cap);
        if (live) std::memcpy(bigger.get(), data_.get() + begin_, live);
        data_ = std::move(bigger);
        capacity_ = cap;
    }
    begin_ = 0;
    end_ = live;
    return data_.get() + end_;
}

std::string ReadBuffer::take(std::size_t n) {
    n = std::min(n, size());
    std::string out(data_.get() + begin_, n);
    begin_ += n;
    scanned_ = 0;
    if (begin_ == end_) begin_ = end_ = 0;
    return out;
}

void ReadBuffer::discard(std::size_t n) noexcept {
    begin_ += std::min(n, size());
    scanned_ = 0;
    if (begin_ == end_) begin_ = end_ = 0;
}

void ReadBuffer::release() noexcept {
    data_.reset();
    capacity_ = begin_ = end_ = scanned_ = 0;
}

void WriteQueue::append(std::string chunk) {
    if (chunk.empty()) return;
    size_ += chunk.size();
    chunks_.push_back(std::move(chunk));
}

int WriteQueue::gather(iovec* iov, int max) const noexcept {
    int n = 0;
    std::size_t skip = front_offset_;
    for (const std::string& c : chunks_) {
        if (n == max) break;
        iov[n].iov_base = const_cast<char*>(c.data() + skip);
        iov[n].iov_len = c.size() - skip;
        skip = 0;
        ++n;
    }
    return n;
}

void WriteQueue::consume(std::size_t n) noexcept {
    size_ -= n;
    while (n > 0) {
        std::size_t left = chunks_.front().size() - front_offset_;
        if (n < left) {
            front_offset_ += n;
            return;
        }
        n -= left;
        chunks_.pop_front();
        front_offset_ = 0;
    }
}

void WriteQueue::clear() noexcept {
    chunks_.clear();
    front_offset_ = 0;
    size_ = 0;
}

}  // namespace squall::detail
