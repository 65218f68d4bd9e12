// permessage-deflate (RFC 7692), sans-I/O and shared by server and client: parsing the
// Sec-WebSocket-Extensions header, negotiating the extension's parameters from either side, and
// the per-connection compressor and decompressor. Public header. Models the compression half of
// tornado/websocket.py (_PerMessageDeflateCompressor/_PerMessageDeflateDecompressor, 4.0).
#pragma once

#include "squall/detail/require_cxx20.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace squall {

/// One extension of a Sec-WebSocket-Extensions header: its name and parameters in order, each
/// with its value unquoted (nullopt for a parameter without one).
struct WebSocketExtension {
    std::string name;
    std::vector<std::pair<std::string, std::optional<std::string>>> params;
};

/// The header's extensions in order (RFC 6455 section 9.1: tokens, `;` parameters, values as
/// tokens or quoted strings). nullopt when the value is malformed; at most 32 extensions of at
/// most 16 parameters each are accepted, so a hostile header costs bounded work.
std::optional<std::vector<WebSocketExtension>> parse_websocket_extensions(std::string_view value);

/// What this side allows (Tornado's compression_options). Window bits are 9-15: zlib cannot
/// compress with the 8-bit window RFC 7692 also allows, so an offer that insists on 8 for the
/// peer's compressor is accepted but one that asks it of ours is declined.
struct WebSocketCompressionOptions {
    int compression_level = 6;  // zlib's 0-9
    int mem_level = 8;          // zlib's 1-9: memory for the compressor's state
    /// Our compressor forgets its window after each message (less memory, worse ratio).
    bool no_context_takeover = false;
    /// Our compressor's largest window.
    int max_window_bits = 15;
};

/// The negotiated parameters, named as in RFC 7692 (the server's and the client's compressor).
struct DeflateParameters {
    bool server_no_context_takeover = false;
    bool client_no_context_takeover = false;
    int server_max_window_bits = 15;
    int client_max_window_bits = 15;
};

/// Server side: the first of the client's permessage-deflate offers it can honour under
/// `options`, or nullopt (then the connection goes uncompressed).
std::optional<DeflateParameters> accept_deflate_offer(const std::vector<WebSocketExtension>& offers,
                                                      const WebSocketCompressionOptions& options);
/// Client side: the offer to send, and the check of the server's answer (nullopt: the answer is
/// not one the offer allows, and the client must fail the connection).
std::string deflate_offer(const WebSocketCompressionOptions& options);
std::optional<DeflateParameters> accept_deflate_response(const std::vector<WebSocketExtension>& response,
                                                         const WebSocketCompressionOptions& options);
/// The parameters as a Sec-WebSocket-Extensions value (the server's answer).
std::string deflate_response(const DeflateParameters& parameters);

/// Compresses whole messages: raw deflate flushed to a byte boundary with the final empty
/// stored block's 4 bytes cut off (RFC 7692 section 7.2.1).
class WebSocketDeflater {
public:
    WebSocketDeflater(int window_bits, bool no_context_takeover, int compression_level = 6, int mem_level = 8);
    ~WebSocketDeflater();
    WebSocketDeflater(const WebSocketDeflater&) = delete;
    WebSocketDeflater& operator=(const WebSocketDeflater&) = delete;

    std::string compress(std::string_view message);

private:
    struct Stream;
    std::unique_ptr<Stream> z_;
    bool no_context_takeover_;
};

/// Decompresses whole messages under a size budget, so a small message that inflates to
/// gigabytes stops at the budget instead of filling memory.
class WebSocketInflater {
public:
    enum class Result { ok, too_big, invalid };

    WebSocketInflater(int window_bits, bool no_context_takeover);
    ~WebSocketInflater();
    WebSocketInflater(const WebSocketInflater&) = delete;
    WebSocketInflater& operator=(const WebSocketInflater&) = delete;

    /// Replaces `out` with the message `compressed` inflates to. too_big once the output would
    /// pass `max_size` bytes; invalid for data that is not deflate. After either the inflater is
    /// unusable (the connection fails anyway).
    Result decompress(std::string_view compressed, std::uint64_t max_size, std::string& out);

private:
    Result inflate_some(std::string_view input, std::uint64_t max_size, std::string& out);

    struct Stream;
    std::unique_ptr<Stream> z_;
    bool no_context_takeover_;
};

}  // namespace squall
