// WebSocketProtocol: either side of an upgraded connection. Internal. Models
// tornado/websocket.py (4.0) WebSocketProtocol13: the read loop, pongs, the closing handshake
// (echo the peer's code, or wait close_timeout for its answer to ours), and 4.5's pings; a
// client masks its frames and leaves closing TCP to the server (RFC 6455 section 7.1.1).
#include "websocket_protocol.h"

#include <openssl/rand.h>

#include <stdexcept>

#include "squall/detail/utf8.h"
#include "squall/log.h"
#include "squall/websocket.h"
#include "websocket_compression.h"

namespace squall::detail {

namespace {

constexpr std::size_t max_control_payload = 125;

/// A write's StreamClosedError as the WebSocketClosedError users of write_message expect.
Future<void> as_websocket_write(Future<void> written) {
    try {
        co_await std::move(written);
    } catch (const StreamClosedError&) {
        throw WebSocketClosedError();
    }
}

// Below this, a payload is copied behind its header into one string: cheaper than a second
// chunk in the write queue.
constexpr std::size_t kSeparatePayload = 4096;

WebSocketParserOptions parser_options(const WebSocketProtocolOptions& options) {
    WebSocketParserOptions parser;
    parser.expect_masked = options.role == WebSocketRole::server;  // a masked frame to a client is a 1002
    parser.max_message_size = options.max_message_size;
    parser.compression = options.compression.has_value();
    return parser;
}

}  // namespace

const unsigned char* MaskKeySource::next() {
    if (used_ + 4 > sizeof batch_) {
        if (RAND_bytes(batch_, static_cast<int>(sizeof batch_)) != 1)
            throw std::runtime_error("RAND_bytes failed: no WebSocket masking key");
        used_ = 0;
    }
    const unsigned char* key = batch_ + used_;
    used_ += 4;
    return key;
}

WebSocketProtocol::WebSocketProtocol(std::shared_ptr<IOStream> stream, WebSocketProtocolOptions options)
    : stream_(std::move(stream)), options_(std::move(options)), parser_(parser_options(options_)) {
    if (options_.compression)
        compression_ = std::make_unique<WebSocketCompression>(*options_.compression, options_.compression_options,
                                                              options_.role == WebSocketRole::server);
    if (is_client()) mask_keys_ = std::make_unique<MaskKeySource>();
}

WebSocketProtocol::~WebSocketProtocol() { cancel_timers(); }

void WebSocketProtocol::start(std::shared_ptr<WebSocketEvents> events, Future<void> opened) {
    events_ = events;
    // The stream closing while a handler's Future holds the read loop still reaches on_close.
    stream_->set_close_callback([weak = weak_from_this()] {
        if (auto self = weak.lock()) self->notify_closed();
    });
    last_pong_ = stream_->io_loop().time();
    schedule_ping();
    run(shared_from_this(), std::move(events), std::move(opened));
}

Future<void> WebSocketProtocol::run(std::shared_ptr<WebSocketProtocol> self, std::shared_ptr<WebSocketEvents> events,
                                    Future<void> opened) {
    try {
        if (opened.valid()) co_await std::move(opened);
        auto reading = self->read_frames(*events);
        co_await std::move(reading);
        if (self->is_client() && !self->stream_->closed()) {
            auto eof = self->wait_for_server_eof();
            co_await std::move(eof);
        }
    } catch (const StreamClosedError&) {
        // The peer went away: on_close with no close code, as Tornado.
    } catch (const std::exception& e) {
        app_log().logf(LogLevel::error, "Uncaught exception in %s: %s", self->options_.log_name.c_str(), e.what());
        self->stream_->close();
    }
    self->notify_closed();
}

Future<void> WebSocketProtocol::read_frames(WebSocketEvents& events) {
    while (!peer_closing_ && !stream_->closed()) {
        auto result = parser_.parse(stream_->buffered());
        stream_->consume(result.consumed);
        if (result.status == WebSocketParser::Status::incomplete) {
            auto filled = stream_->fill_buffer(stream_->buffered().size() + 1);
            co_await std::move(filled);
            continue;
        }
        auto handled = dispatch(events, result.status);
        if (handled.valid()) co_await std::move(handled);
    }
}

Future<void> WebSocketProtocol::wait_for_server_eof() {
    while (true) {  // ends with the StreamClosedError of the server's close or our timer's
        stream_->consume(stream_->buffered().size());  // nothing may follow a close frame
        auto filled = stream_->fill_buffer(1);
        co_await std::move(filled);
    }
}

Future<void> WebSocketProtocol::dispatch(WebSocketEvents& events, WebSocketParser::Status status) {
    using Status = WebSocketParser::Status;
    switch (status) {
        case Status::message:
            return deliver(events);
        case Status::ping:
            if (!closed()) quiet(write_frame(WebSocketOpcode::pong, parser_.payload()));
            events.on_ping(parser_.payload());
            return {};
        case Status::pong:
            last_pong_ = stream_->io_loop().time();
            events.on_pong(parser_.payload());
            return {};
        case Status::close:
            on_peer_close();
            return {};
        case Status::error:
            fail(parser_.error_code(), parser_.error_message());
            return {};
        case Status::incomplete:
            break;
    }
    return {};
}

Future<void> WebSocketProtocol::deliver(WebSocketEvents& events) {
    const bool binary = parser_.opcode() == WebSocketOpcode::binary;
    if (!parser_.compressed()) return events.on_message(std::move(parser_.payload()), binary);
    std::string message;
    switch (compression_->decompress(parser_.payload(), options_.max_message_size, message)) {
        case WebSocketInflater::Result::too_big:
            fail(websocket_close::message_too_big, "message too big once inflated");
            return {};
        case WebSocketInflater::Result::invalid:
            fail(websocket_close::invalid_data, "invalid permessage-deflate data");
            return {};
        case WebSocketInflater::Result::ok:
            break;
    }
    if (!binary && !is_valid_utf8(message)) {
        fail(websocket_close::invalid_data, "invalid UTF-8 in an inflated text message");
        return {};
    }
    return events.on_message(std::move(message), binary);
}

void WebSocketProtocol::on_peer_close() {
    peer_closing_ = true;
    if (parser_.close_code() != websocket_close::no_status) close_code_ = parser_.close_code();
    close_reason_ = std::string(parser_.close_reason());
    if (close_sent_) {
        // The closing handshake we started is complete; a client waits for the server's EOF.
        if (!is_client()) stream_->close();
        return;
    }
    close(close_code_, {});  // RFC 6455 section 5.5.1: echo the code
}

void WebSocketProtocol::fail(std::uint16_t code, std::string_view why) {
    gen_log().logf(LogLevel::info, "WebSocket protocol error from %s: %.*s", options_.log_name.c_str(),
                   static_cast<int>(why.size()), why.data());
    peer_closing_ = true;
    peer_failed_ = true;
    if (close_sent_) {
        stream_->close();
        return;
    }
    close(code, {});
}

Future<void> WebSocketProtocol::write_message(std::string_view message, bool binary) {
    if (closed()) return make_failed_future<void>(std::make_exception_ptr(WebSocketClosedError()));
    const WebSocketOpcode opcode = binary ? WebSocketOpcode::binary : WebSocketOpcode::text;
    if (compression_) return as_websocket_write(write_owned_frame(opcode, compression_->compress(message), true));
    return as_websocket_write(write_frame(opcode, message));
}

Future<void> WebSocketProtocol::write_message(std::string&& message, bool binary) {
    if (compression_) return write_message(std::string_view(message), binary);  // compressed into a new string
    if (closed()) return make_failed_future<void>(std::make_exception_ptr(WebSocketClosedError()));
    const WebSocketOpcode opcode = binary ? WebSocketOpcode::binary : WebSocketOpcode::text;
    return as_websocket_write(write_owned_frame(opcode, std::move(message), false));
}

void WebSocketProtocol::ping(std::string_view data) {
    if (data.size() > max_control_payload) throw std::invalid_argument("a WebSocket ping carries at most 125 bytes");
    if (closed()) throw WebSocketClosedError();
    quiet(write_frame(WebSocketOpcode::ping, data));
}

void WebSocketProtocol::close(std::optional<std::uint16_t> code, std::string_view reason) {
    if (closed()) return;
    close_sent_ = true;
    auto written = write_frame(WebSocketOpcode::close, websocket_close_payload(code.value_or(websocket_close::no_status), reason));
    // The handshake is complete once our answer is out: a server closes TCP then, and so does a
    // client failing the connection; otherwise a client waits for the server to close it.
    if (peer_closing_ && (!is_client() || peer_failed_)) close_stream_when_written(std::move(written));
    else {
        quiet(std::move(written));
        arm_close_timer();
    }
}

Future<void> WebSocketProtocol::write_frame(WebSocketOpcode opcode, std::string_view payload, bool compressed) {
    std::string frame;
    const unsigned char* mask_key = is_client() ? mask_keys_->next() : nullptr;  // a fresh key per frame
    write_websocket_frame(frame, opcode, payload, true, mask_key, compressed);
    return stream_->write(std::move(frame));
}

Future<void> WebSocketProtocol::write_owned_frame(WebSocketOpcode opcode, std::string payload, bool compressed) {
    if (payload.size() < kSeparatePayload) return write_frame(opcode, payload, compressed);
    std::string header;
    const unsigned char* mask_key = is_client() ? mask_keys_->next() : nullptr;
    write_websocket_frame_header(header, opcode, payload.size(), true, mask_key, compressed);
    if (mask_key) websocket_mask(payload.data(), payload.size(), mask_key);
    return stream_->write_prefixed(std::move(header), std::move(payload));
}

void WebSocketProtocol::close_stream_when_written(Future<void> written) {
    // Closing at once could drop the close frame still in the write buffer.
    written.add_done_callback([stream = stream_](Future<void> done) {
        (void)done.exception();
        stream->close();
    });
}

void WebSocketProtocol::arm_close_timer() {
    close_timer_ = stream_->io_loop().call_later(options_.close_timeout, [weak = weak_from_this()] {
        if (auto self = weak.lock()) {
            self->close_timer_ = {};
            self->stream_->close();
        }
    });
}

void WebSocketProtocol::schedule_ping() {
    if (!options_.ping_interval || stream_->closed()) return;
    ping_timer_ = stream_->io_loop().call_later(*options_.ping_interval, [weak = weak_from_this()] {
        if (auto self = weak.lock()) self->send_scheduled_ping();
    });
}

void WebSocketProtocol::send_scheduled_ping() {
    ping_timer_ = {};
    if (closed()) return;
    Duration timeout = options_.ping_timeout.value_or(3 * *options_.ping_interval);
    if (stream_->io_loop().time() - last_pong_ > timeout) {
        // An unresponsive peer would not answer a close frame either: drop the connection.
        gen_log().logf(LogLevel::info, "WebSocket ping timeout from %s", options_.log_name.c_str());
        stream_->close();
        return;
    }
    quiet(write_frame(WebSocketOpcode::ping, {}));
    schedule_ping();
}

void WebSocketProtocol::notify_closed() {
    if (close_notified_) return;
    close_notified_ = true;
    cancel_timers();
    // Leaves the server's group once on_close has run: a shutdown waits for the handler too.
    DrainGroup::Membership leaving = std::move(membership_);
    if (auto events = events_.lock()) events->on_close();
}

void WebSocketProtocol::drain() { close(websocket_close::going_away, "server shutting down"); }

void WebSocketProtocol::cancel_timers() noexcept {
    if (close_timer_) stream_->io_loop().remove_timeout(std::exchange(close_timer_, {}));
    if (ping_timer_) stream_->io_loop().remove_timeout(std::exchange(ping_timer_, {}));
}

}  // namespace squall::detail
