// StaticFileHandler: path validation, headers, conditional requests, ranges and streaming.
// Internal. Models tornado/web.py (4.0) StaticFileHandler.get / validate_absolute_path /
// should_return_304 / set_headers, with 4.2.1's root check, symlinks resolved, and the file
// opened beneath the root by the kernel (openat2), so nothing can be swapped in after the check.
#include "squall/staticfilehandler.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <map>
#include <utility>

#include "squall/application.h"

namespace squall {
namespace {

/// Lexical normalisation: "a/./b/../c" -> "a/c"; an absolute `rel` replaces the root, as
/// os.path.join does (the root check then refuses it).
std::string join_normalized(const std::string& root, const std::string& rel) {
    std::string joined = !rel.empty() && rel.front() == '/' ? rel : root + "/" + rel;
    std::vector<std::string_view> parts;
    std::string_view rest(joined);
    while (!rest.empty()) {
        std::size_t slash = rest.find('/');
        std::string_view part = rest.substr(0, slash);
        rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
        if (part.empty() || part == ".") continue;
        if (part == "..") {
            if (!parts.empty()) parts.pop_back();
            continue;
        }
        parts.push_back(part);
    }
    std::string out;
    for (auto p : parts) out.append("/").append(p);
    return out.empty() ? "/" : out;
}

std::optional<std::string> real_path(const std::string& p) {
    char buf[PATH_MAX];
    if (!::realpath(p.c_str(), buf)) return std::nullopt;
    return std::string(buf);
}

/// The root's real path, resolved once per root and thread (realpath costs a readlink per
/// path component; the root does not move while it is served).
const std::optional<std::string>& real_root(const std::string& root) {
    static thread_local std::map<std::string, std::optional<std::string>> cache;
    auto it = cache.find(root);
    if (it == cache.end() || !it->second) it = cache.insert_or_assign(root, real_path(root)).first;
    return it->second;
}

bool under(const std::string& path, const std::string& root) {
    return path.size() > root.size() && path.compare(0, root.size(), root) == 0 && path[root.size()] == '/';
}

/// `relative` (normalised, no "..") opened read-only beneath `root`: the kernel refuses any step
/// out of it (EXDEV: absolute or escaping symlinks), and with `no_symlinks` any symlink at all
/// (ELOOP). -1 with errno; ENOSYS where the kernel has no openat2 (Linux < 5.6).
int open_beneath(const std::string& root, const std::string& relative, bool no_symlinks) {
    int dir = ::open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) return -1;
    open_how how{};
    how.flags = O_RDONLY | O_CLOEXEC;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | (no_symlinks ? RESOLVE_NO_SYMLINKS : 0);
    long fd = ::syscall(SYS_openat2, dir, relative.empty() ? "." : relative.c_str(), &how, sizeof how);
    int saved = errno;
    ::close(dir);
    errno = saved;
    return static_cast<int>(fd);
}

struct FileCloser {
    int fd;
    ~FileCloser() {
        if (fd >= 0) ::close(fd);
    }
};

}  // namespace

std::string guess_mime_type(std::string_view name) {
    static const std::pair<std::string_view, std::string_view> types[] = {
        {".html", "text/html"}, {".htm", "text/html"}, {".css", "text/css"}, {".js", "application/javascript"},
        {".mjs", "application/javascript"}, {".json", "application/json"}, {".txt", "text/plain"},
        {".csv", "text/csv"}, {".xml", "application/xml"}, {".svg", "image/svg+xml"}, {".png", "image/png"},
        {".jpg", "image/jpeg"}, {".jpeg", "image/jpeg"}, {".gif", "image/gif"}, {".webp", "image/webp"},
        {".ico", "image/vnd.microsoft.icon"}, {".pdf", "application/pdf"}, {".wasm", "application/wasm"},
        {".woff", "font/woff"}, {".woff2", "font/woff2"}, {".mp4", "video/mp4"}, {".webm", "video/webm"},
        {".mp3", "audio/mpeg"}, {".zip", "application/zip"}, {".gz", "application/gzip"},
        {".tar", "application/x-tar"}, {".md", "text/markdown"},
    };
    std::size_t slash = name.rfind('/');
    std::string_view base = slash == std::string_view::npos ? name : name.substr(slash + 1);
    std::size_t dot = base.rfind('.');
    if (dot != std::string_view::npos) {
        std::string ext;
        for (char c : base.substr(dot)) ext += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        for (const auto& [e, type] : types)
            if (e == ext) return std::string(type);
    }
    return "application/octet-stream";
}

