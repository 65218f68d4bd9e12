// BaseIOStream's read and write state machines and close handling. Internal. Models
// tornado/iostream.py (4.0) BaseIOStream: lazy reading, one pending read, reads completed from
// the buffer after close, max_buffer_size / max_bytes / max_write_buffer_size.
#include "squall/iostream.h"

#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <re2/re2.h>

#include <cerrno>
#include <climits>

#include "sigpipe.h"
#include "squall/detail/heap_trim.h"
#include "squall/detail/regex_width.h"
#include "squall/log.h"

namespace squall {
namespace {

// A peer that went away is routine; anything else (an SSLError, EIO) is worth a warning.
bool is_connreset(const std::exception& ex) {
    auto* e = dynamic_cast<const std::system_error*>(&ex);
    if (!e) return false;
    int v = e->code().value();
    return e->code().category() == std::generic_category() &&
           (v == ECONNRESET || v == ECONNABORTED || v == EPIPE || v == ETIMEDOUT);
}

}  // namespace

StreamClosedError::StreamClosedError(std::exception_ptr real_error)
    : std::runtime_error(real_error ? "Stream is closed: " + detail::describe_exception(real_error)
                                    : std::string("Stream is closed")),
      real_error_(std::move(real_error)) {}

/// Lets a callback queued for later learn whether its stream still exists.
struct BaseIOStream::WeakRef {
    BaseIOStream* stream;
    detail::Lifetime::Watch watch;
    explicit WeakRef(BaseIOStream* s) : stream(s), watch(s->life_.watch()) {}
    BaseIOStream* get() const noexcept { return watch.alive() ? stream : nullptr; }

    /// Tornado's _run_callback: user code that throws closes the stream it was called for.
    template <class F>
    void run(F&& f) {
        try {
            f();
        } catch (...) {
            auto e = std::current_exception();
            app_log().logf(LogLevel::error, "Uncaught exception, closing connection: %s",
                           detail::describe_exception(e).c_str());
            if (BaseIOStream* s = get()) s->close(e);
        }
    }
};

/// The stream's IOLoop handler. If the loop drops it while the stream still counts on it (the
/// loop is closing), the stream closes: pending reads and writes fail, so coroutines waiting on
/// them are released instead of leaking in a cycle with the stream they own.
struct BaseIOStream::LoopHandler {
    BaseIOStream* stream;
    detail::Lifetime::Watch watch;
    explicit LoopHandler(BaseIOStream* s) : stream(s), watch(s->life_.watch()) {}
    LoopHandler(LoopHandler&& o) noexcept : stream(std::exchange(o.stream, nullptr)), watch(std::move(o.watch)) {}
    LoopHandler& operator=(LoopHandler&&) = delete;
    ~LoopHandler() {
        if (stream && watch.alive() && stream->registered_) stream->on_loop_dropped_handler();
    }
    void operator()(int, Events e) { stream->handle_events(e); }
};

void BaseIOStream::on_loop_dropped_handler() {
    registered_ = false;
    close(std::make_exception_ptr(std::runtime_error("the stream's IOLoop was closed")));
}

BaseIOStream::BaseIOStream(IOLoop& loop, StreamOptions options)
    : loop_(loop), options_(options) {
    if (options_.read_chunk_size == 0) options_.read_chunk_size = 64 * 1024;
    // Tornado caps the chunk at half the buffer so one read cannot overflow it.
    options_.read_chunk_size = std::min(options_.read_chunk_size,
                                        std::max<std::size_t>(1, options_.max_buffer_size / 2));
    detail::note_stream_opened();
}

BaseIOStream::~BaseIOStream() {
    life_.end();  // before the members go, whatever they run
    detail::note_stream_closed(loop_);
}

void BaseIOStream::destroy() noexcept {
    life_.end();
    close_callback_ = nullptr;  // the owner is destroying the stream: nothing to tell it
    if (write_timer_) loop_.remove_timeout(std::exchange(write_timer_, {}));
    if (!closed_) {
        closed_ = true;
        if (registered_) {
            registered_ = false;  // first: the handler's destructor reads it
            loop_.remove_handler(registered_fd_);
        }
        close_fd();
        on_close();
    }
    auto err = std::make_exception_ptr(StreamClosedError(error_));
    if (read_.kind != ReadKind::none) {
        Promise<std::string> p = std::move(*read_.promise);
        read_ = {};
        p.set_exception(err);
    }
    fail_writes(err);
}

struct BaseIOStream::CompiledRegex {
    RE2 regex;
    // With a bound on the match length, a search resumes that many bytes before where the
    // last one ended; without one it starts over.
    std::optional<std::size_t> max_width;

