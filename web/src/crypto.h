// Digests, HMACs, hex and random bytes over OpenSSL's libcrypto, for signed cookies,
// XSRF tokens, ETags and static-file versions. Internal. Stands in for Python's hashlib, hmac,
// base64, binascii and os.urandom as tornado/web.py uses them.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace squall::detail {

enum class Digest { md5, sha1, sha256 };

/// A running digest, fed piece by piece (large files never sit in memory whole).
class Hasher {
public:
    explicit Hasher(Digest d);
    ~Hasher();
    Hasher(const Hasher&) = delete;
    Hasher& operator=(const Hasher&) = delete;
    void update(std::string_view data);
    /// Lower-case hex of the digest; the hasher is spent afterwards.
    std::string hex_digest();
    /// The same, appended to `out`.
    void append_hex_digest(std::string& out);

private:
    ::evp_md_ctx_st* ctx_;  // EVP_MD_CTX, without pulling OpenSSL's headers in here
};

std::string hex_digest(Digest d, std::string_view data);
std::string hmac_hex(Digest d, std::string_view key, std::string_view data);

std::string hex_encode(std::string_view bytes);
/// Lower-case hex of `n` bytes, appended to `out`.
void append_hex(std::string& out, const unsigned char* bytes, std::size_t n);
/// Even-length hex (either case) to bytes; nullopt for anything else.
std::optional<std::string> hex_decode(std::string_view hex);
/// Bytes from the system's CSPRNG (OpenSSL's RAND_bytes); throws std::runtime_error if it fails.
std::string random_bytes(std::size_t n);
/// Compares in time that depends only on the lengths (hmac.compare_digest).
bool constant_time_equals(std::string_view a, std::string_view b) noexcept;

}  // namespace squall::detail