void StaticFileHandler::initialize(std::string path, std::string default_filename) {
    root_ = std::move(path);
    if (!root_.empty() && root_.front() != '/') {
        char cwd[PATH_MAX];
        if (::getcwd(cwd, sizeof cwd)) root_ = std::string(cwd) + "/" + root_;
    }
    default_filename_ = std::move(default_filename);
}

Future<void> StaticFileHandler::get() { return serve(true); }
Future<void> StaticFileHandler::head() { return serve(false); }

std::optional<std::string> StaticFileHandler::validate_absolute_path(const std::string& root,
                                                                     const std::string& absolute_path) {
    const auto& root_path = real_root(root);
    if (!root_path) throw HTTPError(404, "static root " + root + " does not exist");
    std::string lexical_root = join_normalized(root, "");
    if (absolute_path != lexical_root && !under(absolute_path, lexical_root) && !under(absolute_path, *root_path))
        throw HTTPError(403, absolute_path + " is not in root static directory");
    close_file();
    const std::string& base = under(absolute_path, lexical_root) || absolute_path == lexical_root ? lexical_root : *root_path;
    std::string relative = absolute_path.size() > base.size() ? absolute_path.substr(base.size() + 1) : "";
    // The common case in one call: the kernel keeps the lookup beneath the root.
    int fd = open_beneath(*root_path, relative, false);
    if (fd < 0 && (errno == EXDEV || errno == ENOSYS)) {
        // An absolute symlink (or one leading out), or an old kernel: decide by the real path,
        // then open exactly that path with no symlink allowed on the way.
        std::optional<std::string> resolved = real_path(absolute_path);
        if (!resolved) {
            if (errno == ENOENT || errno == ENOTDIR || errno == ENAMETOOLONG) throw HTTPError(404);
            throw HTTPError(403, absolute_path + " cannot be opened");
        }
        // Symlinks are followed, but never out of the root.
        if (*resolved != *root_path && !under(*resolved, *root_path))
            throw HTTPError(403, absolute_path + " is not in root static directory");
        std::string inside = resolved->size() > root_path->size() ? resolved->substr(root_path->size() + 1) : "";
        fd = open_beneath(*root_path, inside, true);
        if (fd < 0 && errno == ENOSYS) fd = ::open(resolved->c_str(), O_RDONLY | O_CLOEXEC);
    }
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR || errno == ENAMETOOLONG) throw HTTPError(404);
        if (errno == EXDEV || errno == ELOOP) throw HTTPError(403, absolute_path + " is not in root static directory");
        throw HTTPError(403, absolute_path + " cannot be opened");
    }
    file_fd_ = fd;
    struct stat st;
    if (::fstat(fd, &st) != 0) throw HTTPError(500, "fstat failed");
    if (S_ISDIR(st.st_mode) && !default_filename_.empty()) {
        close_file();
        // Relative links in the directory's page need the trailing slash.
        if (!request().path.ends_with('/')) {
            redirect(request().path + "/", true);
            return std::nullopt;
        }
        return validate_absolute_path(root, absolute_path + "/" + default_filename_);
    }
    if (!S_ISREG(st.st_mode)) throw HTTPError(403, absolute_path + " is not a file");
    record_stat(static_cast<std::uint64_t>(st.st_size), st.st_mtim);
    return absolute_path;
}

void StaticFileHandler::record_stat(std::uint64_t size, std::timespec mtime) noexcept {
    size_ = size;
    mtime_ = mtime.tv_sec;
    mtime_ns_ = static_cast<std::int64_t>(mtime.tv_sec) * 1000000000 + mtime.tv_nsec;
}

void StaticFileHandler::close_file() noexcept {
    if (file_fd_ >= 0) ::close(file_fd_);
    file_fd_ = -1;
}

