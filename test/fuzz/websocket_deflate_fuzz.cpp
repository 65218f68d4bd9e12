// Fuzz target: permessage-deflate's peer input. The first line is a Sec-WebSocket-Extensions
// value, negotiated from both sides; the rest is two compressed messages for one inflater
// under a budget. Every answer the server builds must parse back, nothing may pass its
// budget, and what inflates must survive a compress-inflate round trip.
#include <cstdint>

#include "fuzz_input.h"
#include "squall/websocket_deflate.h"

namespace {

using namespace squall;

void negotiate(std::string_view header, const WebSocketCompressionOptions& options) {
    auto extensions = parse_websocket_extensions(header);
    if (!extensions) return;
    SQUALL_FUZZ_CHECK(extensions->size() <= 32);
    if (auto terms = accept_deflate_offer(*extensions, options)) {
        SQUALL_FUZZ_CHECK(terms->server_max_window_bits >= 9 && terms->server_max_window_bits <= 15);
        SQUALL_FUZZ_CHECK(terms->client_max_window_bits >= 8 && terms->client_max_window_bits <= 15);
        auto answer = parse_websocket_extensions(deflate_response(*terms));
        SQUALL_FUZZ_CHECK(answer && answer->size() == 1 && (*answer)[0].name == "permessage-deflate");
    }
    if (auto terms = accept_deflate_response(*extensions, options))
        SQUALL_FUZZ_CHECK(terms->client_max_window_bits >= 9 && terms->client_max_window_bits <= options.max_window_bits);
}

void round_trip(const std::string& message, int bits) {
    WebSocketDeflater deflater(bits, false);
    WebSocketInflater inflater(bits, false);
    std::string again;
    SQUALL_FUZZ_CHECK(inflater.decompress(deflater.compress(message), message.size(), again) ==
                      WebSocketInflater::Result::ok);
    SQUALL_FUZZ_CHECK(again == message);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    squall::fuzz::Input in(data, size);
    const std::uint8_t choice = in.byte();
    const int bits = 8 + (choice & 7);
    const bool no_context_takeover = choice & 8;
    const std::uint64_t budget = std::uint64_t{1} << (8 + (choice >> 4));  // 256 B to 8 MiB
    const std::size_t split = in.byte() * 4;
    WebSocketCompressionOptions options;
    options.max_window_bits = bits < 9 ? 9 : bits;
    options.no_context_takeover = no_context_takeover;
    negotiate(in.line(), options);

    std::string_view rest = in.rest();
    const std::string_view messages[] = {rest.substr(0, split), split < rest.size() ? rest.substr(split) : ""};
    WebSocketInflater inflater(bits, no_context_takeover);
    for (std::string_view compressed : messages) {
        std::string out;
        auto result = inflater.decompress(compressed, budget, out);
        SQUALL_FUZZ_CHECK(out.size() <= budget + 1);
        if (result != WebSocketInflater::Result::ok) break;
        SQUALL_FUZZ_CHECK(out.size() <= budget);
        round_trip(out, options.max_window_bits);
    }
    return 0;
}
