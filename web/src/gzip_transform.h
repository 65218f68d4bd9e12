// Gzip output for handlers when compress_response is on: decides from the request's
// Accept-Encoding and the response's type and size, then compresses each flushed piece.
// Internal. Models tornado/web.py (4.0) GZipContentEncoding with 4.3's 1024-byte minimum.
#pragma once

#include <zlib.h>

#include <string>

#include "squall/http_headers.h"

namespace squall::detail {

class GZipTransform {
public:
    /// Smaller bodies (when sent whole) are not worth the gzip header and CPU.
    static constexpr std::size_t min_length = 1024;

    explicit GZipTransform(const HTTPHeaders& request_headers);
    ~GZipTransform();
    GZipTransform(const GZipTransform&) = delete;
    GZipTransform& operator=(const GZipTransform&) = delete;

    /// Adds Vary, decides whether to compress, and compresses the first piece in place.
    void transform_first_chunk(int status_code, HTTPHeaders& headers, std::string& chunk, bool finishing);
    /// Compresses a later piece in place (sync-flushed, or finished when `finishing`).
    void transform_chunk(std::string& chunk, bool finishing);
    bool gzipping() const noexcept { return gzipping_; }

    /// text/* and the JSON, JavaScript and XML types.
    static bool compressible_type(std::string_view content_type);

private:
    bool gzipping_;
    bool started_ = false;
    z_stream z_{};
};

}  // namespace squall::detail
