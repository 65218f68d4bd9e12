// The byte buffers behind BaseIOStream: a contiguous read buffer with a resumable delimiter
// search, and a write queue of owned chunks flushed with writev. Internal header
// (squall::detail). Plays the part of _read_buffer / _write_buffer in tornado/iostream.py (4.0).
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <string_view>

namespace squall::detail {

/// Bytes read but not yet consumed, in one contiguous block (compacted when the consumed front
/// passes half the block), so delimiter searches and regexes see plain memory.
class ReadBuffer {
public:
    std::size_t size() const noexcept { return end_ - begin_; }
    bool empty() const noexcept { return begin_ == end_; }
    std::string_view view() const noexcept { return {data_.get() + begin_, size()}; }

    /// Room for at least `n` more bytes at the end; returns where to write them.
    char* prepare(std::size_t n);
    void commit(std::size_t n) noexcept { end_ += n; }
    /// Remove and return the first `n` bytes.
    std::string take(std::size_t n);
    /// Remove the first `n` bytes.
    void discard(std::size_t n) noexcept;
    /// Drop everything and give the memory back (an idle stream holds no buffer).
    void release() noexcept;

    /// Where a search for `delimiter` should resume: bytes before it were already scanned.
    std::size_t scan_start(std::size_t delimiter_size) const noexcept {
        return scanned_ + 1 > delimiter_size ? scanned_ + 1 - delimiter_size : 0;
    }
    void set_scanned(std::size_t n) noexcept { scanned_ = n; }

private:
    std::unique_ptr<char[]> data_;
    std::size_t capacity_ = 0, begin_ = 0, end_ = 0;
    std::size_t scanned_ = 0;  // bytes from begin_ known not to complete a delimiter match
};

/// Data waiting to be written, as owned chunks; a moved-in std::string is never copied.
class WriteQueue {
public:
    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    void append(std::string chunk);
    /// Fill `iov` (up to `max`) with the pending bytes; returns how many entries were used.
    int gather(iovec* iov, int max) const noexcept;
    /// Drop `n` written bytes from the front.
    void consume(std::size_t n) noexcept;
    void clear() noexcept;

private:
    std::deque<std::string> chunks_;
    std::size_t front_offset_ = 0;  // bytes of chunks_.front() already written
    std::size_t size_ = 0;
};

}  // namespace squall::detail
