// RequestHandler's output: status, headers, buffered writes, JSON, flush (through the gzip
// transform), finish with ETags and 304, redirects and error pages. Internal. Models
// tornado/web.py (4.0) RequestHandler output methods with the later fixes in design.md.
#include <nlohmann/json.hpp>

#include <unistd.h>

#include "crypto.h"
#include "gzip_transform.h"
#include "sha1.h"
#include "squall/application.h"
#include "squall/log.h"
#include "squall/requesthandler.h"

namespace squall {
namespace {

/// The Date header, formatted once per second.
const std::string& date_header() {
    static thread_local std::time_t last = 0;
    static thread_local std::string text;
    std::time_t now = std::time(nullptr);
    if (now != last) {
        last = now;
        text = format_timestamp(now);
    }
    return text;
}

void check_header_value(std::string_view value) {
    // Controls other than tab (CR and LF above all): header injection.
    if (!is_valid_field_value(value)) throw std::invalid_argument("Unsafe header value");
}

void check_header_name(std::string_view name) {
    if (!is_token(name)) throw std::invalid_argument("Invalid header name");
}

}  // namespace

void RequestHandler::clear() {
    check_not_handed_over("clear");
    headers_.clear();  // so add(), with no search for an earlier value
    headers_.add("Server", settings().server_header);
    headers_.add("Content-Type", "text/html; charset=UTF-8");
    headers_.add("Date", date_header());
    set_default_headers();
    write_buffer_.clear();
    status_code_ = 200;
    reason_.clear();
}

void RequestHandler::set_status(int status_code, std::string reason) {
    check_not_handed_over("set_status");
    if (status_code < 100 || status_code > 999) throw std::invalid_argument("status code out of range");
    if (reason.empty() && reason_phrase(status_code) == "Unknown")
        throw std::invalid_argument("unknown status code " + std::to_string(status_code) + " needs a reason");
    status_code_ = status_code;
    reason_ = std::move(reason);
}

void RequestHandler::set_header(std::string_view name, std::string_view value) {
    check_not_handed_over("set_header");
    check_header_name(name);
    check_header_value(value);
    headers_.set(name, value);
}

void RequestHandler::set_header(std::string_view name, std::int64_t value) { set_header(name, std::to_string(value)); }

void RequestHandler::set_header(std::string_view name, std::chrono::system_clock::time_point value) {
    set_header(name, format_timestamp(value));
}

void RequestHandler::add_header(std::string_view name, std::string_view value) {
    check_not_handed_over("add_header");
    check_header_name(name);
    check_header_value(value);
    headers_.add(name, value);
}

void RequestHandler::clear_header(std::string_view name) {
    check_not_handed_over("clear_header");
    headers_.erase(name);
}

void RequestHandler::write(std::string_view chunk) {
    check_not_handed_over("write");
    if (finished_) throw std::logic_error("Cannot write() after finish()");
    // Joined now rather than kept as pieces and joined at flush: the same copies, and a small
    // body stays in the string's own storage.
    write_buffer_.append(chunk);
}

void RequestHandler::write(const nlohmann::json& value) {
    if (!value.is_object())
        throw std::invalid_argument("write() takes JSON objects only (arrays could be read by other sites)");
    std::string text = value.dump();
    // "</" would end an enclosing <script> element.
    std::string safe;
    safe.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        safe += text[i];
        if (text[i] == '<' && i + 1 < text.size() && text[i + 1] == '/') safe += '\\';
    }
    set_header("Content-Type", "application/json; charset=UTF-8");
    write(std::string_view(safe));
}

Future<void> RequestHandler::flush() {
    check_not_handed_over("flush");
    if (finished_) throw std::logic_error("Cannot flush() after finish()");
    return flush_output(false);
}

std::string RequestHandler::take_output() {
    std::string chunk = std::move(write_buffer_);
    write_buffer_.clear();  // a moved-from string's state is unspecified
    return chunk;
}