    static RE2::Options options() {
        RE2::Options o(RE2::Latin1);  // stream bytes, not UTF-8 text
        o.set_log_errors(false);
        return o;
    }
    explicit CompiledRegex(const std::string& pattern) : regex(pattern, options()) {
        if (!regex.ok()) throw std::invalid_argument("read_until_regex: bad pattern " + pattern + ": " + regex.error());
        max_width = detail::max_match_width(pattern);
    }
};

// ---- reads ----------------------------------------------------------------------------------

Future<std::string> BaseIOStream::read_until(std::string delimiter, std::size_t max_bytes) {
    if (delimiter.empty()) throw std::invalid_argument("read_until: empty delimiter");
    PendingRead r;
    r.kind = ReadKind::until;
    r.more().delimiter = std::move(delimiter);
    r.more().max_bytes = max_bytes;
    return start_read(std::move(r));
}

Future<std::string> BaseIOStream::read_until_regex(std::string pattern, std::size_t max_bytes) {
    PendingRead r;
    r.kind = ReadKind::regex;
    r.more().regex = std::make_shared<const CompiledRegex>(pattern);
    r.more().max_bytes = max_bytes;
    return start_read(std::move(r));
}

Future<std::string> BaseIOStream::read_bytes(std::size_t n, bool partial) {
    PendingRead r;
    r.kind = ReadKind::bytes;
    r.bytes = n;
    r.partial = partial;
    return start_read(std::move(r));
}

Future<std::string> BaseIOStream::read_bytes(std::size_t n, Streaming streaming) {
    PendingRead r;
    r.kind = ReadKind::bytes;
    r.bytes = n;
    r.more().streaming = std::move(streaming.callback);
    return start_read(std::move(r));
}

Future<std::string> BaseIOStream::fill_buffer(std::size_t n) {
    PendingRead r;
    r.kind = ReadKind::fill;
    r.bytes = n;
    return start_read(std::move(r));
}

Future<std::string> BaseIOStream::read_until_close() {
    PendingRead r;
    r.kind = ReadKind::until_close;
    return start_read(std::move(r));
}

Future<std::string> BaseIOStream::read_until_close(Streaming streaming) {
    PendingRead r;
    r.kind = ReadKind::until_close;
    r.more().streaming = std::move(streaming.callback);
    return start_read(std::move(r));
}

template <class F>
void BaseIOStream::as_callback(Future<std::string> f, F callback) {
    // Tornado runs read callbacks on a later iteration; errors close the stream, which the
    // close callback reports, so a failed read does not call `callback`.
    IOLoop& loop = loop_;
    f.add_done_callback([&loop, ref = WeakRef(this), cb = std::move(callback)](Future<std::string> done) mutable {
        if (done.exception()) return;
        loop.add_callback([ref = std::move(ref), cb = std::move(cb), data = std::move(done.result())]() mutable {
            ref.run([&] { cb(std::move(data)); });
        });
    });
}

void BaseIOStream::read_until(std::string delimiter, ReadCallback callback, std::size_t max_bytes) {
    as_callback(read_until(std::move(delimiter), max_bytes), std::move(callback));
}
void BaseIOStream::read_bytes(std::size_t n, ReadCallback callback, bool partial) {
    as_callback(read_bytes(n, partial), std::move(callback));
}
void BaseIOStream::read_until_close(ReadCallback callback) {
    as_callback(read_until_close(), std::move(callback));
}

Future<std::string> BaseIOStream::start_read(PendingRead read) {
    if (reading()) throw std::logic_error("Already reading");
    idle_peeked_ = false;
    idle_read_events_ = 0;
    read.promise.emplace();
    Future<std::string> f = read.promise->get_future();
    read_ = std::move(read);
    read_buffer_.set_scanned(0);
    try_inline_read();
    return f;
}

std::optional<std::size_t> BaseIOStream::find_read_pos() {
    std::string_view buf = read_buffer_.view();
    switch (read_.kind) {
    case ReadKind::none:
        return std::nullopt;
    case ReadKind::until: {
        const std::string& d = read_.extra->delimiter;
        std::size_t at = buf.find(d, read_buffer_.scan_start(d.size()));
        if (at != std::string_view::npos) {
            std::size_t end = at + d.size();
            if (read_.max_bytes() && end > read_.max_bytes()) throw_unsatisfiable();
            return end;
        }
        read_buffer_.set_scanned(buf.size());
        if (read_.max_bytes() && buf.size() > read_.max_bytes()) throw_unsatisfiable();
        return std::nullopt;
    }
    case ReadKind::regex: {
        const CompiledRegex& re = *read_.extra->regex;
        // A match that failed before must end in the new bytes, so it starts at most
        // max_width - 1 bytes before them; RE2 still sees the whole buffer for ^ and \b.
        std::size_t from = re.max_width ? read_buffer_.scan_start(std::max<std::size_t>(*re.max_width, 1)) : 0;
        re2::StringPiece text(buf.data(), buf.size()), match;
        if (from <= buf.size() && re.regex.Match(text, from, text.size(), RE2::UNANCHORED, &match, 1)) {
            std::size_t end = static_cast<std::size_t>(match.data() - buf.data()) + match.size();
            if (read_.max_bytes() && end > read_.max_bytes()) throw_unsatisfiable();
            return end;
        }
        read_buffer_.set_scanned(buf.size());
        if (read_.max_bytes() && buf.size() > read_.max_bytes()) throw_unsatisfiable();
        return std::nullopt;
    }
    case ReadKind::bytes:
        if (read_.streaming()) return read_.bytes == 0 ? std::optional<std::size_t>(0) : std::nullopt;
        if (read_.bytes == 0) return 0;
        if (read_.partial && !buf.empty()) return std::min(buf.size(), read_.bytes);
        if (buf.size() >= read_.bytes) return read_.bytes;
        return std::nullopt;
    case ReadKind::until_close:
        if (closed_) return read_.streaming() ? 0 : buf.size();
        return std::nullopt;
    case ReadKind::fill:
        if (buf.size() >= read_.bytes) return 0;
        return std::nullopt;
    }
    return std::nullopt;
}

void BaseIOStream::throw_unsatisfiable() {
    const char* what = read_.kind == ReadKind::regex ? "regex" : "delimiter";
    char msg[96];
    std::snprintf(msg, sizeof msg, "%s not found within %zu bytes", what, read_.max_bytes());
    throw UnsatisfiableReadError(msg);
}

bool BaseIOStream::try_complete_from_buffer() {
    // Streaming reads hand over whatever has arrived before checking completion.
    if (read_.streaming() && !read_buffer_.empty()) {
        std::size_t n = read_buffer_.size();
        if (read_.kind == ReadKind::bytes) n = std::min(n, read_.bytes);
        if (n > 0) {
            std::string chunk = read_buffer_.take(n);
            if (read_.kind == ReadKind::bytes) read_.bytes -= n;
            const auto watch = life_.watch();
            read_.extra->streaming(chunk);
            if (!watch.alive()) return true;
        }
    }
    std::optional<std::size_t> pos;
    try {
        pos = find_read_pos();
    } catch (const UnsatisfiableReadError& e) {
        gen_log().logf(LogLevel::info, "Unsatisfiable read, closing connection: %s", e.what());
        auto err = std::current_exception();
        Promise<std::string> p = std::move(*read_.promise);
        read_ = {};
        close(err);
        p.set_exception(err);
        return true;
    }
    if (!pos) return false;
    complete_read(*pos);
    return true;
}

void BaseIOStream::complete_read(std::size_t n) {
    Promise<std::string> p = std::move(*read_.promise);
    read_ = {};
    std::string data = read_buffer_.take(n);
    p.set_result(std::move(data));  // may run user code that deletes this stream
}

void BaseIOStream::try_inline_read() {
    const auto watch = life_.watch();
    // After a read completes, what the loop watches may change (an idle stream with a close
    // callback watches for the EOF).
    auto settle = [&] {
        if (watch.alive() && !closed_) update_io_state();
    };
    if (try_complete_from_buffer()) return settle();
    if (closed_) {
        fail_read();
        return;
    }
    // Lazy reading: the socket is read only because a read is pending, and not at all when the
    // last read already emptied it (the loop says when more arrives).
    while (!closed_ && !fd_drained_ && !setting_up_) {
        int got = read_to_buffer();
        if (!watch.alive()) return;
        if (got == 0) break;  // would block
        if (try_complete_from_buffer()) return settle();
        if (got < 0) break;
    }
    if (!watch.alive() || closed_) return;
    // About to wait for the socket with nothing buffered (a keep-alive connection between
    // requests, a quiet WebSocket): the read chunk goes back, and comes again when bytes do.
    if (read_buffer_.empty()) read_buffer_.release();
    update_io_state();
}

int BaseIOStream::read_to_buffer() {
    const std::span<char> target = read_buffer_.read_target(options_.read_chunk_size);
    ssize_t n;
    try {
        n = read_from_fd(target);
    } catch (const std::exception& e) {
        if (!is_connreset(e))
            gen_log().logf(LogLevel::warning, "Read error on %d: %s", fileno(), e.what());
        close(std::current_exception());
        return -1;
    }
    if (n < 0) {
        fd_drained_ = true;
        // An emptied buffer goes back while the peer is silent.
        if (read_buffer_.empty()) read_buffer_.release();
        return 0;
    }
    // A short read means the kernel had nothing more just now.
    fd_drained_ = static_cast<std::size_t>(n) < target.size() && !input_pending();
    if (n == 0) {
        if (read_buffer_.empty()) read_buffer_.release();  // a closing stream may linger a while
        eof_ = true;
        close();
        return -1;
    }
    read_buffer_.commit_read(target, static_cast<std::size_t>(n));
    if (read_buffer_.size() > options_.max_buffer_size) {
        gen_log().error("Reached maximum read buffer size");
        close(std::make_exception_ptr(StreamBufferFullError("Reached maximum read buffer size")));
        return -1;
    }
    return static_cast<int>(n);
}

void BaseIOStream::fail_read() {
    if (read_.kind == ReadKind::none) return;
    Promise<std::string> p = std::move(*read_.promise);
    read_ = {};
    p.set_exception(StreamClosedError(error_));
}

// ---- writes ---------------------------------------------------------------------------------

void BaseIOStream::queue_write(std::string data, std::size_t extra) {
    if (closed_) throw StreamClosedError(error_);
    if (options_.max_write_buffer_size &&
        write_buffer_.memory_size() + data.size() + extra > options_.max_write_buffer_size)
        throw StreamBufferFullError("Reached maximum write buffer size");
    total_queued_ += data.size();
    write_buffer_.append(std::move(data));
}

Future<void> BaseIOStream::write(std::string data) {
    queue_write(std::move(data));
    return start_write();
}

Future<void> BaseIOStream::write_prefixed(std::string prefix, std::string data) {
    const std::size_t rest = data.size();
    queue_write(std::move(prefix), rest);  // both fit, or neither is queued
    queue_write(std::move(data));
    return start_write();
}

Future<void> BaseIOStream::start_write() {
    Promise<void> p;
    Future<void> f = p.get_future();
    write_waiters_.push_back({total_queued_, std::move(p)});
    const auto watch = life_.watch();
    if (!setting_up_) handle_write();
    if (watch.alive() && !closed_) update_io_state();
    return f;
}

void BaseIOStream::write(std::string data, Callback callback) {
    IOLoop& loop = loop_;
    write(std::move(data)).add_done_callback([&loop, ref = WeakRef(this), cb = std::move(callback)](Future<void> f) mutable {
        if (f.exception()) return;
        loop.add_callback([ref = std::move(ref), cb = std::move(cb)]() mutable { ref.run(cb); });
    });
}

Future<void> BaseIOStream::write_file(int fd, std::uint64_t offset, std::uint64_t length, std::string prefix) {
    if (closed_) throw StreamClosedError(error_);
    detail::ignore_sigpipe();  // sendfile(2) has no MSG_NOSIGNAL
    int own = ::fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (own < 0) throw std::system_error(errno, std::generic_category(), "write_file: dup");
    // Queued together, handle_write corks before the prefix goes: it cannot leave alone.
    total_queued_ += prefix.size();
    if (!prefix.empty()) write_buffer_.append(std::move(prefix));
    total_queued_ += length;
    write_buffer_.append_file(own, offset, length);
    return start_write();
}

ssize_t BaseIOStream::write_file_to_fd(int fd, std::uint64_t offset, std::uint64_t length) {
    // A piece at a time: what write_to_fd does not take is read again next time.
    char buf[64 * 1024];
    std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(length, sizeof buf));
    ssize_t got;
    do {
        got = ::pread(fd, buf, want, static_cast<off_t>(offset));
    } while (got < 0 && errno == EINTR);
    if (got < 0) throw std::system_error(errno, std::generic_category(), "pread");
    if (got == 0) throw std::runtime_error("write_file: the file is shorter than the length queued");
    iovec iov{buf, static_cast<std::size_t>(got)};
    return write_to_fd({&iov, 1});
}

