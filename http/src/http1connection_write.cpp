// HTTP1Connection's writing half: start line and headers (keep-alive and chunking decided
// here), body pieces framed or counted against Content-Length, and finish. Internal. Models
// tornado/http1connection.py (4.0) write_headers / write / finish / _finish_request, with the
// later rules (always HTTP/1.1, no chunking for HEAD, 1xx and 204).
#include <charconv>

#include "squall/http1connection.h"
#include "squall/ioloop.h"
#include "squall/log.h"
#include "squall/detail/ascii.h"
#include "lingering_close.h"

namespace squall {
namespace {

/// Above this a chunk is queued as its own buffer rather than copied next to its framing.
constexpr std::size_t copy_limit = 4096;

std::optional<std::uint64_t> parse_length(std::string_view v) {
    std::uint64_t n = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || p != v.data() + v.size()) return std::nullopt;
    return n;
}

void check_headers(const HTTPHeaders& headers) {
    const bool names_checked = headers.names_are_tokens();
    for (const auto& [name, value] : headers) {
        if (!names_checked && !is_token(name)) throw HTTPOutputError("Invalid header name: " + std::string(name));
        if (!is_valid_field_value(value)) throw HTTPOutputError("Newline or control character in header: " + std::string(name));
    }
}

Future<void> closed_future(const IOStream& s) {
    return detail::quiet(make_failed_future<void>(std::make_exception_ptr(StreamClosedError(s.error()))));
}

}  // namespace

std::string HTTP1Connection::format_head(const StartLine& start_line, HTTPHeaders& headers, std::size_t extra) {
    if (headers_written_) throw HTTPOutputError("write_headers called twice for one message");
    std::string out;
    // One allocation for the whole head and the small body that may join it: the start line,
    // the headers, and the framing headers added below (Transfer-Encoding, Connection).
    const std::size_t start_line_size = is_client_ ? std::get<RequestStartLine>(start_line).path.size() + 32 : 64;
    out.reserve(start_line_size + headers.serialized_size() + 64 + extra);
    // One pass for the framing headers (a response has several lines to look through).
    bool has_length = false, has_transfer_encoding = false;
    std::optional<std::uint64_t> length;
    std::string bad_length;
    for (const auto& [name, value] : headers) {
        if (!has_length && detail::iequals(name, "Content-Length")) {
            has_length = true;
            length = parse_length(value);
            if (!length) bad_length.assign(value);
        } else if (detail::iequals(name, "Transfer-Encoding")) {
            has_transfer_encoding = true;
        }
    }
    bool no_body = false;
    if (is_client_) {
        const auto& req = std::get<RequestStartLine>(start_line);
        parser_.set_head_request(req.method == "HEAD");
        out.append(req.method).append(" ").append(req.path).append(" HTTP/1.1\r\n");
        chunking_output_ = (req.method == "POST" || req.method == "PUT" || req.method == "PATCH") && !has_length &&
                           !has_transfer_encoding;
    } else {
        const auto& resp = std::get<ResponseStartLine>(start_line);
        response_code_ = resp.code;
        const bool head = request_head_;
        const bool http11 = request_http11_;
        no_body = head || resp.code == 204 || resp.code == 304 || (resp.code >= 100 && resp.code < 200);
        chunking_output_ = http11 && !no_body && !has_length && !has_transfer_encoding;
        // An HTTP/1.0 body of unknown length ends with the connection.
        if (!http11 && !no_body && !has_length) disconnect_on_finish_ = true;
        // Answered before the request's body was read: the rest is never parsed, so the
        // connection ends with this response and says so, or a client would send its next
        // request into the close.
        if (request_body_unread()) disconnect_on_finish_ = true;
        if (!http11 && request_keep_alive_ && !disconnect_on_finish_) headers.set("Connection", "Keep-Alive");
        else if (http11 && disconnect_on_finish_) headers.set("Connection", "close");
        char code[4];
        std::to_chars(code, code + 3, resp.code);
        code[3] = '\0';
        out.append("HTTP/1.1 ").append(code, 3).append(" ").append(resp.reason.empty() ? reason_phrase(resp.code) : resp.reason).append("\r\n");
    }
    if (chunking_output_) headers.set("Transfer-Encoding", "chunked");
    if (no_body) {
        expected_content_remaining_ = 0;
    } else if (has_length) {
        if (!length) throw HTTPOutputError("Invalid Content-Length: " + bad_length);
        expected_content_remaining_ = length;
    }
    check_headers(headers);
    headers.serialize(out);
    out.append("\r\n");
    headers_written_ = true;
    return out;
}

Future<void> HTTP1Connection::write_headers(const StartLine& start_line, HTTPHeaders headers, std::string chunk) {
    std::string out = format_head(start_line, headers, chunk.size() <= copy_limit ? chunk.size() : 0);
    if (stream_->closed()) return closed_future(*stream_);
    if (chunk.empty()) return last_write_ = detail::quiet(stream_->write(std::move(out)));
    if (chunk.size() <= copy_limit && !chunking_output_) {
        // Headers and a small body in one buffer: one write(2) for a whole response.
        if (expected_content_remaining_) {
            if (chunk.size() > *expected_content_remaining_) {
                stream_->close();
                throw HTTPOutputError("Tried to write more data than Content-Length");
            }
            *expected_content_remaining_ -= chunk.size();
        }
        out.append(chunk);
        return last_write_ = detail::quiet(stream_->write(std::move(out)));
    }
    detail::quiet(stream_->write(std::move(out)));
    return write_body(std::move(chunk));
}