bool RequestHandler::begin_output(std::string& chunk, bool finishing) {
    if (headers_written_) return false;
    headers_written_ = true;
    if (settings().compress_response) {
        gzip_ = std::make_unique<detail::GZipTransform>(request_->headers);
        gzip_->transform_first_chunk(status_code_, headers_, chunk, finishing);
    }
    for (auto& [name, value] : new_cookies_) headers_.add("Set-Cookie", value);
    if (request_->method == "HEAD") chunk.clear();  // the headers describe the body GET would get
    return true;
}

template <class... Args>
Future<void> RequestHandler::write_head(Args&&... args) {
    try {
        return request_->connection->write_headers(start_line(), std::move(headers_), std::forward<Args>(args)...);
    } catch (const HTTPOutputError&) {
        headers_written_ = false;
        gzip_.reset();
        throw;
    }
}

Future<void> RequestHandler::flush_output(bool finishing) {
    std::string chunk = take_output();
    HTTP1Connection& conn = *request_->connection;
    if (begin_output(chunk, finishing)) return write_head(std::move(chunk));
    if (gzip_) gzip_->transform_chunk(chunk, finishing);
    if (request_->method == "HEAD") chunk.clear();
    return conn.write(std::move(chunk));
}

Future<void> RequestHandler::send_file(int fd, std::uint64_t offset, std::uint64_t length) {
    check_not_handed_over("send_file");
    if (finished_) throw std::logic_error("Cannot send_file() after finish()");
    HTTP1Connection& conn = *request_->connection;
    const bool head = request_->method == "HEAD";
    std::string chunk = take_output();
    const bool first = begin_output(chunk, false);
    const bool compressing = gzip_ && gzip_->gzipping();
    if (first && chunk.empty() && !head && !compressing && length > 0) {
        // Queued with the file, the headers travel in its first segment.
        Future<void> sent = write_head(fd, offset, length);
        co_await sent;
        co_return;
    }
    Future<void> before;
    if (first) {
        before = write_head(std::move(chunk));
    } else {
        if (gzip_) gzip_->transform_chunk(chunk, false);
        if (head) chunk.clear();
        before = conn.write(std::move(chunk));
    }
    if (head || length == 0) {
        co_await before;
        co_return;
    }
    if (!compressing) {
        Future<void> sent = conn.write_file(fd, offset, length);
        co_await sent;
        co_return;
    }
    // Compressed output needs the bytes: a piece at a time, each written before the next read.
    std::string piece;
    while (length > 0) {
        piece.resize(static_cast<std::size_t>(std::min<std::uint64_t>(length, 64 * 1024)));
        ssize_t n = ::pread(fd, piece.data(), piece.size(), static_cast<off_t>(offset));
        if (n <= 0) throw std::runtime_error("send_file: the file is shorter than the length given");
        piece.resize(static_cast<std::size_t>(n));
        offset += static_cast<std::uint64_t>(n);
        length -= static_cast<std::uint64_t>(n);
        write(piece);
        Future<void> flushed = flush_output(false);
        co_await flushed;
    }
}

void RequestHandler::clear_headers_for_304() {
    // RFC 7232 4.1: a 304 carries only the headers that a 200 would have for caching.
    for (const char* h : {"Allow", "Content-Encoding", "Content-Language", "Content-Length", "Content-MD5",
                          "Content-Range", "Content-Type", "Last-Modified"})
        headers_.erase(h);
}

Future<void> RequestHandler::finish(std::string_view chunk) {
    check_not_handed_over("finish");
    if (finished_) throw std::logic_error("finish() called twice");
    if (!chunk.empty()) write(chunk);
    if (!headers_written_) {
        const std::string& m = request_->method;
        if (status_code_ == 200 && (m == "GET" || m == "HEAD") && !headers_.contains("Etag")) {
            // set_etag_header() without its search for an Etag to replace (there is none) or
            // its check of the value: writing the headers checks every value anyway.
            if (auto etag = compute_etag()) headers_.add("Etag", *etag);
            if (request_->headers.contains("If-None-Match") && check_etag_header()) {
                write_buffer_.clear();
                set_status(304);
            }
        }
        if (status_code_ == 204 || status_code_ == 304 || (status_code_ >= 100 && status_code_ < 200)) {
            if (!write_buffer_.empty())
                throw std::logic_error("Cannot send a body with a " + std::to_string(status_code_) + " response");
            if (status_code_ == 304) clear_headers_for_304();
        } else if (!headers_.contains("Content-Length")) {
            headers_.add("Content-Length", std::to_string(write_buffer_.size()));  // absent: no search to replace it
        }
    }
    Future<void> written = flush_output(true);
    finished_ = true;
    request_->connection->finish();
    request_->mark_finished();
    application_->log_request(*this);
    on_finish();
    return written;
}

