// permessage-deflate's compressor and budgeted decompressor over zlib's raw deflate (RFC 7692
// section 7.2). Part of squall-websocket; models tornado/websocket.py's
// _PerMessageDeflateCompressor and _PerMessageDeflateDecompressor (4.0).
#include <zlib.h>

#include <algorithm>
#include <new>
#include <stdexcept>

#include "squall/websocket_deflate.h"

namespace squall {
namespace {

// Every message ends with an empty stored block, whose 4 bytes the sender cuts and the
// receiver puts back (RFC 7692 section 7.2.1).
constexpr char kTail[] = {'\x00', '\x00', '\xff', '\xff'};
constexpr std::string_view kTailView(kTail, sizeof kTail);
constexpr std::size_t kChunk = 16384;
constexpr std::size_t kMaxPiece = std::size_t{1} << 30;

Bytef* bytes(const char* p) { return reinterpret_cast<Bytef*>(const_cast<char*>(p)); }

}  // namespace

struct WebSocketDeflater::Stream {
    z_stream z{};
};

WebSocketDeflater::WebSocketDeflater(int window_bits, bool no_context_takeover, int compression_level, int mem_level)
    : z_(std::make_unique<Stream>()), no_context_takeover_(no_context_takeover) {
    if (window_bits < 9 || window_bits > 15) throw std::invalid_argument("deflate window bits must be 9-15");
    int rc = deflateInit2(&z_->z, compression_level, Z_DEFLATED, -window_bits, mem_level, Z_DEFAULT_STRATEGY);
    if (rc == Z_MEM_ERROR) throw std::bad_alloc();
    if (rc != Z_OK) throw std::invalid_argument("bad deflate compression level or memory level");
}

WebSocketDeflater::~WebSocketDeflater() { deflateEnd(&z_->z); }

std::string WebSocketDeflater::compress(std::string_view message) {
    z_stream& z = z_->z;
    // deflateBound covers a whole stream; the flush adds a few bytes more.
    std::string out(deflateBound(&z, static_cast<uLong>(message.size())) + 16, '\0');
    std::size_t used = 0, pos = 0;
    do {
        std::string_view piece = message.substr(pos, kMaxPiece);  // zlib counts in 32 bits
        pos += piece.size();
        z.next_in = bytes(piece.data());
        z.avail_in = static_cast<uInt>(piece.size());
        const int flush = pos == message.size() ? Z_SYNC_FLUSH : Z_NO_FLUSH;
        do {
            if (out.size() - used < 64) out.resize(out.size() * 2);
            z.next_out = bytes(out.data() + used);
            z.avail_out = static_cast<uInt>(std::min(out.size() - used, kMaxPiece));
            const uInt room = z.avail_out;
            deflate(&z, flush);  // cannot fail on a valid stream with room to write
            used += room - z.avail_out;
        } while (z.avail_out == 0);
    } while (pos < message.size());
    out.resize(used);
    if (out.size() >= kTailView.size() && std::string_view(out).substr(out.size() - 4) == kTailView)
        out.resize(out.size() - 4);
    // A flush with nothing new to flush writes nothing; the empty message is one empty stored
    // block's first byte (RFC 7692 section 7.2.3.6), which the receiver's tail completes.
    if (out.empty()) out.push_back('\0');
    if (no_context_takeover_) deflateReset(&z);
    return out;
}

struct WebSocketInflater::Stream {
    z_stream z{};
    bool ended = false;  // the peer set BFINAL: the next message starts a new stream
};

WebSocketInflater::WebSocketInflater(int window_bits, bool no_context_takeover)
    : z_(std::make_unique<Stream>()), no_context_takeover_(no_context_takeover) {
    if (window_bits < 8 || window_bits > 15) throw std::invalid_argument("inflate window bits must be 8-15");
    // A larger window than the peer's decodes its data as well; zlib's raw inflate wants 9+.
    int rc = inflateInit2(&z_->z, -std::max(window_bits, 9));
    if (rc == Z_MEM_ERROR) throw std::bad_alloc();
    if (rc != Z_OK) throw std::runtime_error("inflateInit2 failed");
}

WebSocketInflater::~WebSocketInflater() { inflateEnd(&z_->z); }

WebSocketInflater::Result WebSocketInflater::inflate_some(std::string_view input, std::uint64_t max_size,
                                                          std::string& out) {
    z_stream& z = z_->z;
    z.next_in = bytes(input.data());
    z.avail_in = static_cast<uInt>(input.size());
    for (;;) {
        // Never more room than one byte past the budget, so a bomb costs at most the budget.
        const std::uint64_t left = max_size - out.size();
        const std::size_t room = left >= kChunk ? kChunk : static_cast<std::size_t>(left) + 1;
        const std::size_t old = out.size();
        out.resize(old + room);
        z.next_out = bytes(out.data() + old);
        z.avail_out = static_cast<uInt>(room);
        int rc = inflate(&z, Z_SYNC_FLUSH);
        out.resize(old + room - z.avail_out);
        if (out.size() > max_size) return Result::too_big;
        if (rc == Z_STREAM_END) {
            z_->ended = true;
            return Result::ok;
        }
        if (rc == Z_MEM_ERROR) throw std::bad_alloc();
        if (rc == Z_BUF_ERROR && z.avail_in == 0) return Result::ok;  // all input used
        if (rc != Z_OK && rc != Z_BUF_ERROR) return Result::invalid;
        if (z.avail_in == 0 && z.avail_out != 0) return Result::ok;
    }
}

WebSocketInflater::Result WebSocketInflater::decompress(std::string_view compressed, std::uint64_t max_size,
                                                        std::string& out) {
    out.clear();
    std::size_t pos = 0;
    while (pos < compressed.size() && !z_->ended) {
        std::string_view piece = compressed.substr(pos, kMaxPiece);  // zlib counts in 32 bits
        Result r = inflate_some(piece, max_size, out);
        if (r != Result::ok) return r;
        pos += piece.size() - z_->z.avail_in;
    }
    // Bytes after a final block are ignored: RFC 7692's own example (section 7.2.3.4) pads
    // one there.
    if (!z_->ended) {
        Result r = inflate_some(kTailView, max_size, out);
        if (r != Result::ok) return r;
        // The tail must have completed a block: otherwise the message was cut short, and the
        // next one would be read as the rest of this.
        if (!z_->ended && (z_->z.data_type & 128) == 0) return Result::invalid;
    }
    if (z_->ended || no_context_takeover_) {
        inflateReset(&z_->z);
        z_->ended = false;
    }
    return Result::ok;
}

}  // namespace squall
