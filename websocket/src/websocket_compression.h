// The negotiated permessage-deflate of one connection: this side's compressor and the peer's
// decompressor, each set up from the parameters for its role. Internal. Models
// tornado/websocket.py's _create_compressors (4.0).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "squall/websocket_deflate.h"

namespace squall::detail {

class WebSocketCompression {
public:
    /// `server`: this side is the server, so its compressor follows the server_* parameters.
    WebSocketCompression(const DeflateParameters& terms, const WebSocketCompressionOptions& options, bool server)
        : deflater_(server ? terms.server_max_window_bits : terms.client_max_window_bits,
                    server ? terms.server_no_context_takeover : terms.client_no_context_takeover,
                    options.compression_level, options.mem_level),
          inflater_(server ? terms.client_max_window_bits : terms.server_max_window_bits,
                    server ? terms.client_no_context_takeover : terms.server_no_context_takeover) {}

    std::string compress(std::string_view message) { return deflater_.compress(message); }
    WebSocketInflater::Result decompress(std::string_view data, std::uint64_t max_size, std::string& out) {
        return inflater_.decompress(data, max_size, out);
    }

private:
    WebSocketDeflater deflater_;
    WebSocketInflater inflater_;
};

}  // namespace squall::detail
