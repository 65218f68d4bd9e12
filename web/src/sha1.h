// SHA-1 (FIPS 180-4) for ETags, written here because a response's ETag hashes a few dozen
// bytes, where OpenSSL's EVP set-up and clean-up cost twice the hashing itself. Internal.
// Stands in for hashlib.sha1 as tornado/web.py (4.0) RequestHandler.compute_etag uses it; not
// for anything that needs collision resistance (signing stays on OpenSSL's HMAC).
#pragma once

#include <array>
#include <string_view>

namespace squall::detail {

/// The 20-byte SHA-1 digest of `data`.
std::array<unsigned char, 20> sha1(std::string_view data) noexcept;

}  // namespace squall::detail
