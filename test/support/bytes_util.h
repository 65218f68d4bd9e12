// Byte helpers for tests that check bodies: gzip and gunzip (zlib) and hex digests (OpenSSL),
// computed independently of squall's own code. Internal test header (link zlib to use it).
#pragma once

#include <openssl/evp.h>
#include <zlib.h>

#include <cstdio>
#include <stdexcept>
#include <string>
#include <string_view>

namespace squall::testing {

inline std::string gzip(std::string_view data) {
    z_stream z{};
    deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    std::string out(deflateBound(&z, static_cast<uLong>(data.size())) + 32, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.avail_in = static_cast<uInt>(data.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

/// Throws std::runtime_error unless `data` is one complete gzip stream (of at most 64 MiB).
inline std::string gunzip(std::string_view data) {
    z_stream z{};
    inflateInit2(&z, 16 + MAX_WBITS);
    std::string out(64 << 20, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.avail_in = static_cast<uInt>(data.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    int rc = inflate(&z, Z_FINISH);
    out.resize(z.total_out);
    inflateEnd(&z);
    if (rc != Z_STREAM_END) throw std::runtime_error("bad gzip stream");
    return out;
}

/// Lower-case hex of a digest such as EVP_md5() or EVP_sha256().
inline std::string digest_hex(const EVP_MD* md, std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_Digest(data.data(), data.size(), out, &n, md, nullptr);
    std::string hex;
    for (unsigned i = 0; i < n; ++i) {
        char b[3];
        std::snprintf(b, sizeof b, "%02x", out[i]);
        hex += b;
    }
    return hex;
}

}  // namespace squall::testing
