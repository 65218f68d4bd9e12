// The WebSocket protocol on a stream whose handshake is done, as server or client: a read loop
// feeding WebSocketParser and dispatching to its owner, automatic pongs, the closing handshake
// with its timeout, pings on an interval, and a client's masking. Internal. Models
// tornado/websocket.py (4.0) WebSocketProtocol13, with the pings of Tornado 4.5.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "squall/concurrent.h"
#include "squall/drain_group.h"
#include "squall/ioloop.h"
#include "squall/iostream.h"
#include "squall/websocket_deflate.h"
#include "squall/websocket_frame.h"

namespace squall::detail {

/// What the protocol reports to the object it serves (the server's handler, the client
/// connection).
class WebSocketEvents {
public:
    virtual ~WebSocketEvents() = default;
    /// A returned Future holds back the next message until it is done.
    virtual Future<void> on_message(std::string message, bool binary) = 0;
    virtual void on_ping(std::string_view data) = 0;
    virtual void on_pong(std::string_view data) = 0;
    /// Once, whatever ended the connection.
    virtual void on_close() = 0;
};

enum class WebSocketRole { server, client };

/// Per-connection source of the masking keys a client puts on its frames: unpredictable
/// (RFC 6455 section 10.3), drawn from OpenSSL's CSPRNG a batch at a time.
class MaskKeySource {
public:
    /// The next 4-byte key.
    const unsigned char* next();

private:
    unsigned char batch_[256];
    std::size_t used_ = sizeof batch_;
};

struct WebSocketProtocolOptions {
    WebSocketRole role = WebSocketRole::server;
    std::uint64_t max_message_size = 10 * 1024 * 1024;
    std::optional<Duration> ping_interval;
    std::optional<Duration> ping_timeout;  // default: three intervals
    /// How long a close we started waits for the peer's close frame.
    Duration close_timeout = std::chrono::seconds(5);
    /// Names the connection in log lines ("GET /chat (127.0.0.1)").
    std::string log_name;
    /// permessage-deflate as the handshake negotiated it; none: uncompressed.
    std::optional<DeflateParameters> compression;
    WebSocketCompressionOptions compression_options;
};

class WebSocketCompression;

class WebSocketProtocol final : public std::enable_shared_from_this<WebSocketProtocol>, private DrainGroup::Member {
public:
    WebSocketProtocol(std::shared_ptr<IOStream> stream, WebSocketProtocolOptions options);
    ~WebSocketProtocol();
    WebSocketProtocol(const WebSocketProtocol&) = delete;
    WebSocketProtocol& operator=(const WebSocketProtocol&) = delete;

    /// Waits for `opened` (open()'s Future), then reads and dispatches to `events` until the
    /// connection ends. The read loop keeps this protocol and `events` alive while it runs.
    void start(std::shared_ptr<WebSocketEvents> events, Future<void> opened);

    /// Done when the frame is written; WebSocketClosedError once close() was called or the
    /// stream closed.
    Future<void> write_message(std::string_view message, bool binary);
    /// The same, for a message given up: a large one goes out without being copied.
    Future<void> write_message(std::string&& message, bool binary);
    /// Throws WebSocketClosedError when closed, std::invalid_argument past 125 bytes.
    void ping(std::string_view data);
    /// Starts the closing handshake (or ends it, when the peer's close frame came first).
    void close(std::optional<std::uint16_t> code, std::string_view reason);

    /// Servers: belong to `group` until closed, so that the server's graceful shutdown closes
    /// this connection with 1001 (Going Away), or at once when its grace period is over.
    void join(DrainGroup& group) {
        if (!close_notified_) membership_ = group.join(*this);
    }

    /// No more frames may be sent: close() was called, or the stream closed.
    bool closed() const noexcept { return close_sent_ || stream_->closed(); }
    /// From the peer's close frame; none when it sent none or one without a code.
    std::optional<std::uint16_t> close_code() const noexcept { return close_code_; }
    const std::string& close_reason() const noexcept { return close_reason_; }
    IOStream& stream() noexcept { return *stream_; }

private:
    static Future<void> run(std::shared_ptr<WebSocketProtocol> self, std::shared_ptr<WebSocketEvents> events,
                            Future<void> opened);
    /// Reads frames until the connection ends; exceptions from `events` propagate.
    Future<void> read_frames(WebSocketEvents& events);
    /// A client, after the closing handshake: RFC 6455 section 7.1.1 has the server close TCP
    /// first, so wait for that (the close timer cuts the wait short).
    Future<void> wait_for_server_eof();
    bool is_client() const noexcept { return options_.role == WebSocketRole::client; }
    /// Acts on one parser result; a Future to wait for before parsing on (flow control).
    Future<void> dispatch(WebSocketEvents& events, WebSocketParser::Status status);
    /// A whole message, inflated first when it came compressed.
    Future<void> deliver(WebSocketEvents& events);
    void on_peer_close();
    /// The peer broke the protocol: close frame with `code`, then the stream (RFC 6455
    /// section 7.1.7).
    void fail(std::uint16_t code, std::string_view why);
    Future<void> write_frame(WebSocketOpcode opcode, std::string_view payload, bool compressed = false);
    /// write_frame for a payload given up: past a few KiB, the header and the payload (masked
    /// in place by a client) are queued as they are.
    Future<void> write_owned_frame(WebSocketOpcode opcode, std::string payload, bool compressed);
    void close_stream_when_written(Future<void> written);
    void arm_close_timer();
    void schedule_ping();
    void send_scheduled_ping();
    void notify_closed();
    void cancel_timers() noexcept;
    void drain() override;
    void abort() override { stream_->close(); }

    std::shared_ptr<IOStream> stream_;
    WebSocketProtocolOptions options_;
    WebSocketParser parser_;
    std::unique_ptr<WebSocketCompression> compression_;
    std::weak_ptr<WebSocketEvents> events_;
    std::unique_ptr<MaskKeySource> mask_keys_;  // a client's only
    bool close_sent_ = false;      // we sent a close frame
    bool peer_closing_ = false;    // the peer did, or broke the protocol: read no more
    bool peer_failed_ = false;     // it broke the protocol: we close TCP, whatever our role
    bool close_notified_ = false;
    std::optional<std::uint16_t> close_code_;
    std::string close_reason_;
    TimeoutHandle close_timer_;
    TimeoutHandle ping_timer_;
    TimePoint last_pong_{};
    DrainGroup::Membership membership_;
};

}  // namespace squall::detail
