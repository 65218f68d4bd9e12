// Digests, HMACs, hex and random bytes over libcrypto. Internal. Stands in for the
// Python standard modules tornado/web.py uses for signing and hashing.
#include "crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <cstring>
#include <stdexcept>

namespace squall::detail {
namespace {

/// Fetched once per thread: an implicit fetch on every call costs more than hashing a small body.
const EVP_MD* md(Digest d) {
    struct Fetched {
        EVP_MD* md5 = EVP_MD_fetch(nullptr, "MD5", nullptr);
        EVP_MD* sha1 = EVP_MD_fetch(nullptr, "SHA1", nullptr);
        EVP_MD* sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
        ~Fetched() {
            EVP_MD_free(md5);
            EVP_MD_free(sha1);
            EVP_MD_free(sha256);
        }
    };
    static thread_local Fetched fetched;
    const EVP_MD* m = d == Digest::md5 ? fetched.md5 : d == Digest::sha1 ? fetched.sha1 : fetched.sha256;
    if (!m) throw std::runtime_error("digest unavailable in OpenSSL");
    return m;
}

}  // namespace

void append_hex(std::string& out, const unsigned char* bytes, std::size_t n) {
    // Two digits per byte from one table, written into space sized once (an ETag per response).
    static constexpr auto pairs = [] {
        std::array<char, 512> t{};
        constexpr char digits[] = "0123456789abcdef";
        for (int i = 0; i < 256; ++i) {
            t[2 * i] = digits[i >> 4];
            t[2 * i + 1] = digits[i & 15];
        }
        return t;
    }();
    const std::size_t at = out.size();
    out.resize(at + 2 * n);
    char* p = out.data() + at;
    for (std::size_t i = 0; i < n; ++i) std::memcpy(p + 2 * i, &pairs[2 * std::size_t{bytes[i]}], 2);
}

Hasher::Hasher(Digest d) : ctx_(EVP_MD_CTX_new()) {
    if (!ctx_ || EVP_DigestInit_ex(ctx_, md(d), nullptr) != 1) {
        EVP_MD_CTX_free(ctx_);
        throw std::runtime_error("EVP_DigestInit_ex failed");
    }
}

Hasher::~Hasher() { EVP_MD_CTX_free(ctx_); }

void Hasher::update(std::string_view data) { EVP_DigestUpdate(ctx_, data.data(), data.size()); }

void Hasher::append_hex_digest(std::string& out) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestFinal_ex(ctx_, md, &n);
    append_hex(out, md, n);
}

std::string Hasher::hex_digest() {
    std::string out;
    out.reserve(2 * EVP_MAX_MD_SIZE);
    append_hex_digest(out);
    return out;
}

std::string hex_digest(Digest d, std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (EVP_Digest(data.data(), data.size(), out, &n, md(d), nullptr) != 1) throw std::runtime_error("EVP_Digest failed");
    return hex_encode(std::string_view(reinterpret_cast<const char*>(out), n));
}

std::string hmac_hex(Digest d, std::string_view key, std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (!HMAC(md(d), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
              data.size(), out, &n))
        throw std::runtime_error("HMAC failed");
    return hex_encode(std::string_view(reinterpret_cast<const char*>(out), n));
}

std::string hex_encode(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size() * 2);
    append_hex(out, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    return out;
}

static int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::optional<std::string> hex_decode(std::string_view hex) {
    if (hex.size() % 2) return std::nullopt;
    std::string out;
    out.reserve(hex.size() / 2);
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        int hi = hex_value(hex[i]), lo = hex_value(hex[i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out += static_cast<char>(hi * 16 + lo);
    }
    return out;
}

std::string random_bytes(std::size_t n) {
    std::string out(n, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
        throw std::runtime_error("RAND_bytes failed");
    return out;
}

bool constant_time_equals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace squall::detail
