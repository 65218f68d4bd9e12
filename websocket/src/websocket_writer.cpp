// Frame writing and masking for squall/websocket_frame.h (RFC 6455 sections 5.2 and 5.3). The
// mask loop is the hot path of a client's sends and a server's reads: 16 bytes at a time with
// SSE2 where the compiler targets it (every x86-64), 8 at a time elsewhere.
#include <cstring>

#include "squall/websocket_frame.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace squall {

namespace {

/// The key as it lies over the payload from `offset` on: four bytes, as one word in memory order.
std::uint32_t phased_key(const unsigned char key[4], std::uint64_t offset) noexcept {
    unsigned char phased[4];
    for (std::size_t j = 0; j < 4; ++j) phased[j] = key[(offset + j) & 3];
    std::uint32_t word;
    std::memcpy(&word, phased, 4);
    return word;
}

}  // namespace

void websocket_mask(char* data, std::size_t n, const unsigned char key[4], std::uint64_t offset) noexcept {
    // Short messages are the common case, so the setup is a few instructions, not a table.
    const std::uint32_t word = phased_key(key, offset);
    std::size_t i = 0;
#if defined(__SSE2__)
    const __m128i m = _mm_set1_epi32(static_cast<int>(word));
    for (; i + 64 <= n; i += 64) {
        auto* p = reinterpret_cast<__m128i*>(data + i);
        __m128i a = _mm_loadu_si128(p), b = _mm_loadu_si128(p + 1), c = _mm_loadu_si128(p + 2),
                d = _mm_loadu_si128(p + 3);
        _mm_storeu_si128(p, _mm_xor_si128(a, m));
        _mm_storeu_si128(p + 1, _mm_xor_si128(b, m));
        _mm_storeu_si128(p + 2, _mm_xor_si128(c, m));
        _mm_storeu_si128(p + 3, _mm_xor_si128(d, m));
    }
    for (; i + 16 <= n; i += 16) {
        auto* p = reinterpret_cast<__m128i*>(data + i);
        _mm_storeu_si128(p, _mm_xor_si128(_mm_loadu_si128(p), m));
    }
#endif
    // Every step above is a multiple of 4 bytes, so the pattern's phase still holds here.
    const std::uint64_t word_mask = (std::uint64_t{word} << 32) | word;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t w;
        std::memcpy(&w, data + i, 8);
        w ^= word_mask;
        std::memcpy(data + i, &w, 8);
    }
    for (; i < n; ++i) data[i] = static_cast<char>(data[i] ^ key[(offset + i) & 3]);
}

void write_websocket_frame_header(std::string& out, WebSocketOpcode opcode, std::uint64_t n, bool fin,
                                  const unsigned char* mask_key, bool rsv1) {
    unsigned char head[14];
    std::size_t h = 0;
    head[h++] = static_cast<unsigned char>((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | static_cast<std::uint8_t>(opcode));
    const unsigned char mask_bit = mask_key ? 0x80 : 0;
    if (n < 126) {
        head[h++] = static_cast<unsigned char>(mask_bit | n);
    } else if (n <= 0xFFFF) {
        head[h++] = mask_bit | 126;
        head[h++] = static_cast<unsigned char>(n >> 8);
        head[h++] = static_cast<unsigned char>(n);
    } else {
        head[h++] = mask_bit | 127;
        for (int shift = 56; shift >= 0; shift -= 8) head[h++] = static_cast<unsigned char>(n >> shift);
    }
    if (mask_key) {
        std::memcpy(head + h, mask_key, 4);
        h += 4;
    }
    out.append(reinterpret_cast<const char*>(head), h);
}

void write_websocket_frame(std::string& out, WebSocketOpcode opcode, std::string_view payload, bool fin,
                           const unsigned char* mask_key, bool rsv1) {
    write_websocket_frame_header(out, opcode, payload.size(), fin, mask_key, rsv1);
    const std::size_t at = out.size();
    out.append(payload);
    if (mask_key) websocket_mask(out.data() + at, payload.size(), mask_key);
}

std::string websocket_close_payload(std::uint16_t code, std::string_view reason) {
    if (code == websocket_close::no_status) return {};
    // A control frame carries at most 125 bytes: the code and 123 of the reason, cut before a
    // continuation byte so the reason stays UTF-8.
    constexpr std::size_t max_reason = 123;
    if (reason.size() > max_reason) {
        std::size_t cut = max_reason;
        while (cut > 0 && (static_cast<unsigned char>(reason[cut]) & 0xC0) == 0x80) --cut;
        reason = reason.substr(0, cut);
    }
    std::string out;
    out.reserve(2 + reason.size());
    out.push_back(static_cast<char>(code >> 8));
    out.push_back(static_cast<char>(code & 0xFF));
    out.append(reason);
    return out;
}

}  // namespace squall
