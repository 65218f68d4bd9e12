// A raw WebSocket client for the server tests: the opening handshake written by hand over a
// loopback TCP connection, masked frames written with write_websocket_frame, the server's
// frames read with a client-side WebSocketParser. Internal test header.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "squall/http_headers.h"
#include "squall/iostream.h"
#include "squall/websocket_frame.h"

namespace squall::testing {

/// The RFC 6455 section 1.3 example key, and the accept value the RFC gives for it.
inline constexpr std::string_view rfc_key = "dGhlIHNhbXBsZSBub25jZQ==";
inline constexpr std::string_view rfc_accept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";  // RFC 6455 section 1.3

/// A message or control frame from the server.
struct ServerFrame {
    WebSocketParser::Status status = WebSocketParser::Status::incomplete;
    WebSocketOpcode opcode = WebSocketOpcode::continuation;
    std::string payload;
    std::uint16_t code = 0;  // close code, or the parser's error code
    std::string reason;
};

/// The headers of a valid upgrade request for 127.0.0.1:port with the RFC's key.
HTTPHeaders upgrade_headers(int port);

class RawWebSocketClient {
public:
    /// Connects to 127.0.0.1:port and sends GET `path` with `headers`; the answer's head is
    /// read into status() and response_headers().
    static Future<std::unique_ptr<RawWebSocketClient>> connect(int port, std::string path, HTTPHeaders headers);
    /// connect() with upgrade_headers(port).
    static Future<std::unique_ptr<RawWebSocketClient>> connect(int port, std::string path);

    int status() const noexcept { return status_; }
    /// Accept RSV1 (compressed) messages from the server; they come out still deflated.
    void allow_compressed() { parser_ = WebSocketParser(client_options(true)); }
    static WebSocketParserOptions client_options(bool compression);
    const HTTPHeaders& response_headers() const noexcept { return headers_; }

    /// One masked frame; `rsv1` marks a compressed message.
    Future<void> send(WebSocketOpcode opcode, std::string_view payload, bool fin = true, bool rsv1 = false);
    Future<void> send_close(std::uint16_t code, std::string_view reason);
    Future<void> send_raw(std::string bytes);
    /// The next message or control frame (or parser error) from the server.
    Future<ServerFrame> next();
    /// Done when the server has closed the connection (what it sent meanwhile is dropped).
    Future<void> wait_for_eof();
    void close() { stream_->close(); }

private:
    explicit RawWebSocketClient(std::unique_ptr<IOStream> stream);
    Future<void> read_head();

    std::unique_ptr<IOStream> stream_;
    WebSocketParser parser_;
    int status_ = 0;
    HTTPHeaders headers_;
};

}  // namespace squall::testing
