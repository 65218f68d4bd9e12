// The WebSocket client: websocket_connect performs the opening handshake (RFC 6455 section 4.1)
// over TCP or TLS and resolves to a WebSocketClientConnection that reads, writes, pings and
// closes. Public header. Models tornado/websocket.py (4.0) websocket_connect and
// WebSocketClientConnection, with on_message_callback, subprotocols and pings of Tornado 4.5/5.
#pragma once

#include "squall/detail/require_cxx20.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "squall/concurrent.h"
#include "squall/httpclient.h"
#include "squall/ioloop.h"
#include "squall/ssl.h"
#include "squall/websocket.h"

namespace squall {

namespace detail {
class WebSocketProtocol;
struct WebSocketInbox;
}  // namespace detail

/// A whole message from the server.
struct WebSocketMessage {
    std::string data;
    bool binary = false;
};

/// The server answered 101 but not as RFC 6455 section 4.1 requires (a wrong
/// Sec-WebSocket-Accept, a subprotocol or extension we did not offer...). A refusal (any other
/// status) and a failed connection are HTTPClientError instead, 599 for no answer.
class WebSocketHandshakeError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct WebSocketConnectOptions {
    /// Called with each message and, once the connection has closed, with nullopt (Tornado's
    /// on_message_callback); read_message() is then not used.
    std::function<void(std::optional<WebSocketMessage>)> on_message;
    /// The server pinged (the pong is sent already) or answered a ping.
    std::function<void(std::string_view)> on_ping;
    std::function<void(std::string_view)> on_pong;
    /// Offered in Sec-WebSocket-Protocol; the server may pick one.
    std::vector<std::string> subprotocols;
    /// Larger messages close the connection with 1009.
    std::uint64_t max_message_size = 10 * 1024 * 1024;
    /// A ping that often; no pong within ping_timeout (default three intervals) drops the
    /// connection.
    std::optional<Duration> ping_interval;
    std::optional<Duration> ping_timeout;
    /// Override the request's: TCP connect (and TLS handshake), and the whole handshake.
    std::optional<Duration> connect_timeout;
    std::optional<Duration> request_timeout;
    /// wss://: overrides the request's ssl_options (and so its validate_cert and ca_certs).
    std::optional<SSLContext> ssl_options;
    /// How long a close waits for the server's close frame and the end of the TCP connection.
    Duration close_timeout = std::chrono::seconds(5);
    /// Bound on the server's response head.
    std::size_t max_header_size = 64 * 1024;
    /// permessage-deflate offered with these options (Tornado's compression_options); none, the
    /// default, offers nothing. Once the server accepts, every message sent is compressed.
    std::optional<WebSocketCompressionOptions> compression_options;
};

/// A connected WebSocket. Destroying the last shared_ptr closes it (a close frame without a
/// code; the closing handshake finishes in the background). Belongs to its IOLoop's thread.
class WebSocketClientConnection {
public:
    ~WebSocketClientConnection();
    WebSocketClientConnection(const WebSocketClientConnection&) = delete;
    WebSocketClientConnection& operator=(const WebSocketClientConnection&) = delete;

    /// The next message, or nullopt once the connection has closed. One read at a time
    /// (std::logic_error otherwise); not with an on_message callback. The connection reads
    /// nothing more from the server while a message waits here unread (flow control).
    Future<std::optional<WebSocketMessage>> read_message();
    /// Sends one (masked) frame; done when written. WebSocketClosedError once closed.
    Future<void> write_message(std::string_view message, bool binary = false);
    /// A message given up (std::move): a large one is sent without being copied.
    Future<void> write_message(std::string&& message, bool binary = false);
    Future<void> write_message(const char* message, bool binary = false) {
        return write_message(std::string_view(message), binary);
    }
    /// A ping of at most 125 bytes; WebSocketClosedError once closed.
    void ping(std::string_view data = {});
    /// Starts the closing handshake: a close frame now; the server answers and closes TCP, or
    /// the connection is dropped after close_timeout. A reason without a code sends 1000.
    void close(std::optional<std::uint16_t> code = std::nullopt, std::string_view reason = {});
    /// From the server's close frame; nullopt when it sent none or one without a code.
    std::optional<std::uint16_t> close_code() const noexcept;
    std::string close_reason() const;
    /// The subprotocol the server chose, "" for none.
    const std::string& selected_subprotocol() const noexcept { return subprotocol_; }
    /// The headers of the server's 101 response.
    const HTTPHeaders& headers() const noexcept { return headers_; }
    void set_nodelay(bool value);

    /// websocket_connect's: a connection over a stream whose handshake is done.
    WebSocketClientConnection(std::shared_ptr<detail::WebSocketProtocol> protocol,
                              std::shared_ptr<detail::WebSocketInbox> inbox, HTTPHeaders headers);

private:
    std::shared_ptr<detail::WebSocketProtocol> protocol_;
    std::shared_ptr<detail::WebSocketInbox> inbox_;
    HTTPHeaders headers_;
    std::string subprotocol_;
};

/// Connects to a ws:// or wss:// URL (a string converts to an HTTPRequest; its headers are sent
/// too, and its connect_timeout, request_timeout, validate_cert, ca_certs and ssl_options
/// apply). wss:// verifies the certificate and host name unless told otherwise. Fails with
/// HTTPClientError (the status of a refusal; 599 for a failed or timed-out connection) or
/// WebSocketHandshakeError. Throws std::invalid_argument at once for a URL it cannot use.
Future<std::shared_ptr<WebSocketClientConnection>> websocket_connect(HTTPRequest request,
                                                                     WebSocketConnectOptions options = {});

}  // namespace squall