void BaseIOStream::handle_write() {
    if (write_buffer_.has_file() && !corked_) {
        corked_ = true;
        set_corked(true);
    }
    bool moved = false;
    while (!write_buffer_.empty()) {
        iovec iov[64];
        auto file = write_buffer_.front_file();
        int n = file ? 0 : write_buffer_.gather(iov, 64);
        ssize_t w;
        try {
            w = file ? write_file_to_fd(file->fd, file->offset, file->length)
                     : write_to_fd({iov, static_cast<std::size_t>(n)});
        } catch (const std::exception& e) {
            if (!is_connreset(e))
                gen_log().logf(LogLevel::warning, "Write error on %d: %s", fileno(), e.what());
            close(std::current_exception());
            return;
        }
        if (w < 0) break;
        moved |= w > 0;
        write_buffer_.consume(static_cast<std::uint64_t>(w));
        total_written_ += static_cast<std::size_t>(w);
    }
    if (corked_ && !write_buffer_.has_file()) {
        corked_ = false;
        set_corked(false);  // the last partial segment goes now
    }
    if (options_.write_timeout) watch_write_progress(moved);
    std::size_t done = 0;
    while (done < write_waiters_.size() && write_waiters_[done].end <= total_written_) ++done;
    if (done == 0) return;
    if (done == 1) {  // the usual case, without a vector
        Promise<void> p = std::move(write_waiters_.front().promise);
        write_waiters_.erase(write_waiters_.begin());
        p.set_result();  // user code may delete this stream
        return;
    }
    std::vector<PendingWrite> finished(std::make_move_iterator(write_waiters_.begin()),
                                       std::make_move_iterator(write_waiters_.begin() + static_cast<std::ptrdiff_t>(done)));
    write_waiters_.erase(write_waiters_.begin(), write_waiters_.begin() + static_cast<std::ptrdiff_t>(done));
    for (auto& w : finished) w.promise.set_result();  // user code may delete this stream
}

