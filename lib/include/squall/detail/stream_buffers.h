// The byte buffers behind BaseIOStream: a contiguous read buffer with a resumable delimiter
// search, and a write queue of owned chunks (and file ranges) flushed with writev / sendfile. Internal header
// (squall::detail). Plays the part of _read_buffer / _write_buffer in tornado/iostream.py (4.0).
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace squall::detail {

/// Frees the read chunks this thread keeps for the next streams, but `keep` of them.
void drop_cached_read_chunks(std::size_t keep) noexcept;

/// Bytes read but not yet consumed, in one contiguous block (compacted when the consumed front
/// passes half the block), so delimiter searches and regexes see plain memory.
class ReadBuffer {
public:
    std::size_t size() const noexcept { return end_ - begin_; }
    bool empty() const noexcept { return begin_ == end_; }
    std::string_view view() const noexcept { return {data_.get() + begin_, size()}; }

    /// Where a read of up to `n` bytes from the transport goes: the buffer's own free space
    /// when it holds `n` bytes or at least 4 KiB (then the read may be shorter than `n`), else
    /// this thread's scratch chunk (for `n` past its 64 KiB, the buffer grows instead). What a
    /// read brings is then kept in memory sized for it (commit_read), so a stream holds a full
    /// read chunk only while bulk data flows, not because it was readable once. Nothing may
    /// read another stream between read_target and commit_read: they share the scratch.
    std::span<char> read_target(std::size_t n);
    /// `got` bytes were read into `target` (from read_target).
    void commit_read(std::span<char> target, std::size_t got);
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
    /// Room for at least `n` more bytes at the end; returns where to write them.
    char* prepare(std::size_t n);

    std::unique_ptr<char[]> data_;
    std::size_t capacity_ = 0, begin_ = 0, end_ = 0;
    std::size_t scanned_ = 0;  // bytes from begin_ known not to complete a delimiter match
};

/// Data waiting to be written, as owned chunks; a moved-in std::string is never copied. A
/// chunk may also be a range of a file (its descriptor owned by the queue), sent with
/// sendfile(2) where the stream can, so file bytes never pass through user memory.
class WriteQueue {
public:
    WriteQueue() = default;
    ~WriteQueue() { clear(); }
    WriteQueue(const WriteQueue&) = delete;
    WriteQueue& operator=(const WriteQueue&) = delete;

    /// All pending bytes, file ranges included.
    std::uint64_t size() const noexcept { return size_; }
    /// Pending bytes held in memory.
    std::size_t memory_size() const noexcept { return memory_size_; }
    bool empty() const noexcept { return size_ == 0; }
    void append(std::string chunk);
    /// Takes ownership of `fd` (closed once sent or on clear()).
    void append_file(int fd, std::uint64_t offset, std::uint64_t length);
    /// Fill `iov` (up to `max`) with the pending in-memory bytes before the first file range;
    /// returns how many entries were used (0 when a file range is first).
    int gather(iovec* iov, int max) const noexcept;
    /// The file range at the front, if the front is one: what is left of it.
    struct FileRange {
        int fd;
        std::uint64_t offset, length;
    };
    std::optional<FileRange> front_file() const noexcept;
    bool has_file() const noexcept { return files_ > 0; }
    /// Drop `n` written bytes from the front.
    void consume(std::uint64_t n) noexcept;
    void clear() noexcept;

private:
    struct Chunk {
        std::string data;
        int fd = -1;  // a file range when >= 0
        std::uint64_t offset = 0, length = 0;
        std::uint64_t size() const noexcept { return fd >= 0 ? length : data.size(); }
    };
    /// Drops the written chunks before head_ once they are many.
    void compact() noexcept;

    // A vector read from head_ rather than a deque: an empty deque already holds a 512-byte
    // node, and every idle connection has a queue.
    std::vector<Chunk> chunks_;
    std::size_t head_ = 0;            // chunks_[head_] is the front
    std::uint64_t front_offset_ = 0;  // bytes of the front chunk already written
    std::uint64_t size_ = 0;
    std::size_t memory_size_ = 0;
    std::size_t files_ = 0;
};

}  // namespace squall::detail
