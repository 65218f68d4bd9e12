// HTTP1Connection's reading half: one message parsed straight out of the stream's buffer and
// handed to the delegate, with header and body timeouts, 100-continue, and malformed input
// answered with its status code. Internal. Models tornado/http1connection.py (4.0)
// HTTP1Connection._read_message / _read_body and HTTP1ServerConnection._server_request_loop,
// with 5.0's error responses.
#include <sys/socket.h>

#include <limits>
#include <tuple>

#include "squall/http1connection.h"

#include "gzip_delegate.h"
#include "lingering_close.h"
#include "squall/gen.h"
#include "squall/log.h"
#include "squall/detail/ascii.h"
#include "squall/detail/recycler.h"

namespace squall {
namespace detail {

/// A server connection's header timeout, kept across its requests. Each wait for a request
/// (its first byte, then the rest of its headers: one wait) moves a deadline; the one timer,
/// when it fires early, re-arms itself for the moved deadline. A busy keep-alive connection so
/// touches the loop's timer heap about once per timeout period rather than twice per request
/// (Tornado arms one per request).
class IdleTimer {
public:
    IdleTimer(IOLoop& loop, std::weak_ptr<IOStream> stream, Duration timeout)
        : loop_(loop), stream_(std::move(stream)), timeout_(timeout) {}
    IdleTimer(const IdleTimer&) = delete;
    IdleTimer& operator=(const IdleTimer&) = delete;
    ~IdleTimer() {
        if (handle_) loop_.remove_timeout(handle_);
    }
    /// Starts the clock unless it already runs (the wait for a request's first byte and for
    /// the rest of its headers are one wait).
    void start_waiting() {
        if (waiting_) return;
        deadline_ = loop_.iteration_time() + timeout_;
        waiting_ = true;
        if (!handle_) arm();
    }
    void stop_waiting() noexcept { waiting_ = false; }

private:
    void arm() {
        // `this` is safe: the destructor removes the timer.
        handle_ = loop_.call_at(deadline_, [this] { fired(); });
    }
    void fired() {
        handle_ = {};
        if (!waiting_) return;  // the next wait arms it again
        if (loop_.time() < deadline_) return arm();
        if (auto s = stream_.lock()) s->close();
    }

