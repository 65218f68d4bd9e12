// Non-blocking buffered streams over sockets and pipes, with every read of Tornado 4.0 in a
// Future form and a callback form. Public header. Models tornado/iostream.py (4.0):
// BaseIOStream, IOStream, PipeIOStream; SSLIOStream is in squall/ssliostream.h.
#pragma once

#include "squall/detail/require_cxx20.h"

#include <sys/socket.h>
#include <sys/types.h>

#include <cstddef>
#include <exception>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "squall/concurrent.h"
#include "squall/detail/lifetime.h"
#include "squall/detail/stream_buffers.h"
#include "squall/function.h"
#include "squall/ioloop.h"

namespace squall {

class SSLContext;
class SSLIOStream;

/// The stream is closed. `real_error()` holds what closed it, when something did (a reset
/// connection, a full buffer, an unsatisfiable read); null for an orderly close.
class StreamClosedError : public std::runtime_error {
public:
    explicit StreamClosedError(std::exception_ptr real_error = {});
    const std::exception_ptr& real_error() const noexcept { return real_error_; }

private:
    std::exception_ptr real_error_;
};

/// A read_until / read_until_regex could not be satisfied within its max_bytes.
class UnsatisfiableReadError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A buffer limit (max_buffer_size, max_write_buffer_size) would be exceeded.
class StreamBufferFullError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Wraps the chunk handler of a streaming read (Tornado's streaming_callback):
/// `stream.read_bytes(n, Streaming([&](std::string_view chunk) { ... }))`.
struct Streaming {
    template <class F>
    explicit Streaming(F&& f) : callback(std::forward<F>(f)) {}
    MoveOnlyFunction<void(std::string_view)> callback;
};

/// Limits with Tornado's defaults.
struct StreamOptions {
    std::size_t max_buffer_size = 100 * 1024 * 1024;  // bytes read but not consumed
    std::size_t read_chunk_size = 64 * 1024;          // bytes asked of one read(2)
    std::size_t max_write_buffer_size = 0;            // 0: unlimited
    /// How long queued output may wait without any byte of it being taken by the peer before
    /// the stream closes (ETIMEDOUT), as nginx's send_timeout. None: forever, as in Tornado.
    std::optional<Duration> write_timeout;
};

/// The transport-independent stream. Subclasses provide the five transport operations; the rest
/// (buffering, the read and write state machines, close handling) lives here. Not thread-safe:
/// a stream belongs to its IOLoop's thread.
class BaseIOStream {
public:
    using ReadCallback = MoveOnlyFunction<void(std::string)>;
    using Callback = MoveOnlyFunction<void()>;

    explicit BaseIOStream(IOLoop& loop, StreamOptions options = {});
    BaseIOStream(const BaseIOStream&) = delete;
    BaseIOStream& operator=(const BaseIOStream&) = delete;
    virtual ~BaseIOStream();

    // ---- reads: one at a time (a second throws std::logic_error "Already reading") ----------
    /// Everything up to and including `delimiter`. With max_bytes, fails with
    /// UnsatisfiableReadError (and closes) when the delimiter does not end within max_bytes.
    Future<std::string> read_until(std::string delimiter, std::size_t max_bytes = 0);
    /// Everything up to the end of the first match of `pattern` (same max_bytes rule). The
    /// pattern is RE2 syntax over bytes (linear time, std::invalid_argument when bad); when its
    /// matches have a bounded length, bytes already searched are not searched again.
    Future<std::string> read_until_regex(std::string pattern, std::size_t max_bytes = 0);
    /// Exactly `n` bytes; with `partial`, as soon as at least one byte is there (at most n).
    Future<std::string> read_bytes(std::size_t n, bool partial = false);
    /// `n` bytes handed to `streaming` in chunks as they arrive; the result is empty.
    Future<std::string> read_bytes(std::size_t n, Streaming streaming);
    /// Everything until the peer closes (what is buffered, if already closed).
    Future<std::string> read_until_close();
    Future<std::string> read_until_close(Streaming streaming);

    /// Callback forms: the callback runs on a later loop iteration, as in Tornado. An exception
    /// escaping it is logged ("Uncaught exception, closing connection") and closes the stream
    /// with that exception as error().
    void read_until(std::string delimiter, ReadCallback callback, std::size_t max_bytes = 0);
    void read_bytes(std::size_t n, ReadCallback callback, bool partial = false);
    void read_until_close(ReadCallback callback);

    // ---- zero-copy reading, for protocol parsers (the HTTP/1 connection) ----------------
    /// The bytes read from the transport and not yet consumed. Valid until the next read or
    /// consume().
    std::string_view buffered() const noexcept { return read_buffer_.view(); }
    /// Drop the first `n` buffered bytes.
    void consume(std::size_t n) noexcept { read_buffer_.discard(n); }
    /// Done, with an empty result, once at least `n` bytes are buffered (reading as needed, so
    /// max_buffer_size applies); fails with StreamClosedError when the stream closes first. A
    /// read like the others: one at a time.
    Future<std::string> fill_buffer(std::size_t n);

    // ---- writes --------------------------------------------------------------------------
    /// Queue `data` and start sending; the Future is done when this data has been written.
    /// Throws StreamClosedError if the stream is closed and StreamBufferFullError past
    /// max_write_buffer_size. A moved-in string is never copied.
    Future<void> write(std::string data);
    Future<void> write(std::string_view data) { return write(std::string(data)); }
    Future<void> write(const char* data) { return write(std::string(data)); }
    /// `prefix` then `data` as one write (a frame's header before a payload the caller gives
    /// up), neither copied.
    Future<void> write_prefixed(std::string prefix, std::string data);
    void write(std::string data, Callback callback);
    /// Queue `length` bytes of the file `fd` from `offset` (the stream keeps its own duplicate
    /// of `fd`): sent with sendfile(2) on plain sockets, read piece by piece otherwise (TLS,
    /// pipes), never read whole into memory. Done when written; a file shorter than promised
    /// closes the stream with an error. Does not count against max_write_buffer_size.
    /// `prefix` (headers, a chunk-size line) is queued ahead of the file and leaves in the
    /// file's first segment instead of a small packet of its own.
    Future<void> write_file(int fd, std::uint64_t offset, std::uint64_t length, std::string prefix = {});

    // ---- state ---------------------------------------------------------------------------
    /// Called once, on a later iteration, after the stream closes (the owner may delete the
    /// stream in it). Reads still satisfiable from the buffer complete first.
    void set_close_callback(Callback callback);
    /// Close now. `error` becomes error() and the real_error of pending operations.
    void close(std::exception_ptr error = {});
    bool reading() const noexcept { return read_.kind != ReadKind::none; }
    bool writing() const noexcept { return !write_buffer_.empty(); }
    bool closed() const noexcept { return closed_; }
    /// What closed the stream, if anything did.
    std::exception_ptr error() const noexcept { return error_; }
    /// TCP_NODELAY; a no-op for transports without it.
    virtual void set_nodelay(bool) {}
    IOLoop& io_loop() const noexcept { return loop_; }
    const StreamOptions& options() const noexcept { return options_; }

    /// The descriptor, or -1 once closed.
    virtual int fileno() const noexcept = 0;

protected:
    /// Release the descriptor.
    virtual void close_fd() noexcept = 0;
    /// Read into `buf`: bytes read, 0 at end of stream, -1 when it would block. Throws
    /// std::system_error on a real error.
    virtual ssize_t read_from_fd(std::span<char> buf) = 0;
    /// Write a gathered batch: bytes written, -1 when it would block. Throws std::system_error.
    virtual ssize_t write_to_fd(std::span<const iovec> iov) = 0;
    /// Write up to `length` bytes of file `fd` from `offset`, like write_to_fd. The default
    /// reads a piece into memory and hands it to write_to_fd; sockets use sendfile(2).
    virtual ssize_t write_file_to_fd(int fd, std::uint64_t offset, std::uint64_t length);
    /// Hold back partial segments while a file is queued (TCP_CORK on TCP sockets), so headers
    /// and file data leave in full segments; false releases them.
    virtual void set_corked(bool) noexcept {}
    /// A pending error on the descriptor (SO_ERROR for sockets).
    virtual std::error_code get_fd_error() noexcept { return {}; }

    /// Re-evaluate what the loop watches (after changing the state below).
    void refresh_io_state();
    /// While `setting_up_` (connecting, or a TLS handshake) user reads and writes wait: the
    /// loop watches `setup_events_` and hands what fires to handle_setup. When the subclass
    /// clears `setting_up_` there, queued writes are flushed and a pending read is served.
    bool setting_up_ = false;
    Events setup_events_ = Events::none;
    virtual void handle_setup(Events) {}
    /// Set by a transport whose read needs the fd writable (or whose write needs it readable),
    /// as TLS may; the loop watches these too and retries both directions when one fires.
    Events retry_events_ = Events::none;
    /// The transport holds input it has not handed over yet (decrypted TLS bytes, an EOF).
    virtual bool input_pending() const noexcept { return false; }
    /// Looks, without reading, whether the peer has closed (sockets peek for an EOF).
    virtual bool peer_closed() noexcept { return false; }
    /// Run once when the stream closes, after the fd is released (fail a pending connect...).
    virtual void on_close() {}
    /// Subclass destructors call this first: releases the fd and fails pending reads and writes
    /// with StreamClosedError (their callbacks must not use the stream); no close callback.
    void destroy() noexcept;
    /// Close with `error` (for subclasses, whose close reasons are their own).
    void finish_close(std::exception_ptr error) { close(std::move(error)); }
    /// Bytes read from the transport and not yet consumed by a read.
    std::size_t buffered_input() const noexcept { return read_buffer_.size(); }
    /// Hand the close callback to a successor stream (start_tls).
    Callback take_close_callback() noexcept { return std::move(close_callback_); }

private:
    enum class ReadKind { none, until, regex, bytes, until_close, fill };
    struct CompiledRegex;
    struct PendingRead {
        ReadKind kind = ReadKind::none;
        bool partial = false;
        std::size_t bytes = 0;
        // What only delimiter, regex and streaming reads need, behind a pointer: the library's
        // own reads (fill_buffer, read_bytes) and every idle stream carry none of it.
        struct Extra {
            std::string delimiter;
            std::shared_ptr<const CompiledRegex> regex;  // behind a pointer: keeps RE2 out of this header
            std::size_t max_bytes = 0;
            MoveOnlyFunction<void(std::string_view)> streaming;
        };
        std::unique_ptr<Extra> extra;
        // Made by start_read only: an idle stream holds no Promise (whose unset destruction
        // would build a BrokenPromise per read).
        std::optional<Promise<std::string>> promise;

        Extra& more() {
            if (!extra) extra = std::make_unique<Extra>();
            return *extra;
        }
        std::size_t max_bytes() const noexcept { return extra ? extra->max_bytes : 0; }
        bool streaming() const noexcept { return extra && extra->streaming; }
    };
    struct PendingWrite {
        std::size_t end;  // total_written_ value at which this write is complete
        Promise<void> promise;
    };
    struct WeakRef;
    struct LoopHandler;
    void on_loop_dropped_handler();

    Future<std::string> start_read(PendingRead read);
    template <class F>
    void as_callback(Future<std::string> f, F callback);
    void try_inline_read();
    /// Buffered bytes that complete the pending read, or nullopt when it is not yet satisfiable.
    /// Throws UnsatisfiableReadError.
    std::optional<std::size_t> find_read_pos();
    [[noreturn]] void throw_unsatisfiable();
    /// Completes (or fails, if unsatisfiable) the pending read from the buffer if it can.
    bool try_complete_from_buffer();
    /// Bytes read; 0 when it would block; -1 when the stream closed (EOF or error).
    int read_to_buffer();
    void complete_read(std::size_t n);
    void fail_read();
    void fail_writes(const std::exception_ptr& error);
    /// Queues `data` (throws when closed or past max_write_buffer_size with `extra` more).
    void queue_write(std::string data, std::size_t extra = 0);
    void handle_events(Events events);
    void handle_write();
    /// write_timeout: restarts the clock when output moved, and arms the check while some waits.
    void watch_write_progress(bool moved);
    void arm_write_timer();
    void check_write_progress();
    /// A waiter for everything queued so far, then a write attempt.
    Future<void> start_write();
    void update_io_state(bool keep_read = true);

    IOLoop& loop_;
    StreamOptions options_;
    detail::ReadBuffer read_buffer_;
    detail::WriteQueue write_buffer_;
    PendingRead read_;
    std::vector<PendingWrite> write_waiters_;
    std::size_t total_written_ = 0, total_queued_ = 0;
    bool corked_ = false;
    Callback close_callback_;
    std::exception_ptr error_;
    Events state_ = Events::none;  // what the IOLoop watches for us
    int registered_fd_ = -1;
    bool registered_ = false;
    bool closed_ = false;
    bool eof_ = false;
    bool fd_drained_ = false;  // the last read found the kernel buffer empty
    bool idle_peeked_ = false;  // readable with no read pending, and not an EOF: stop looking
    int idle_read_events_ = 0;  // READ events with no read pending since the last read began
    detail::Lifetime life_;  // lets frames learn that user code deleted or destroyed the stream
    // With options_.write_timeout: when output last moved, and the timer that checks it.
    TimePoint write_progress_{};
    TimeoutHandle write_timer_;
};

/// A stream over a socket. Takes ownership of `fd` (which it makes non-blocking). Destroying it
/// closes the socket and fails pending reads and writes with StreamClosedError.
class IOStream : public BaseIOStream {
public:
    IOStream(IOLoop& loop, int fd, StreamOptions options = {});
    ~IOStream() override { destroy(); }

    /// Connect a new socket (from a SOCK_STREAM socket(2) of the address's family) to
    /// `address`; done when connected (for SSLIOStream: when the handshake is done too),
    /// failing with StreamClosedError (real_error: the errno or SSLError) otherwise. Writes
    /// made meanwhile are queued.
    Future<void> connect(const sockaddr* address, socklen_t length);
    /// Turn this idle stream (no read or write pending, nothing buffered) into an SSLIOStream
    /// on the same socket, as client or server according to `context`; done after the
    /// handshake. This stream is closed without closing the socket; its close callback moves to
    /// the new stream. Throws std::logic_error when the stream is not idle. Defined with TLS in
    /// squall/ssliostream.h.
    Future<std::unique_ptr<SSLIOStream>> start_tls(const SSLContext& context,
                                                   std::string server_hostname = "");
    void set_nodelay(bool value) override;
    int fileno() const noexcept override { return fd_; }

protected:
    void close_fd() noexcept override;
    ssize_t read_from_fd(std::span<char> buf) override;
    ssize_t write_to_fd(std::span<const iovec> iov) override;
    ssize_t write_file_to_fd(int fd, std::uint64_t offset, std::uint64_t length) override;
    void set_corked(bool corked) noexcept override;
    std::error_code get_fd_error() noexcept override;
    void handle_setup(Events events) override;
    /// The TCP connection is up: a plain stream is ready (the connect Future resolves);
    /// SSLIOStream starts its handshake instead.
    virtual void on_connected();
    /// Resolve the Future returned by connect(), if there is one.
    void complete_connect();
    void on_close() override;
    bool peer_closed() noexcept override;
    /// Give up the socket without closing it, then close this stream (start_tls).
    int detach_fd();

private:
    int fd_;
    bool tcp_connecting_ = false;
    std::optional<Promise<void>> connect_promise_;
};

/// A stream over one end of a pipe (or any non-socket fd). Takes ownership of `fd`.
class PipeIOStream : public BaseIOStream {
public:
    PipeIOStream(IOLoop& loop, int fd, StreamOptions options = {});
    ~PipeIOStream() override { destroy(); }
    int fileno() const noexcept override { return fd_; }

protected:
    void close_fd() noexcept override;
    ssize_t read_from_fd(std::span<char> buf) override;
    ssize_t write_to_fd(std::span<const iovec> iov) override;

private:
    int fd_;
};

}  // namespace squall
