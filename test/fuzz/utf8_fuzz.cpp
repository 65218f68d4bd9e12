// Fuzz target: the incremental UTF-8 validator WebSocket text and request arguments go
// through. Fed whole or in pieces it must agree, and agree with a reference that decodes each
// code point and checks RFC 3629's ranges the slow way.
#include <cstdint>
#include <optional>

#include "fuzz_input.h"
#include "squall/detail/utf8.h"

namespace {

/// Decodes one code point at `i` (advancing it) or nullopt when the bytes there are not one.
std::optional<std::uint32_t> decode(std::string_view s, std::size_t& i) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > s.size()) return std::nullopt;
    std::uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    for (std::size_t k = 1; k < len; ++k) {
        const auto cc = static_cast<unsigned char>(s[i + k]);
        if ((cc >> 6) != 0x2) return std::nullopt;
        cp = (cp << 6) | (cc & 0x3F);
    }
    const std::uint32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < smallest[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
    i += len;
    return cp;
}

bool reference(std::string_view s) {
    for (std::size_t i = 0; i < s.size();)
        if (!decode(s, i)) return false;
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    squall::fuzz::Input in(data, size);
    const std::size_t piece = 1 + in.byte() % 9;
    std::string_view text = in.rest();
    const bool whole = squall::detail::is_valid_utf8(text);
    SQUALL_FUZZ_CHECK(whole == reference(text));
    squall::detail::Utf8Validator pieces;
    for (std::size_t at = 0; at < text.size(); at += piece) pieces.feed(text.substr(at, piece));
    SQUALL_FUZZ_CHECK(pieces.complete() == whole);
    return 0;
}