void RequestHandler::redirect(std::string_view url, bool permanent, std::optional<int> status) {
    check_not_handed_over("redirect");
    if (headers_written_) throw std::logic_error("Cannot redirect after headers have been written");
    int code = status.value_or(permanent ? 301 : 302);
    if (code < 300 || code > 399) throw std::invalid_argument("redirect status must be 3xx");
    set_status(code);
    set_header("Location", urljoin(request_->uri, url));
    finish();
}

void RequestHandler::send_error(int status_code, std::exception_ptr error) {
    if (headers_written_) {
        gen_log().error("Cannot send error response after headers written");
        if (!finished_) {
            try {
                finish();
            } catch (const std::exception& e) {
                gen_log().logf(LogLevel::error, "Failed to flush partial response: %s", e.what());
            }
        }
        return;
    }
    clear();
    std::string reason;
    if (error) {
        try {
            std::rethrow_exception(error);
        } catch (const HTTPError& h) {
            reason = h.reason();
        } catch (...) {
        }
    }
    set_status(status_code, reason);
    try {
        write_error(status_code, error);
    } catch (const std::exception& e) {
        app_log().logf(LogLevel::error, "Uncaught exception in write_error: %s", e.what());
    }
    if (!finished_) finish();
}

void RequestHandler::write_error(int status_code, std::exception_ptr error) {
    if ((settings().serve_traceback || settings().debug) && error) {
        set_header("Content-Type", "text/plain");
        try {
            std::rethrow_exception(error);
        } catch (const std::exception& e) {
            write(e.what());
        } catch (...) {
            write("unknown exception");
        }
        finish();
        return;
    }
    std::string message = reason_.empty() ? std::string(reason_phrase(status_code)) : reason_;
    std::string code = std::to_string(status_code);
    finish("<html><title>" + code + ": " + message + "</title><body>" + code + ": " + message + "</body></html>");
}

std::optional<std::string> RequestHandler::compute_etag() {
    const auto digest = detail::sha1(write_buffer_);
    std::string etag;
    etag.reserve(2 + 2 * digest.size());
    etag += '"';
    detail::append_hex(etag, digest.data(), digest.size());
    etag += '"';
    return etag;
}

void RequestHandler::set_etag_header() {
    if (auto etag = compute_etag()) set_header("Etag", *etag);
}

bool RequestHandler::check_etag_header() const {
    auto etag = headers_.find("Etag");
    auto inm = request_->headers.find("If-None-Match");
    if (!etag || !inm) return false;
    // Weak comparison (RFC 7232 2.3.2): W/ prefixes do not count.
    auto strip_weak = [](std::string_view t) { return t.starts_with("W/") ? t.substr(2) : t; };
    std::string_view ours = strip_weak(*etag);
    std::string_view rest = *inm;
    while (!rest.empty()) {
        std::size_t i = rest.find_first_not_of(" \t,");
        if (i == std::string_view::npos) break;
        rest.remove_prefix(i);
        if (rest.front() == '*') return true;
        std::size_t start = rest.starts_with("W/") ? 2 : 0;
        if (rest.size() <= start || rest[start] != '"') break;
        std::size_t close = rest.find('"', start + 1);
        if (close == std::string_view::npos) break;
        if (strip_weak(rest.substr(0, close + 1)) == ours) return true;
        rest.remove_prefix(close + 1);
    }
    return false;
}

}  // namespace squall
