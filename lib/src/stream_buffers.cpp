// ReadBuffer and WriteQueue. Internal. See squall/detail/stream_buffers.h.
#include "squall/detail/stream_buffers.h"

#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace squall::detail {
namespace {

// Idle streams give their read chunk back (release()), and a busy connection does so between
// every two messages. Chunks of the default size wait here on each thread for the next stream
// to read, so that costs no trip through malloc: as many as were in use at once, up to a
// bound, since every stream receiving bulk data in one poll holds a chunk until its reader
// runs, and returning them to malloc would have the heap shrink and fault its pages back in on
// every iteration. A heap trim (after a crowd has gone) gives back all but a few. Small reads
// (requests, WebSocket messages) keep only what arrived, in memory sized for it, so that many
// readable streams do not leave the heap strewn with freed chunks whose pages stay resident.
constexpr std::size_t kCachedChunk = 64 * 1024;
constexpr std::size_t kCachedChunks = 128;
// A buffer with this much room is read into directly (TLS hands over one 16 KiB record at a
// time); with less, the read goes to the scratch chunk and is copied in.
constexpr std::size_t kDirectRoom = 4096;
// A scratch read this large into an empty buffer is bulk data: the buffer takes the scratch
// chunk itself instead of a copy.
constexpr std::size_t kAdoptedRead = 16 * 1024;
// The smallest buffer made for a small read: a request line and a few headers.
constexpr std::size_t kSmallestBuffer = 512;

struct ChunkCache {
    std::unique_ptr<char[]> chunks[kCachedChunks];
    std::size_t count = 0;
    std::unique_ptr<char[]> scratch;  // where reads into a buffer without room go first
};
thread_local ChunkCache chunk_cache;

std::unique_ptr<char[]> new_chunk(std::size_t capacity) {
    if (capacity == kCachedChunk && chunk_cache.count > 0) return std::move(chunk_cache.chunks[--chunk_cache.count]);
    return std::make_unique_for_overwrite<char[]>(capacity);  // not zeroed: it is read into
}

}  // namespace

void drop_cached_read_chunks(std::size_t keep) noexcept {
    while (chunk_cache.count > keep) chunk_cache.chunks[--chunk_cache.count].reset();
}

char* ReadBuffer::prepare(std::size_t n) {
    if (capacity_ - end_ >= n) return data_.get() + end_;
    std::size_t live = size();
    if (begin_ > 0 && capacity_ - live >= n && begin_ >= capacity_ / 2) {
        std::memmove(data_.get(), data_.get() + begin_, live);  // compact in place
    } else if (capacity_ - end_ < n) {
        std::size_t cap = std::max({capacity_ * 2, live + n, kSmallestBuffer});
        auto bigger = new_chunk(cap);
        if (live) std::memcpy(bigger.get(), data_.get() + begin_, live);
        data_ = std::move(bigger);
        capacity_ = cap;
    }
    begin_ = 0;
    end_ = live;
    return data_.get() + end_;
}

std::span<char> ReadBuffer::read_target(std::size_t n) {
    const std::size_t room = capacity_ - end_;
    if (room >= n || room >= kDirectRoom) return {data_.get() + end_, std::min(room, n)};
    if (n > kCachedChunk) return {prepare(n), n};  // an unusual chunk size: grow as asked
    if (!chunk_cache.scratch) chunk_cache.scratch = new_chunk(kCachedChunk);
    return {chunk_cache.scratch.get(), n};
}

void ReadBuffer::commit_read(std::span<char> target, std::size_t got) {
    if (!chunk_cache.scratch || target.data() != chunk_cache.scratch.get()) {
        end_ += got;  // read in place
        return;
    }
    if (empty() && got >= kAdoptedRead) {
        data_ = std::move(chunk_cache.scratch);
        capacity_ = kCachedChunk;
        begin_ = scanned_ = 0;
        end_ = got;
        return;
    }
    std::memcpy(prepare(got), target.data(), got);
    end_ += got;
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
    if (capacity_ == kCachedChunk && chunk_cache.count < kCachedChunks)
        chunk_cache.chunks[chunk_cache.count++] = std::move(data_);
    data_.reset();
    capacity_ = begin_ = end_ = scanned_ = 0;
}

void WriteQueue::append(std::string chunk) {
    if (chunk.empty()) return;
    size_ += chunk.size();
    memory_size_ += chunk.size();
    chunks_.push_back(Chunk{std::move(chunk)});
}

void WriteQueue::append_file(int fd, std::uint64_t offset, std::uint64_t length) {
    if (length == 0) {
        ::close(fd);
        return;
    }
    size_ += length;
    ++files_;
    chunks_.push_back(Chunk{{}, fd, offset, length});
}

int WriteQueue::gather(iovec* iov, int max) const noexcept {
    int n = 0;
    std::size_t skip = static_cast<std::size_t>(front_offset_);
    for (std::size_t i = head_; i < chunks_.size(); ++i) {
        const Chunk& c = chunks_[i];
        if (n == max || c.fd >= 0) break;
        iov[n].iov_base = const_cast<char*>(c.data.data() + skip);
        iov[n].iov_len = c.data.size() - skip;
        skip = 0;
        ++n;
    }
    return n;
}

std::optional<WriteQueue::FileRange> WriteQueue::front_file() const noexcept {
    if (head_ == chunks_.size() || chunks_[head_].fd < 0) return std::nullopt;
    const Chunk& c = chunks_[head_];
    return FileRange{c.fd, c.offset + front_offset_, c.length - front_offset_};
}

void WriteQueue::consume(std::uint64_t n) noexcept {
    size_ -= n;
    while (n > 0) {
        Chunk& front = chunks_[head_];
        std::uint64_t left = front.size() - front_offset_;
        if (n < left) {
            if (front.fd < 0) memory_size_ -= static_cast<std::size_t>(n);
            front_offset_ += n;
            return;
        }
        n -= left;
        if (front.fd >= 0) {
            ::close(front.fd);
            --files_;
        } else {
            memory_size_ -= static_cast<std::size_t>(left);
        }
        front = Chunk{};  // its memory goes now, not when the queue empties
        ++head_;
        front_offset_ = 0;
    }
    compact();
}

void WriteQueue::compact() noexcept {
    constexpr std::size_t kKeptCapacity = 8;  // chunks a busy connection reuses without malloc
    if (head_ == chunks_.size()) {
        chunks_.clear();
        head_ = 0;
        if (chunks_.capacity() > kKeptCapacity) std::vector<Chunk>().swap(chunks_);
    } else if (head_ >= kKeptCapacity && head_ * 2 >= chunks_.size()) {
        chunks_.erase(chunks_.begin(), chunks_.begin() + static_cast<std::ptrdiff_t>(head_));
        head_ = 0;
    }
}

void WriteQueue::clear() noexcept {
    for (std::size_t i = head_; i < chunks_.size(); ++i)
        if (chunks_[i].fd >= 0) ::close(chunks_[i].fd);
    std::vector<Chunk>().swap(chunks_);
    head_ = 0;
    front_offset_ = 0;
    size_ = 0;
    memory_size_ = 0;
    files_ = 0;
}

}  // namespace squall::detail