StaticFileHandler::~StaticFileHandler() { close_file(); }

std::string StaticFileHandler::get_content_type() { return guess_mime_type(absolute_path_); }

std::int64_t StaticFileHandler::get_cache_time() {
    return request().query_arguments.count("v") ? cache_max_age : 0;
}

std::optional<std::string> StaticFileHandler::compute_etag() {
    char buf[64];
    std::snprintf(buf, sizeof buf, "\"%llx-%llx\"", static_cast<unsigned long long>(mtime_ns_),
                  static_cast<unsigned long long>(size_));
    return std::string(buf);
}

void StaticFileHandler::set_headers() {
    set_header("Accept-Ranges", "bytes");
    set_etag_header();
    set_header("Last-Modified", format_timestamp(mtime_));
    set_header("Content-Type", get_content_type());
    std::int64_t cache = get_cache_time();
    if (cache > 0) {
        set_header("Expires", std::chrono::system_clock::now() + std::chrono::seconds(cache));
        set_header("Cache-Control", "max-age=" + std::to_string(cache));
    }
    set_extra_headers();
}

bool StaticFileHandler::should_return_304() {
    if (request().headers.contains("If-None-Match")) return check_etag_header();
    if (auto ims = request().headers.find("If-Modified-Since")) {
        if (auto since = parse_http_date(*ims)) return *since >= mtime_;
    }
    return false;
}

Future<void> StaticFileHandler::serve(bool include_body) {
    std::string url_path = parse_url_path(path_args().empty() ? std::string() : path_args()[0].value_or(""));
    if (url_path.find('\0') != std::string::npos) throw HTTPError(400, "NUL in static path");
    auto valid = validate_absolute_path(root_, join_normalized(root_, url_path));
    if (!valid) co_return;
    absolute_path_ = std::move(*valid);
    // The descriptor (and its metadata) validation opened; a subclass's own validation may
    // leave none.
    int fd = std::exchange(file_fd_, -1);
    if (fd < 0) {
        fd = ::open(absolute_path_.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) throw HTTPError(errno == ENOENT ? 404 : 403, absolute_path_ + " cannot be opened");
        struct stat st;
        if (::fstat(fd, &st) != 0) {
            ::close(fd);
            throw HTTPError(500, "fstat failed");
        }
        record_stat(static_cast<std::uint64_t>(st.st_size), st.st_mtim);
    }
    FileCloser closer{fd};

    set_headers();
    if (should_return_304()) {
        set_status(304);
        co_return;
    }
    auto total = static_cast<std::int64_t>(size_);
    std::int64_t start = 0, end = total;
    if (auto header = request().headers.find("Range")) {
        if (auto range = parse_request_range(*header)) {
            // A range that starts past the end, or the empty "-0", cannot be satisfied.
            if ((range->start && *range->start >= total) || (range->end && *range->end == 0) ||
                (range->start && range->end && *range->end <= *range->start)) {
                set_status(416);
                set_header("Content-Type", "text/plain");
                set_header("Content-Range", "bytes */" + std::to_string(total));
                co_return;
            }
            if (range->start) start = *range->start < 0 ? std::max<std::int64_t>(0, total + *range->start) : *range->start;
            if (range->end) end = std::min(*range->end, total);
            if (start != 0 || end != total) {
                set_status(206);
                set_header("Content-Range", content_range(start, end, total));
            }
        }
    }
    set_header("Content-Length", end - start);
    if (!include_body) co_return;
    auto length = static_cast<std::uint64_t>(end - start);
    if (length > chunk_size) {
        // Large files go from the page cache to the socket (sendfile); a slow client holds the
        // rest back, and the file is never in memory.
        Future<void> sent = send_file(fd, static_cast<std::uint64_t>(start), length);
        co_await sent;
        co_return;
    }
    // Small ones are read and finished in one piece, which gzip (compress_response) can take.
    std::string body(static_cast<std::size_t>(length), '\0');
    ssize_t n = ::pread(fd, body.data(), body.size(), start);
    if (n != static_cast<ssize_t>(body.size())) throw HTTPError(500, absolute_path_ + " changed while being read");
    write(body);
}

}  // namespace squall
