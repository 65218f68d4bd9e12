// permessage-deflate's parameter negotiation (RFC 7692 section 7.1), for the server answering
// offers and the client checking the answer. Part of squall-websocket; models the extension
// handling of tornado/websocket.py's WebSocketProtocol13 (4.0).
#include <algorithm>
#include <string>

#include "squall/websocket_deflate.h"

namespace squall {
namespace {

constexpr std::string_view kName = "permessage-deflate";
// zlib's raw deflate cannot compress with an 8-bit window (it silently uses 9), so this side
// never promises one for its own compressor; it can always decompress one.
constexpr int kMinCompressorBits = 9;

/// RFC 7692's window bits: 8-15 in decimal without leading zeros.
std::optional<int> window_bits(const std::optional<std::string>& value) {
    if (!value || value->size() > 2 || value->empty() || (*value)[0] == '0') return std::nullopt;
    int bits = 0;
    for (char c : *value) {
        if (c < '0' || c > '9') return std::nullopt;
        bits = bits * 10 + (c - '0');
    }
    if (bits < 8 || bits > 15) return std::nullopt;
    return bits;
}

/// The parameters of one permessage-deflate element, each at most once and valid; nullopt
/// otherwise (an offer to decline, or an answer that fails the connection).
struct ParsedParameters {
    bool server_no_context_takeover = false;
    bool client_no_context_takeover = false;
    std::optional<int> server_max_window_bits;
    bool client_max_window_bits_present = false;
    std::optional<int> client_max_window_bits;  // the value, when the parameter had one
};

bool set_once(bool& seen) {
    if (seen) return false;
    seen = true;
    return true;
}

std::optional<ParsedParameters> parse_parameters(const WebSocketExtension& element) {
    ParsedParameters p;
    bool seen_server_bits = false;
    for (const auto& [name, value] : element.params) {
        if (name == "server_no_context_takeover" || name == "client_no_context_takeover") {
            bool& flag = name[0] == 's' ? p.server_no_context_takeover : p.client_no_context_takeover;
            if (value || !set_once(flag)) return std::nullopt;
        } else if (name == "server_max_window_bits") {
            if (!set_once(seen_server_bits)) return std::nullopt;
            p.server_max_window_bits = window_bits(value);
            if (!p.server_max_window_bits) return std::nullopt;
        } else if (name == "client_max_window_bits") {
            if (!set_once(p.client_max_window_bits_present)) return std::nullopt;
            if (value) {
                p.client_max_window_bits = window_bits(value);
                if (!p.client_max_window_bits) return std::nullopt;
            }
        } else {
            return std::nullopt;
        }
    }
    return p;
}

int compressor_bits(const WebSocketCompressionOptions& options) {
    return std::clamp(options.max_window_bits, kMinCompressorBits, 15);
}

/// The server's terms for one offer, or nullopt when it cannot honour it.
std::optional<DeflateParameters> terms_for(const ParsedParameters& offer, const WebSocketCompressionOptions& options) {
    DeflateParameters terms;
    terms.server_no_context_takeover = offer.server_no_context_takeover || options.no_context_takeover;
    terms.client_no_context_takeover = offer.client_no_context_takeover;
    terms.server_max_window_bits = compressor_bits(options);
    if (offer.server_max_window_bits) {
        if (*offer.server_max_window_bits < kMinCompressorBits) return std::nullopt;
        terms.server_max_window_bits = std::min(terms.server_max_window_bits, *offer.server_max_window_bits);
    }
    terms.client_max_window_bits = offer.client_max_window_bits.value_or(15);
    return terms;
}

}  // namespace

std::optional<DeflateParameters> accept_deflate_offer(const std::vector<WebSocketExtension>& offers,
                                                      const WebSocketCompressionOptions& options) {
    for (const auto& offer : offers) {
        if (offer.name != kName) continue;
        auto parsed = parse_parameters(offer);
        if (!parsed) continue;
        if (auto terms = terms_for(*parsed, options)) return terms;
    }
    return std::nullopt;
}

std::string deflate_response(const DeflateParameters& p) {
    std::string out(kName);
    if (p.server_no_context_takeover) out += "; server_no_context_takeover";
    if (p.client_no_context_takeover) out += "; client_no_context_takeover";
    if (p.server_max_window_bits < 15) out += "; server_max_window_bits=" + std::to_string(p.server_max_window_bits);
    if (p.client_max_window_bits < 15) out += "; client_max_window_bits=" + std::to_string(p.client_max_window_bits);
    return out;
}

std::string deflate_offer(const WebSocketCompressionOptions& options) {
    std::string out(kName);
    if (options.no_context_takeover) out += "; client_no_context_takeover";
    int bits = compressor_bits(options);
    out += "; client_max_window_bits";
    if (bits < 15) out += "=" + std::to_string(bits);
    return out;
}

std::optional<DeflateParameters> accept_deflate_response(const std::vector<WebSocketExtension>& response,
                                                         const WebSocketCompressionOptions& options) {
    // One extension was offered, so the answer holds that one alone.
    if (response.size() != 1 || response[0].name != kName) return std::nullopt;
    auto parsed = parse_parameters(response[0]);
    if (!parsed) return std::nullopt;
    DeflateParameters terms;
    terms.server_no_context_takeover = parsed->server_no_context_takeover;
    terms.client_no_context_takeover = parsed->client_no_context_takeover || options.no_context_takeover;
    terms.server_max_window_bits = parsed->server_max_window_bits.value_or(15);
    terms.client_max_window_bits = compressor_bits(options);
    if (parsed->client_max_window_bits_present) {
        // The server may only lower the limit the offer named, and it must name one.
        if (!parsed->client_max_window_bits || *parsed->client_max_window_bits < kMinCompressorBits ||
            *parsed->client_max_window_bits > terms.client_max_window_bits)
            return std::nullopt;
        terms.client_max_window_bits = *parsed->client_max_window_bits;
    }
    return terms;
}

}  // namespace squall