Future<void> HTTP1Connection::write(std::string chunk) {
    if (!headers_written_) throw HTTPOutputError("write called before write_headers");
    if (write_finished_) throw HTTPOutputError("write called after finish");
    if (stream_->closed()) return closed_future(*stream_);
    return write_body(std::move(chunk));
}

Future<void> HTTP1Connection::write_body(std::string chunk) {
    if (expected_content_remaining_) {
        if (chunk.size() > *expected_content_remaining_) {
            stream_->close();
            throw HTTPOutputError("Tried to write more data than Content-Length");
        }
        *expected_content_remaining_ -= chunk.size();
    }
    if (chunk.empty()) return last_write_.valid() ? last_write_ : make_ready_future();
    if (!chunking_output_) return last_write_ = detail::quiet(stream_->write(std::move(chunk)));
    char size[20];
    auto [end, ec] = std::to_chars(size, size + sizeof size - 2, chunk.size(), 16);
    *end++ = '\r';
    *end++ = '\n';
    if (chunk.size() <= copy_limit) {
        std::string framed;
        framed.reserve(static_cast<std::size_t>(end - size) + chunk.size() + 2);
        framed.append(size, end).append(chunk).append("\r\n");
        return last_write_ = detail::quiet(stream_->write(std::move(framed)));
    }
    detail::quiet(stream_->write(std::string(size, end)));
    detail::quiet(stream_->write(std::move(chunk)));
    return last_write_ = detail::quiet(stream_->write(std::string("\r\n")));
}

Future<void> HTTP1Connection::write_headers(const StartLine& start_line, HTTPHeaders headers, int fd,
                                            std::uint64_t offset, std::uint64_t length) {
    std::string head = format_head(start_line, headers, 20);  // room for a chunk-size line
    if (stream_->closed()) return closed_future(*stream_);
    return write_file_body(std::move(head), fd, offset, length);
}

Future<void> HTTP1Connection::write_file(int fd, std::uint64_t offset, std::uint64_t length) {
    if (!headers_written_) throw HTTPOutputError("write_file called before write_headers");
    if (write_finished_) throw HTTPOutputError("write_file called after finish");
    if (stream_->closed()) return closed_future(*stream_);
    return write_file_body({}, fd, offset, length);
}

Future<void> HTTP1Connection::write_file_body(std::string prefix, int fd, std::uint64_t offset, std::uint64_t length) {
    if (expected_content_remaining_) {
        if (length > *expected_content_remaining_) {
            stream_->close();
            throw HTTPOutputError("Tried to write more data than Content-Length");
        }
        *expected_content_remaining_ -= length;
    }
    if (length == 0) {
        if (!prefix.empty()) return last_write_ = detail::quiet(stream_->write(std::move(prefix)));
        return last_write_.valid() ? last_write_ : make_ready_future();
    }
    if (chunking_output_) {
        char size[20];
        auto [end, ec] = std::to_chars(size, size + sizeof size - 2, length, 16);
        *end++ = '\r';
        *end++ = '\n';
        prefix.append(size, end);
        detail::quiet(stream_->write_file(fd, offset, length, std::move(prefix)));
        return last_write_ = detail::quiet(stream_->write(std::string("\r\n")));
    }
    return last_write_ = detail::quiet(stream_->write_file(fd, offset, length, std::move(prefix)));
}

void HTTP1Connection::finish() {
    if (write_finished_) throw HTTPOutputError("finish called twice");
    if (!headers_written_) throw HTTPOutputError("finish called before write_headers");
    if (expected_content_remaining_ && *expected_content_remaining_ != 0 && !stream_->closed()) {
        std::uint64_t missing = *expected_content_remaining_;
        stream_->close();
        throw HTTPOutputError("Tried to write " + std::to_string(missing) + " bytes less than Content-Length");
    }
    write_finished_ = true;
    if (request_body_unread()) disconnect_on_finish_ = true;
    if (chunking_output_ && !stream_->closed()) last_write_ = detail::quiet(stream_->write(std::string("0\r\n\r\n")));
    if (last_write_.valid() && !last_write_.done()) {
        last_write_.add_done_callback([self = shared_from_this()](Future<void>) { self->finish_request(); });
    } else {
        finish_request();
    }
}

void HTTP1Connection::finish_request() {
    if (finished_) return;
    finished_ = true;
    if (last_write_.valid() && last_write_.done()) (void)last_write_.exception();  // a failed write is the close's news
    if (!is_client_ && disconnect_on_finish_ && !detached_) {
        if (!request_body_unread()) {
            stream_->close();
        } else {
            // Closing on unread bytes would reset the connection and could destroy the answer:
            // the read loop drains them (lingering_close) when it next wakes; this deadline
            // ends a peer that sends no more.
            stream_->io_loop().call_later(detail::linger_time, [weak = std::weak_ptr<IOStream>(stream_)] {
                if (auto s = weak.lock()) s->close();
            });
        }
    }
    if (finish_promise_) take_promise(finish_promise_).set_result();
}

Future<void> HTTP1Connection::finish_future() {
    if (finished_ || stream_->closed()) return make_ready_future();
    if (!finish_promise_) finish_promise_.emplace();
    return finish_promise_->get_future();
}

}  // namespace squall
