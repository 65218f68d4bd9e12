// Gzip output transform. Internal. Models tornado/web.py (4.0) GZipContentEncoding.
#include "gzip_transform.h"

#include <stdexcept>

#include "squall/detail/ascii.h"

namespace squall::detail {

GZipTransform::GZipTransform(const HTTPHeaders& request_headers)
    : gzipping_(request_headers.get("Accept-Encoding").find("gzip") != std::string::npos) {}

GZipTransform::~GZipTransform() {
    if (started_) deflateEnd(&z_);
}

bool GZipTransform::compressible_type(std::string_view t) {
    return t.starts_with("text/") || t == "application/javascript" || t == "application/x-javascript" ||
           t == "application/xml" || t == "application/atom+xml" || t == "application/json" ||
           t == "application/xhtml+xml" || t == "image/svg+xml";
}

void GZipTransform::transform_first_chunk(int, HTTPHeaders& headers, std::string& chunk, bool finishing) {
    // Caches must key on Accept-Encoding whether or not this response is compressed.
    if (auto vary = headers.find("Vary")) headers.set("Vary", std::string(*vary) + ", Accept-Encoding");
    else headers.set("Vary", "Accept-Encoding");
    if (!gzipping_) return;
    std::string ctype = headers.get("Content-Type");
    std::string_view type = trim_ows(std::string_view(ctype).substr(0, ctype.find(';')));
    gzipping_ = compressible_type(ascii_lowercase(type)) && (!finishing || chunk.size() >= min_length) &&
                (finishing || !headers.contains("Content-Length")) && !headers.contains("Content-Encoding");
    if (!gzipping_) return;
    headers.set("Content-Encoding", "gzip");
    transform_chunk(chunk, finishing);
    if (headers.contains("Content-Length")) {
        if (finishing) headers.set("Content-Length", std::to_string(chunk.size()));
        else headers.erase("Content-Length");
    }
}

void GZipTransform::transform_chunk(std::string& chunk, bool finishing) {
    if (!gzipping_) return;
    if (!started_) {
        if (deflateInit2(&z_, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
            throw std::runtime_error("deflateInit2 failed");
        started_ = true;
    }
    std::string out;
    out.resize(deflateBound(&z_, chunk.size()) + 64);
    z_.next_in = reinterpret_cast<Bytef*>(chunk.data());
    z_.avail_in = static_cast<uInt>(chunk.size());
    std::size_t produced = 0;
    int flush = finishing ? Z_FINISH : Z_SYNC_FLUSH;
    while (true) {
        if (produced == out.size()) out.resize(out.size() * 2);
        z_.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
        z_.avail_out = static_cast<uInt>(out.size() - produced);
        int rc = deflate(&z_, flush);
        produced = out.size() - z_.avail_out;
        if (rc == Z_STREAM_END) break;
        if (rc != Z_OK && rc != Z_BUF_ERROR) throw std::runtime_error("deflate failed");
        if (z_.avail_out != 0 && z_.avail_in == 0 && !finishing) break;  // sync flush complete
    }
    out.resize(produced);
    chunk = std::move(out);
}

}  // namespace squall::detail