void BaseIOStream::watch_write_progress(bool moved) {
    if (moved || !write_timer_) write_progress_ = loop_.iteration_time();
    if (!write_buffer_.empty() && !write_timer_) arm_write_timer();
}

void BaseIOStream::arm_write_timer() {
    write_timer_ = loop_.call_at(write_progress_ + *options_.write_timeout, [ref = WeakRef(this)]() mutable {
        if (BaseIOStream* s = ref.get()) s->check_write_progress();
    });
}

void BaseIOStream::check_write_progress() {
    write_timer_ = {};
    if (closed_ || write_buffer_.empty()) return;
    // Progress since the timer was armed moved the deadline: one timer per period, not per write.
    if (loop_.time() < write_progress_ + *options_.write_timeout) return arm_write_timer();
    close(std::make_exception_ptr(std::system_error(ETIMEDOUT, std::generic_category(), "write timed out")));
}

void BaseIOStream::fail_writes(const std::exception_ptr& error) {
    write_buffer_.clear();
    std::vector<PendingWrite> pending = std::move(write_waiters_);
    write_waiters_.clear();
    for (auto& w : pending) w.promise.set_exception(error);
}

// ---- events and state -----------------------------------------------------------------------

void BaseIOStream::update_io_state(bool keep_read) {
    if (closed_) return;
    Events want = retry_events_;
    if (setting_up_) {
        want |= setup_events_;
    } else {
        if (read_.kind != ReadKind::none) want |= Events::read;
        if (!write_buffer_.empty()) want |= Events::write;
        // Request/response streams read again right after each read: leaving READ armed until
        // it fires with no read pending saves two epoll_ctl calls per message (libev's trick).
        if (keep_read && any(state_, Events::read)) want |= Events::read;
        // An owner waiting for the close (a server busy with a request) hears of an EOF too:
        // READ is watched while idle until it fires once (see handle_events).
        if (close_callback_ && read_.kind == ReadKind::none && read_buffer_.empty() && !idle_peeked_)
            want |= Events::read;
    }
    // An idle stream with a close callback still listens for errors and hang-ups.
    if (want == Events::none && !close_callback_ && !registered_) return;
    int fd = fileno();
    if (!registered_) {
        loop_.add_handler(fd, LoopHandler(this), want);
        registered_ = true;
        registered_fd_ = fd;
    } else if (want != state_) {
        loop_.update_handler(fd, want);
    }
    state_ = want;
}

