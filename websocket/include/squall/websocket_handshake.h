// The parts of the opening handshake (RFC 6455 section 4) that do not need a connection: the
// Sec-WebSocket-Accept value, the key check and the comma lists the headers carry. Public
// header. Models WebSocketProtocol13.compute_accept_value and the header checks of
// tornado/websocket.py (4.0).
#pragma once

#include "squall/detail/require_cxx20.h"

#include <string>
#include <string_view>
#include <vector>

namespace squall {

/// base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")): the server's answer to `key`.
std::string websocket_accept_value(std::string_view key);

/// A Sec-WebSocket-Key a server may accept: padded base64 of exactly 16 bytes.
bool valid_websocket_key(std::string_view key);

/// The non-empty elements of a comma-separated header value, surrounding whitespace removed
/// (Connection tokens, offered subprotocols).
std::vector<std::string_view> websocket_header_list(std::string_view value);

}  // namespace squall
