// WebSocketHandler: a RequestHandler whose GET performs the WebSocket opening handshake
// (RFC 6455 section 4.2) and then exchanges messages with the client; WebSocketClosedError.
// Public header. Models tornado/websocket.py (4.0) WebSocketHandler, with write_message's
// Future (4.3), open() and on_message() as coroutines (5.1, 4.5), on_ping (5.1) and the
// websocket_* Application settings (4.5).
#pragma once

#include "squall/detail/require_cxx20.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "squall/requesthandler.h"
#include "squall/websocket_deflate.h"
#include "squall/websocket_frame.h"

namespace squall {

/// A write, ping or close on a WebSocket that is closed (or closing).
class WebSocketClosedError : public std::runtime_error {
public:
    WebSocketClosedError() : std::runtime_error("WebSocket closed") {}
};

namespace detail {
class WebSocketProtocol;
class WebSocketEvents;
}  // namespace detail

/// Subclass it, override on_message (and open, on_close...), route it with url<H>(pattern).
/// The handler stays alive while the connection is open; it may be closed from inside its own
/// callbacks. Before the upgrade, prepare() may refuse with an HTTP error like any handler.
class WebSocketHandler : public RequestHandler {
public:
    WebSocketHandler();
    ~WebSocketHandler() override;

    // ---- Overridables ------------------------------------------------------------------------
    /// The connection is open; path_args() are there as in get(). A returned Future (a
    /// coroutine) holds back messages until it is done.
    virtual Future<void> open() { return {}; }
    /// A whole message: text (valid UTF-8) or binary. A returned Future holds back the next
    /// message until it is done (flow control).
    virtual Future<void> on_message(std::string message, bool binary) = 0;
    /// The client pinged (the pong is sent already) or answered a ping.
    virtual void on_ping(std::string_view /*data*/) {}
    virtual void on_pong(std::string_view /*data*/) {}
    /// Once, however the connection ended; close_code() and close_reason() tell how.
    virtual void on_close() {}
    /// Whether to accept a request whose Origin (or Sec-WebSocket-Origin) header is `origin`;
    /// not asked when there is none. Default: only the same host (the origin's host and port,
    /// lower-cased, equal to the Host header), as Tornado 4.0. False answers 403.
    virtual bool check_origin(std::string_view origin);
    /// One of the subprotocols the client offered, or nullopt for none.
    virtual std::optional<std::string> select_subprotocol(const std::vector<std::string>& /*subprotocols*/) {
        return std::nullopt;
    }

    /// permessage-deflate (RFC 7692): the options to accept a client's offer with, or nullopt
    /// (the default, as Tornado) for uncompressed messages. A compressed message counts against
    /// websocket_max_message_size as it inflates.
    virtual std::optional<WebSocketCompressionOptions> get_compression_options() { return std::nullopt; }

    // ---- The connection ----------------------------------------------------------------------
    /// Sends one frame; done when written. Fails with WebSocketClosedError once closed.
    Future<void> write_message(std::string_view message, bool binary = false);
    /// A message given up (std::move): a large one is sent without being copied.
    Future<void> write_message(std::string&& message, bool binary = false);
    Future<void> write_message(const char* message, bool binary = false) {
        return write_message(std::string_view(message), binary);
    }
    /// A ping of at most 125 bytes; WebSocketClosedError once closed.
    void ping(std::string_view data = {});
    /// Starts the closing handshake: a close frame now, the stream closed when the client
    /// answers or after 5 s. A reason without a code sends 1000. Nothing once closed.
    void close(std::optional<std::uint16_t> code = std::nullopt, std::string_view reason = {});
    /// The code of the client's close frame; nullopt when it sent none (it vanished, or broke
    /// the protocol) or one without a code.
    std::optional<std::uint16_t> close_code() const noexcept;
    std::string close_reason() const;
    /// TCP_NODELAY on the connection (small messages go out without waiting).
    void set_nodelay(bool value);
    /// The subprotocol select_subprotocol chose, "" for none.
    const std::string& selected_subprotocol() const noexcept { return subprotocol_; }

    /// The handshake; then the connection belongs to the WebSocket protocol.
    Future<void> get() final;

private:
    class Events;
    /// Answers the request with an error when the handshake is not acceptable.
    bool check_handshake();
    bool connection_upgrades() const;
    bool refuse(int status, std::string_view message);
    std::optional<std::string> origin() const;
    std::vector<std::string> offered_subprotocols() const;
    void accept_connection();
    Future<void> call_open();
    std::string switching_protocols_response();
    /// The Sec-WebSocket-Extensions line of the answer ("" for none); sets compression_.
    std::string negotiate_compression();

    std::shared_ptr<detail::WebSocketProtocol> protocol_;
    std::string subprotocol_;
    std::optional<DeflateParameters> compression_;
    WebSocketCompressionOptions compression_options_;
};

}  // namespace squall
