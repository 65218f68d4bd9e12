// squall-httpclient's handling of one fetch: the final response's head and body go to the
// output as they arrive (-i, -I, -f), -v traces both heads on standard error as curl does
// ("> " sent, "< " received), and the outcome maps to curl's exit statuses. Part of the tool;
// models tornado/httpclient.py (4.0) main()'s printing.
#include "transfer.h"

#include <strings.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace squall::tools {
namespace {

bool is_redirect(int code) { return code == 301 || code == 302 || code == 303 || code == 307 || code == 308; }

bool starts_with_nocase(std::string_view line, std::string_view prefix) {
    return line.size() >= prefix.size() && ::strncasecmp(line.data(), prefix.data(), prefix.size()) == 0;
}

/// A head line as curl -v shows it: the prefix, the line without its CRLF.
void trace(const char* prefix, std::string_view line) {
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    std::fprintf(stderr, "%s%.*s\n", prefix, static_cast<int>(line.size()), line.data());
}

/// Thrown from the streaming callback to end a fetch whose output cannot be written.
struct OutputFailed : std::runtime_error {
    OutputFailed() : std::runtime_error("the output cannot be written") {}
};

}  // namespace

void report_error(const Settings& s, const std::string& message) {
    if (!s.silent || s.show_error) std::fprintf(stderr, "squall-httpclient: %s\n", message.c_str());
}

void Transfer::attach(HTTPRequest& request) {
    request.header_callback = [this](std::string_view line) { on_header_line(line); };
    request.streaming_callback = [this](std::string_view chunk) { on_body(chunk); };
    if (s_.verbose) request.request_header_callback = [](std::string_view line) { trace("> ", line); };
}

void Transfer::on_header_line(std::string_view line) {
    if (s_.verbose) trace("< ", line);
    if (line.rfind("HTTP/", 0) == 0) {
        // A new response starts over (a redirect's).
        head_.clear();
        std::size_t space = line.find(' ');
        code_ = space == std::string_view::npos ? 0 : std::atoi(line.data() + space + 1);
        has_location_ = false;
        received_ = 0;
        ++responses_;
    }
    head_.append(line);
    if (starts_with_nocase(line, "Location:")) has_location_ = true;
    if (starts_with_nocase(line, "Content-Length:")) progress_.set_total(std::strtoull(line.data() + 15, nullptr, 10));
}

bool Transfer::shown() const {
    if (s_.fail && code_ >= 400) return false;
    return !(s_.follow_redirects && is_redirect(code_) && has_location_);
}

void Transfer::write(std::string_view data) {
    if (write_errno_ || out_.write(data)) return;
    write_errno_ = errno ? errno : EIO;
    throw OutputFailed();
}

void Transfer::print_head_once() {
    if (!s_.print_headers || printed_head_ || !shown()) return;
    printed_head_ = true;
    write(head_);
}

void Transfer::on_body(std::string_view chunk) {
    received_ += chunk.size();
    progress_.add(chunk.size());
    if (!shown()) return;
    print_head_once();
    if (s_.print_body) write(chunk);
}

ExitStatus Transfer::failure_status(const HTTPResponse& r) {
    try {
        r.rethrow();
    } catch (const HTTPClientError& e) {
        if (e.code() == 599) {
            report_error(s_, r.original_url + ": " + e.what());
            return exit_status_for_failure(e.message(), responses_ > 0, !r.request.proxy_host.empty());
        }
    }
    if (s_.follow_redirects && is_redirect(r.code) && r.headers.contains("Location")) {
        report_error(s_, r.original_url + ": too many redirects: the most is " + std::to_string(s_.max_redirects) +
                             " (--max-redirs)");
        return exit_too_many_redirects;
    }
    if (s_.fail && r.code >= 400) {
        report_error(s_, r.original_url + ": HTTP " + std::to_string(r.code) + ": " + r.reason);
        return exit_http_error;
    }
    return exit_ok;  // as curl: an HTTP error without -f is a response like any other
}

ExitStatus Transfer::finish(const HTTPResponse& r) {
    if (!write_errno_) {
        try {
            print_head_once();
        } catch (const OutputFailed&) {
            // reported below
        }
    }
    if (write_errno_) {
        report_error(s_, "cannot write the output: " + std::string(std::strerror(write_errno_)));
        return exit_write_error;
    }
    return failure_status(r);
}

TransferInfo Transfer::info(const HTTPResponse& r) const {
    TransferInfo t;
    t.http_code = code_;
    t.size_download = received_;
    t.time_total = r.request_time;
    t.url_effective = r.effective_url;
    t.content_type = r.headers.get("Content-Type");
    t.num_redirects = responses_ > 1 ? responses_ - 1 : 0;
    return t;
}

}  // namespace squall::tools
