// SHA-1 as FIPS 180-4 section 6.1 gives it: 64-byte blocks, eighty rounds over a 16-word
// rolling message schedule. Internal. Stands in for hashlib.sha1 in tornado/web.py (4.0).
#include "sha1.h"

#include <algorithm>
#include <cstring>

namespace squall::detail {
namespace {

constexpr std::uint32_t rotl(std::uint32_t x, int n) noexcept { return (x << n) | (x >> (32 - n)); }

std::uint32_t load_be32(const unsigned char* p) noexcept {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

}  // namespace

void Sha1::compress(const unsigned char* block) noexcept {
    std::uint32_t w[16];
    for (int i = 0; i < 16; ++i) w[i] = load_be32(block + 4 * i);
    std::uint32_t a = h_[0], b = h_[1], c = h_[2], d = h_[3], e = h_[4];
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
    h_[0] += a;
    h_[1] += b;
    h_[2] += c;
    h_[3] += d;
    h_[4] += e;
}

void Sha1::update(std::string_view data) noexcept {
    auto p = reinterpret_cast<const unsigned char*>(data.data());
    std::size_t n = data.size();
    total_ += n;
    if (pending_size_ > 0) {
        std::size_t take = std::min(n, pending_.size() - pending_size_);
        std::memcpy(pending_.data() + pending_size_, p, take);
        pending_size_ += take;
        p += take;
        n -= take;
        if (pending_size_ < pending_.size()) return;
        compress(pending_.data());
        pending_size_ = 0;
    }
    for (; n >= 64; p += 64, n -= 64) compress(p);
    if (n > 0) std::memcpy(pending_.data(), p, n);
    pending_size_ = n;
}

std::array<unsigned char, 20> Sha1::digest() noexcept {
    // Padding: 0x80, zeros up to 56 bytes into a block, then the length in bits, big-endian.
    const std::uint64_t bits = total_ * 8;
    pending_[pending_size_++] = 0x80;
    if (pending_size_ > 56) {
        std::memset(pending_.data() + pending_size_, 0, 64 - pending_size_);
        compress(pending_.data());
        pending_size_ = 0;
    }
    std::memset(pending_.data() + pending_size_, 0, 56 - pending_size_);
    for (int i = 0; i < 8; ++i) pending_[56 + i] = static_cast<unsigned char>(bits >> (56 - 8 * i));
    compress(pending_.data());
    std::array<unsigned char, 20> out;
    for (int i = 0; i < 5; ++i) {
        out[4 * i] = static_cast<unsigned char>(h_[i] >> 24);
        out[4 * i + 1] = static_cast<unsigned char>(h_[i] >> 16);
        out[4 * i + 2] = static_cast<unsigned char>(h_[i] >> 8);
        out[4 * i + 3] = static_cast<unsigned char>(h_[i]);
    }
    return out;
}

void Sha1::append_hex_digest(std::string& out) {
    // Two digits per byte from one table: a byte at a time, not a nibble.
    static constexpr auto pairs = [] {
        std::array<char, 512> t{};
        constexpr char digits[] = "0123456789abcdef";
        for (int i = 0; i < 256; ++i) {
            t[2 * i] = digits[i >> 4];
            t[2 * i + 1] = digits[i & 15];
        }
        return t;
    }();
    const auto d = digest();
    char hex[40];
    for (std::size_t i = 0; i < d.size(); ++i) std::memcpy(hex + 2 * i, &pairs[2 * d[i]], 2);
    out.append(hex, sizeof hex);
}

}  // namespace squall::detail