void BaseIOStream::handle_events(Events events) {
    const auto watch = life_.watch();
    if (closed_) return;
    if (any(events, Events::read | Events::error)) fd_drained_ = false;
    if (setting_up_) {
        handle_setup(events);
        if (!watch.alive() || closed_) return;
        if (setting_up_) {
            update_io_state();
            return;
        }
        // Set up now: flush what was queued meanwhile and serve a pending read.
        fd_drained_ = false;
        events |= Events::read | Events::write;
    }
    if (any(events, retry_events_)) {
        retry_events_ = Events::none;
        fd_drained_ = false;
        events |= Events::read | Events::write;
    }
    const bool idle_read = any(events, Events::read) && read_.kind == ReadKind::none;
    if (any(events, Events::read) && read_.kind != ReadKind::none) {
        try_inline_read();
        if (!watch.alive() || closed_) return;
    }
    if (any(events, Events::write) && !write_buffer_.empty()) {
        handle_write();
        if (!watch.alive() || closed_) return;
    }
    if (any(events, Events::error)) {
        if (std::error_code ec = get_fd_error()) {
            close(std::make_exception_ptr(std::system_error(ec)));
            return;
        }
        // A hang-up: keep what the peer sent before it went (bounded by max_buffer_size), so
        // reads can still be satisfied from the buffer, then close.
        while (!closed_ && read_to_buffer() > 0) {
            if (!watch.alive()) return;
        }
        if (!watch.alive()) return;
        if (!closed_) close();
        return;
    }
    // Readable with no read pending. The owner is often about to read (a server between two
    // requests), so READ stays armed for one more event before it is dropped for backpressure:
    // dropping and re-adding it would cost two epoll_ctl calls per request.
    const bool drop_read = idle_read && ++idle_read_events_ >= 2;
    if (drop_read && close_callback_ && read_buffer_.empty()) {
        // Either the peer closed, which the owner wants to know now, or it sent more, which
        // stays in the kernel until asked for. With bytes still buffered the owner has work
        // (a pipelined request from a half-closed client): it meets the EOF when it next reads.
        if (peer_closed()) {
            eof_ = true;
            close();
            return;
        }
        idle_peeked_ = true;
    }
    update_io_state(!drop_read);
}