    IOLoop& loop_;
    std::weak_ptr<IOStream> stream_;
    Duration timeout_;
    TimePoint deadline_{};
    bool waiting_ = false;
    TimeoutHandle handle_;
};

}  // namespace detail

namespace {

/// Closes the stream when a timeout passes, unless cancelled first; logs `why` unless null.
class StreamTimer {
public:
    StreamTimer(IOLoop& loop, const std::shared_ptr<IOStream>& stream, std::optional<Duration> timeout,
                const char* why, std::string_view peer)
        : loop_(loop) {
        if (!timeout) return;  // the usual case: nothing copied
        std::weak_ptr<IOStream> weak = stream;
        handle_ = loop.call_later(*timeout, [weak = std::move(weak), why, peer = std::string(peer)] {
            if (auto s = weak.lock()) {
                if (why) gen_log().logf(LogLevel::info, "%s from %s", why, peer.c_str());
                s->close();
            }
        });
    }
    StreamTimer(const StreamTimer&) = delete;
    StreamTimer& operator=(const StreamTimer&) = delete;
    ~StreamTimer() { cancel(); }
    void cancel() noexcept {
        if (handle_) loop_.remove_timeout(handle_);
        handle_ = {};
    }

private:
    IOLoop& loop_;
    TimeoutHandle handle_;
};

/// Waits for the headers of a message (the header timeout), or nothing when `timeout` is unset.
class HeaderTimer {
public:
    HeaderTimer(IOLoop& loop, const std::shared_ptr<IOStream>& stream, std::optional<Duration> timeout,
                detail::IdleTimer* shared)
        : shared_(shared) {
        if (shared_) shared_->start_waiting();
        else if (timeout) own_.emplace(loop, stream, timeout, nullptr, "");
    }
    HeaderTimer(const HeaderTimer&) = delete;
    HeaderTimer& operator=(const HeaderTimer&) = delete;
    ~HeaderTimer() { cancel(); }
    void cancel() noexcept {
        if (shared_) shared_->stop_waiting();
        own_.reset();
    }

private:
    detail::IdleTimer* shared_;
    std::optional<StreamTimer> own_;
};

/// Whether the peer sent bytes no read has taken yet: a request already on its way, which
/// a graceful close must not cut off.
bool unread_bytes_pending(int fd) noexcept {
    char byte;
    return ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
}

bool has_token(std::optional<std::string_view> header, std::string_view token) {
    if (!header) return false;
    std::string_view v = *header;
    while (!v.empty()) {
        std::size_t comma = v.find(',');
        if (detail::iequals(detail::trim_ows(v.substr(0, comma)), token)) return true;
        if (comma == std::string_view::npos) break;
        v.remove_prefix(comma + 1);
    }
    return false;
}

}  // namespace

HTTP1Connection::HTTP1Connection(std::shared_ptr<IOStream> stream, bool is_client, HTTP1ConnectionParameters params,
                                 HTTPConnectionContext context)
    : stream_(std::move(stream)),
      is_client_(is_client),
      params_(params),
      context_(std::move(context)),
      parser_(is_client ? HTTP1Parser::Kind::response : HTTP1Parser::Kind::request) {}

HTTP1Connection::~HTTP1Connection() = default;

/// HTTP/1.1 keeps the connection unless told "close"; HTTP/1.0 only when told "keep-alive".
static bool version_keeps_alive(std::string_view version, const HTTPHeaders& headers) {
    auto connection = headers.find("Connection");
    return version == "HTTP/1.1" ? !has_token(connection, "close") : has_token(connection, "keep-alive");
}

bool HTTP1Connection::can_keep_alive(const RequestStartLine& start, const HTTPHeaders& headers) const {
    if (params_.no_keep_alive) return false;
    // An HTTP/1.0 request must also let the body's end be known.
    if (start.version != "HTTP/1.1" && !headers.contains("Content-Length") && start.method != "HEAD" &&
        start.method != "GET")
        return false;
    return version_keeps_alive(start.version, headers);
}

void HTTP1Connection::on_stream_closed() {
    if (detached_ || !read_finished_) return;  // a pending read reports it
    if (active_delegate_) active_delegate_->on_connection_close();
    finish_request();
}

void HTTP1Connection::close_after_message() noexcept {
    close_after_message_ = true;
    disconnect_on_finish_ = true;  // a message already under way
}

std::uint64_t HTTP1Connection::max_body_size() const {
    return params_.max_body_size.value_or(stream_->options().max_buffer_size);
}

std::shared_ptr<IOStream> HTTP1Connection::detach() {
    detached_ = true;
    stream_->set_close_callback(nullptr);
    // A read waiting for this response to end (the handler upgraded after a suspension) goes on,
    // sees the detachment and stops serving.
    if (finish_promise_) take_promise(finish_promise_).set_result();
    return stream_;
}

Future<bool> HTTP1Connection::read_response(HTTPMessageDelegate& delegate) {
    if (!params_.decompress) return read_message(delegate);
    return read_decompressed(delegate);
}

Future<bool> HTTP1Connection::read_decompressed(HTTPMessageDelegate& delegate) {
    auto gzip = detail::make_gzip_delegate(delegate, params_.chunk_size, max_body_size());
    auto reading = read_message(*gzip);
    bool again = co_await std::move(reading);
    co_return again;
}

Future<bool> HTTP1Connection::read_message(HTTPMessageDelegate& delegate) {
    auto self = shared_from_this();  // the connection outlives this read whoever else lets go
    std::shared_ptr<IOStream> stream = stream_;
    IOStream& s = *stream;
    IOLoop& loop = s.io_loop();
    // The body limit is checked once the delegate has seen the headers: it may change it for
    // this message (set_max_body_size in a streaming handler's prepare).
    parser_.set_limits({params_.max_header_size, std::numeric_limits<std::uint64_t>::max(), params_.max_header_count});
    HeaderTimer header_timer(loop, stream, is_client_ ? std::nullopt : params_.header_timeout, idle_timer_);
    std::optional<StreamTimer> body_timer;
    bool delegate_started = false;
    bool skip_body = false;
    // The close callback may outlive this read; it reaches the delegate only while it runs.
    active_delegate_ = &delegate;
    struct Clear {
        HTTP1Connection* c;
        ~Clear() { c->active_delegate_ = nullptr; }
    } clear{this};
    int error_status = 0;
    std::string error_message;
    try {
        while (true) {
            if (s.buffered().empty() && parser_.between_messages()) {
                // The usual start of a keep-alive request: nothing to parse yet.
                awaiting_message_ = true;
                auto more = s.fill_buffer(1);
                co_await std::move(more);
                awaiting_message_ = false;
                continue;
            }
            HTTP1Parser::Result r = parser_.parse(s.buffered());
            if (r.status == HTTP1Parser::Status::incomplete) {
                s.consume(r.consumed);
                auto more = s.fill_buffer(s.buffered().size() + 1);
                co_await std::move(more);
                continue;
            }
            if (r.status == HTTP1Parser::Status::error) {
                error_status = parser_.error_status();
                error_message = parser_.error_message();
                break;
            }
            if (r.status == HTTP1Parser::Status::headers) {
                s.consume(r.consumed);
                header_timer.cancel();
                if (is_client_) {
                    int code = parser_.response().code;
                    // Whether the connection can carry another request after this response.
                    disconnect_on_finish_ = params_.no_keep_alive ||
                                            !version_keeps_alive(parser_.response().version, parser_.headers()) ||
                                            parser_.body_kind() == HTTP1Parser::BodyKind::until_close;
                    if (code >= 100 && code < 200 && code != 101) {
                        // Interim (100 Continue): the delegate sees it, then the real response
                        // follows, as in Tornado.
                        auto f = delegate.headers_received(parser_.start_line(), parser_.headers());
                        if (f.valid()) co_await std::move(f);
                        parser_.parse({});  // its (empty) end; the next parse starts the real one
                        continue;
                    }
                } else {
                    const RequestStartLine& request = parser_.request();
                    request_head_ = request.method == "HEAD";
                    request_http11_ = request.version == "HTTP/1.1";
                    request_keep_alive_ = can_keep_alive(request, parser_.headers());
                    disconnect_on_finish_ = !request_keep_alive_ || close_after_message_;
                    if (parser_.body_kind() != HTTP1Parser::BodyKind::none &&
                        request_http11_ &&
                        has_token(parser_.headers().find("Expect"), "100-continue"))
                        detail::quiet(s.write("HTTP/1.1 100 (Continue)\r\n\r\n"));
                }
                body_timer.emplace(loop, stream, params_.body_timeout, "Timeout reading body", context_.remote_ip);
                if (!close_watched_) {
                    stream->set_close_callback([weak = std::weak_ptr<HTTP1Connection>(self)] {
                        if (auto conn = weak.lock()) conn->on_stream_closed();
                    });
                }
                delegate_started = true;
                auto f = delegate.headers_received(parser_.start_line(), parser_.headers());
                if (f.valid()) co_await std::move(f);
                if (detached_) co_return false;
                parser_.set_limits({params_.max_header_size, max_body_size(), params_.max_header_count});
                if (parser_.body_kind() == HTTP1Parser::BodyKind::length && parser_.content_length() > max_body_size()) {
                    error_status = 413;
                    error_message = "Content-Length too long";
                    break;
                }
                // A response finished before the body was read: the rest of the body is not
                // read, so the connection cannot carry another request.
                if (!is_client_ && write_finished_ && parser_.body_kind() != HTTP1Parser::BodyKind::none) {
                    skip_body = true;
                    disconnect_on_finish_ = true;
                    break;
                }
                continue;
            }
            if (r.status == HTTP1Parser::Status::body) {
                std::string_view data = r.body;
                while (!data.empty()) {
                    std::string_view piece = data.substr(0, params_.chunk_size);
                    data.remove_prefix(piece.size());
                    auto f = delegate.data_received(piece);
                    // The piece stays valid while we wait: no read runs until we consume it.
                    if (f.valid()) co_await std::move(f);
                }
                s.consume(r.consumed);
                if (!is_client_ && write_finished_) {
                    skip_body = true;
                    disconnect_on_finish_ = true;
                    break;
                }
                continue;
            }
            s.consume(r.consumed);  // done
            break;
        }
    } catch (const StreamClosedError&) {
        // The peer left (or a timeout closed the stream). A body that runs to the close ends
        // here; anything else was cut short.
        if (parser_.finish().status == HTTP1Parser::Status::done) {
            read_finished_ = true;
            delegate.finish();
            co_return false;
        }
        if (delegate_started) delegate.on_connection_close();
        if (is_client_ && !delegate_started) throw;
        co_return false;
    } catch (const HTTPInputError& e) {
        // Raised by a delegate about the body (a corrupt gzip stream, too much of it).
        error_status = e.status();
        error_message = e.what();
    } catch (const std::exception& e) {
        app_log().logf(LogLevel::error, "Uncaught exception handling a message from %s: %s",
                       context_.remote_ip.c_str(), e.what());
        if (is_client_) {
            stream->close();
            co_return false;
        }
        error_status = 500;
        error_message = e.what();
    }
    body_timer.reset();
    if (!error_status) {
        read_finished_ = true;
        // finish() checks what only the end can show (a gzip stream cut short) and may run
        // application code: its failure is answered like the others.
        if (!skip_body) std::tie(error_status, error_message) = finish_delegate(delegate);
    }
    if (error_status) {
        if (error_status != 500)
            gen_log().logf(LogLevel::info, "Malformed HTTP message from %s: %s", context_.remote_ip.c_str(),
                           error_message.c_str());
        if (delegate_started) delegate.on_connection_close();
        if (is_client_) {
            stream->close();
            throw HTTPInputError(error_message, error_status);
        }
        // Tornado 5+: answer before closing, unless a response is already under way.
        if (!headers_written_ && !stream->closed()) {
            std::string reply = "HTTP/1.1 " + std::to_string(error_status) + " " +
                                std::string(reason_phrase(error_status)) +
                                "\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
            auto written = stream->write(std::move(reply));
            try {
                co_await std::move(written);
            } catch (const StreamClosedError&) {
            }
        }
        co_await detail::lingering_close(stream);
        co_return false;
    }
    if (!is_client_ && !detached_ && !finished_ && !stream->closed()) {
        auto done = finish_future();
        co_await std::move(done);  // the next request waits for this response
    }
    if (detached_) co_return false;
    if (!close_watched_) stream->set_close_callback(nullptr);
    if (skip_body && !is_client_ && !stream->closed()) {
        // Answered before its body was read (a handler refused it early): closing on the unread
        // rest would reset the connection, which can destroy the answer before the peer reads it.
        co_await detail::lingering_close(stream);
        co_return false;
    }
    if (disconnect_on_finish_ || stream->closed()) {
        stream->close();
        co_return false;
    }
    co_return true;
}

std::pair<int, std::string> HTTP1Connection::finish_delegate(HTTPMessageDelegate& delegate) {
    try {
        delegate.finish();
        return {0, {}};
    } catch (const HTTPInputError& e) {
        return {e.status(), e.what()};
    } catch (const std::exception& e) {
        app_log().logf(LogLevel::error, "Uncaught exception finishing a message from %s: %s",
                       context_.remote_ip.c_str(), e.what());
        if (is_client_) throw;
        return {500, e.what()};
    }
}

// ---- HTTP1ServerConnection ------------------------------------------------------------------

// The parameters and context are the ones each request's HTTP1Connection starts from.
struct HTTP1ServerConnection::Shared {
    std::shared_ptr<const HTTP1ConnectionParameters> params;
    HTTPConnectionContext context;
    std::optional<detail::IdleTimer> idle;  // the header timeout, when there is one
    HTTPServerConnectionDelegate* delegate = nullptr;
    HTTP1Connection* current = nullptr;  // the request being served, held by serve()
    bool detached = false;               // the stream was taken (an upgrade): not ours to close
    bool draining = false;               // close_when_idle() was called
    bool awaiting = false;               // waiting for a message's first byte
    std::uint64_t served = 0;            // requests answered
    std::shared_ptr<DrainGroup> drain_group;
};

HTTP1ServerConnection::HTTP1ServerConnection(std::unique_ptr<IOStream> stream, HTTP1ConnectionParameters params,
                                             HTTPConnectionContext context)
    : HTTP1ServerConnection(std::move(stream), std::make_shared<const HTTP1ConnectionParameters>(params),
                            std::move(context)) {}

HTTP1ServerConnection::HTTP1ServerConnection(std::unique_ptr<IOStream> stream,
                                             std::shared_ptr<const HTTP1ConnectionParameters> params,
                                             HTTPConnectionContext context)
    : stream_(std::move(stream)), shared_(std::make_shared<Shared>()) {
    if (params->header_timeout) shared_->idle.emplace(stream_->io_loop(), stream_, *params->header_timeout);
    shared_->params = std::move(params);
    shared_->context = std::move(context);
}

HTTP1ServerConnection::~HTTP1ServerConnection() {
    shared_->delegate = nullptr;
    close();
}

Future<void> HTTP1ServerConnection::start_serving(HTTPServerConnectionDelegate& delegate) {
    shared_->delegate = &delegate;
    return serve(shared_, stream_);
}

void HTTP1ServerConnection::set_drain_group(std::shared_ptr<DrainGroup> group) {
    shared_->drain_group = std::move(group);
}

void HTTP1ServerConnection::close() {
    // A request may have taken the stream (an upgrade) before its serving loop has resumed.
    const bool detached = shared_->detached || (shared_->current && shared_->current->detached());
    if (!detached) stream_->close();
}

void HTTP1ServerConnection::close_when_idle() {
    shared_->draining = true;
    // Idle: waiting for a request with none of it read yet, in the stream's buffer (the byte
    // that ended the wait may be there before the loop resumes) or the kernel's.
    const bool idle = (shared_->awaiting || (shared_->current && shared_->current->awaiting_message())) &&
                      stream_->buffered().empty();
    if (idle && shared_->served > 0 && !unread_bytes_pending(stream_->fileno())) return close();
    // Else the request in progress is told now, or the next one as it starts.
    if (shared_->current) shared_->current->close_after_message();
}

Future<void> HTTP1ServerConnection::serve(std::shared_ptr<Shared> shared, std::shared_ptr<IOStream> stream) {
    // One close callback for all the connection's requests: setting and clearing one per
    // request cost two calls into the stream each time.
    stream->set_close_callback([weak = std::weak_ptr<Shared>(shared)] {
        auto s = weak.lock();
        if (!s || !s->current) return;
        auto conn = s->current->shared_from_this();  // kept while its delegate hears of the close
        conn->on_stream_closed();
    });
    while (!stream->closed() && shared->delegate) {
        if (stream->buffered().empty()) {
            // Waits without the objects a message needs (its HTTP1Connection and parser, the
            // delegate, their frames): they are made once bytes come, so an idle connection
            // is its stream and this loop. The header timeout counts from here.
            if (shared->idle) shared->idle->start_waiting();
            shared->awaiting = true;
            bool closed = false;
            try {
                auto arrival = stream->fill_buffer(1);
                co_await std::move(arrival);
            } catch (const StreamClosedError&) {
                closed = true;
            }
            shared->awaiting = false;
            // The connection may have been destroyed since the byte came (the resumption runs
            // later in the iteration): then there is nobody to serve it for.
            if (closed || !shared->delegate) break;
        }
        auto serving = serve_message(*shared, stream);
        if (!co_await std::move(serving)) break;
        // Fairness: a client that pipelines gets one request per loop iteration, so every
        // other connection is served between its requests (Tornado yields the same way).
        if (!stream->buffered().empty()) co_await squall::moment;
    }
    if (!shared->detached) {  // a detached stream belongs to whoever took it
        stream->set_close_callback(nullptr);
        stream->close();
    }
    if (shared->delegate) shared->delegate->on_close();
}

Future<bool> HTTP1ServerConnection::serve_message(Shared& shared, const std::shared_ptr<IOStream>& stream) {
    auto conn = std::allocate_shared<HTTP1Connection>(detail::RecyclingAllocator<HTTP1Connection>(), stream, false,
                                                      *shared.params, shared.context);
    conn->idle_timer_ = shared.idle ? &*shared.idle : nullptr;
    conn->close_watched_ = true;
    conn->drain_group_ = shared.drain_group.get();  // no count to touch per request
    if (shared.draining) conn->close_after_message();
    std::unique_ptr<HTTPMessageDelegate> message = shared.delegate->start_request(conn);
    bool again = false;
    shared.current = conn.get();
    try {
        auto reading = conn->read_response(*message);
        again = co_await std::move(reading);
    } catch (const std::exception& e) {
        app_log().logf(LogLevel::error, "Uncaught exception in the HTTP server: %s", e.what());
    }
    shared.current = nullptr;
    ++shared.served;
    shared.detached = conn->detached();
    // What points into the serving loop's state is valid only while it serves this request;
    // the delegate may keep the connection longer.
    conn->idle_timer_ = nullptr;
    conn->drain_group_ = nullptr;
    co_return again && !shared.detached;
}

}  // namespace squall
