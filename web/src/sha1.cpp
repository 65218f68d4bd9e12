// SHA-1 as FIPS 180-4 section 6.1 gives it: 64-byte blocks, eighty rounds over a 16-word
// rolling message schedule. Internal. Stands in for hashlib.sha1 in tornado/web.py (4.0).
#include "sha1.h"

#include <cstdint>
#include <cstring>

namespace squall::detail {
namespace {

constexpr std::uint32_t rotl(std::uint32_t x, int n) noexcept { return (x << n) | (x >> (32 - n)); }

std::uint32_t load_be32(const unsigned char* p) noexcept {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

/// One 64-byte block into the state `h`.
void compress(std::array<std::uint32_t, 5>& h, const unsigned char* block) noexcept {
    std::uint32_t w[16];
    for (int i = 0; i < 16; ++i) w[i] = load_be32(block + 4 * i);
    std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    auto round = [&](std::uint32_t f, std::uint32_t k, std::uint32_t wt) {
        std::uint32_t temp = rotl(a, 5) + f + e + k + wt;
        e = d;
        d = c;
        c = rotl(b, 30);
        b = a;
        a = temp;
    };
    // W[t] = ROTL1(W[t-3] ^ W[t-8] ^ W[t-14] ^ W[t-16]), kept in sixteen words.
    auto next = [&](int t) {
        std::uint32_t wt = rotl(w[(t + 13) & 15] ^ w[(t + 8) & 15] ^ w[(t + 2) & 15] ^ w[t & 15], 1);
        w[t & 15] = wt;
        return wt;
    };
    // Four loops of twenty rounds, each unrolled: no per-round choice of function and constant,
    // and the schedule's indices become constants (a rolled loop cost three times as much).
#pragma GCC unroll 16
    for (int t = 0; t < 16; ++t) round((b & c) | (~b & d), 0x5A827999u, w[t]);
#pragma GCC unroll 4
    for (int t = 16; t < 20; ++t) round((b & c) | (~b & d), 0x5A827999u, next(t));
#pragma GCC unroll 20
    for (int t = 20; t < 40; ++t) round(b ^ c ^ d, 0x6ED9EBA1u, next(t));
#pragma GCC unroll 20
    for (int t = 40; t < 60; ++t) round((b & c) | (b & d) | (c & d), 0x8F1BBCDCu, next(t));
#pragma GCC unroll 20
    for (int t = 60; t < 80; ++t) round(b ^ c ^ d, 0xCA62C1D6u, next(t));
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
}

}  // namespace

std::array<unsigned char, 20> sha1(std::string_view data) noexcept {
    std::array<std::uint32_t, 5> h{0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u};
    auto p = reinterpret_cast<const unsigned char*>(data.data());
    std::size_t n = data.size();
    for (; n >= 64; p += 64, n -= 64) compress(h, p);
    // The tail, 0x80, zeros up to 56 bytes into a block, then the length in bits, big-endian:
    // one block, or two when the tail leaves no room for the length.
    unsigned char last[128] = {};
    std::memcpy(last, p, n);
    last[n] = 0x80;
    const std::size_t blocks = n < 56 ? 1 : 2;
    const std::uint64_t bits = std::uint64_t{data.size()} * 8;
    for (int i = 0; i < 8; ++i) last[64 * blocks - 1 - i] = static_cast<unsigned char>(bits >> (8 * i));
    compress(h, last);
    if (blocks == 2) compress(h, last + 64);
    std::array<unsigned char, 20> out;
    for (int i = 0; i < 5; ++i) {
        out[4 * i] = static_cast<unsigned char>(h[i] >> 24);
        out[4 * i + 1] = static_cast<unsigned char>(h[i] >> 16);
        out[4 * i + 2] = static_cast<unsigned char>(h[i] >> 8);
        out[4 * i + 3] = static_cast<unsigned char>(h[i]);
    }
    return out;
}

}  // namespace squall::detail
