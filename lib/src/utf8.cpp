// The incremental UTF-8 validator of squall/detail/utf8.h: a byte-at-a-time state machine
// with a word-at-a-time skip over ASCII, which most text is.
#include "squall/detail/utf8.h"

#include <cstring>

namespace squall::detail {
namespace {

constexpr std::uint64_t high_bits = 0x8080808080808080ull;

/// Bytes from `i` on that are ASCII, eight at a time.
std::size_t skip_ascii(const unsigned char* p, std::size_t i, std::size_t n) noexcept {
    while (i + 8 <= n) {
        std::uint64_t word;
        std::memcpy(&word, p + i, 8);
        if (word & high_bits) break;
        i += 8;
    }
    return i;
}

}  // namespace

bool Utf8Validator::feed(std::string_view bytes) noexcept {
    if (failed_) return false;
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    const std::size_t n = bytes.size();
    std::size_t i = 0;
    while (i < n) {
        const unsigned char c = p[i];
        if (pending_ != 0) {
            if (c < lo_ || c > hi_) return !(failed_ = true);
            --pending_;
            lo_ = 0x80;
            hi_ = 0xBF;
            ++i;
            continue;
        }
        if (c < 0x80) {
            i = skip_ascii(p, i + 1, n);
            continue;
        }
        // The lead byte says how many continuation bytes follow, and for E0, ED, F0 and F4
        // narrows the first of them (no overlong forms, no surrogates, nothing past U+10FFFF).
        if (c >= 0xC2 && c <= 0xDF) {
            pending_ = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            pending_ = 2;
            if (c == 0xE0) lo_ = 0xA0;
            if (c == 0xED) hi_ = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            pending_ = 3;
            if (c == 0xF0) lo_ = 0x90;
            if (c == 0xF4) hi_ = 0x8F;
        } else {
            return !(failed_ = true);
        }
        ++i;
    }
    return true;
}

}  // namespace squall::detail