void BaseIOStream::set_close_callback(Callback callback) {
    close_callback_ = std::move(callback);
    if (closed_) {
        if (close_callback_) loop_.add_callback(std::move(close_callback_));
        return;
    }
    update_io_state();
}

void BaseIOStream::close(std::exception_ptr error) {
    if (closed_) return;
    closed_ = true;
    if (write_timer_) loop_.remove_timeout(std::exchange(write_timer_, {}));
    if (error && !error_) error_ = std::move(error);
    const auto watch = life_.watch();  // failing operations runs user code, which may delete this stream
    if (registered_) {
        registered_ = false;  // first: the handler's destructor reads it
        loop_.remove_handler(registered_fd_);
    }
    close_fd();
    on_close();
    if (!watch.alive()) return;
    fail_writes(std::make_exception_ptr(StreamClosedError(error_)));
    if (!watch.alive()) return;
    // A read the buffer can still satisfy completes (read_until_close gets the rest); any other
    // pending read fails. This comes before the close callback is queued, so whoever waits on
    // the read runs first, as in Tornado.
    if (read_.kind != ReadKind::none) {
        if (!try_complete_from_buffer() && watch.alive()) fail_read();
        if (!watch.alive()) return;
    }
    if (close_callback_) loop_.add_callback(std::move(close_callback_));
}

void BaseIOStream::refresh_io_state() { update_io_state(); }

}  // namespace squall
