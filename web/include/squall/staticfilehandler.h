// StaticFileHandler: serves files under a root directory (sendfile for large ones), with
// HEAD, single byte ranges (206/416), Last-Modified / If-Modified-Since, ETag / If-None-Match,
// cache headers for versioned URLs, a default file for directories, and a traversal guard
// (.., encoded forms, absolute paths and symlinks never leave the root). Public header.
// Models tornado/web.py (4.0) StaticFileHandler with 4.2.1's strict root check.
#pragma once

#include "squall/detail/require_cxx20.h"

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>

#include "squall/requesthandler.h"

namespace squall {

class StaticFileHandler : public RequestHandler {
public:
    /// Ten years: versioned URLs (?v=hash) never change content.
    static constexpr std::int64_t cache_max_age = 86400LL * 365 * 10;
    /// Files up to this size are read and sent in one piece (gzip can take them); larger ones
    /// go out with send_file, never in memory whole.
    static constexpr std::size_t chunk_size = 64 * 1024;

    /// `path`: the root directory; `default_filename`: served for a directory (e.g. index.html).
    void initialize(std::string path, std::string default_filename = {});
    Future<void> get() override;
    Future<void> head() override;

    // Overridables (Tornado's names).
    /// The route's captured path to a path under the root.
    virtual std::string parse_url_path(const std::string& url_path) { return url_path; }
    /// The file to serve, or nullopt when the request was answered (redirect to add a slash).
    /// Throws HTTPError 403 outside the root or for a non-file, 404 when missing.
    virtual std::optional<std::string> validate_absolute_path(const std::string& root, const std::string& absolute_path);
    virtual std::string get_content_type();
    /// Seconds the client may cache the response (cache_max_age for ?v= URLs, else 0).
    virtual std::int64_t get_cache_time();
    virtual void set_extra_headers() {}
    virtual bool should_return_304();
    /// `"<mtime>-<size>"` in hex, from the file's metadata (no read, so HEAD stays cheap).
    std::optional<std::string> compute_etag() override;

    const std::string& root() const noexcept { return root_; }
    /// The file being served (after validation).
    const std::string& absolute_path() const noexcept { return absolute_path_; }
    std::uint64_t content_size() const noexcept { return size_; }
    std::time_t modified_time() const noexcept { return mtime_; }

    ~StaticFileHandler() override;

private:
    Future<void> serve(bool include_body);
    void set_headers();
    void close_file() noexcept;
    void record_stat(std::uint64_t size, std::timespec mtime) noexcept;

    std::string root_, default_filename_, absolute_path_;
    std::uint64_t size_ = 0;
    std::time_t mtime_ = 0;
    std::int64_t mtime_ns_ = 0;
    int file_fd_ = -1;  // opened by validate_absolute_path, taken by serve
};

/// The MIME type for a file name by its extension (application/octet-stream when unknown).
std::string guess_mime_type(std::string_view filename);

}  // namespace squall
