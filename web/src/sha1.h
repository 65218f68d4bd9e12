// SHA-1 (FIPS 180-4) for ETags, written here because a response's ETag hashes a few dozen
// bytes, where OpenSSL's EVP set-up and clean-up cost twice the hashing itself. Internal.
// Stands in for hashlib.sha1 as tornado/web.py (4.0) RequestHandler.compute_etag uses it; not
// for anything that needs collision resistance (signing stays on OpenSSL's HMAC).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace squall::detail {

class Sha1 {
public:
    void update(std::string_view data) noexcept;
    /// The 20-byte digest; the object is spent afterwards.
    std::array<unsigned char, 20> digest() noexcept;
    /// The digest as 40 lower-case hex digits, appended to `out`.
    void append_hex_digest(std::string& out);

private:
    void compress(const unsigned char* block) noexcept;

    std::array<std::uint32_t, 5> h_{0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u, 0xC3D2E1F0u};
    std::array<unsigned char, 64> pending_{};  // a partial block
    std::size_t pending_size_ = 0;
    std::uint64_t total_ = 0;  // bytes fed
};

}  // namespace squall::detail
