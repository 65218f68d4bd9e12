// A sans-I/O HTTP/1.x message parser for requests and responses: start line, headers,
// Content-Length, chunked bodies (extensions, trailers) and read-until-close. It never reads
// or allocates a buffer of its own; the connection feeds it bytes. Public header. Models the
// parsing half of tornado/http1connection.py (4.0) with RFC 9112's framing rules.
#pragma once

#include "squall/detail/require_cxx20.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "squall/http_headers.h"
#include "squall/httputil.h"

namespace squall {

struct HTTP1ParserLimits {
    /// Start line plus header block (and, separately, the trailers of a chunked body).
    std::size_t max_header_size = 64 * 1024;
    /// Declared or received body bytes (chunked totals included).
    std::uint64_t max_body_size = 100 * 1024 * 1024;
    /// Header fields in the header block (and, separately, in the trailers); Apache's
    /// LimitRequestFields default. Past it: 431 for requests, 400 for responses.
    std::size_t max_header_count = 100;
};

/// Usage: call parse() with the bytes not yet consumed (everything received so far minus what
/// earlier calls consumed); drop `consumed` bytes from the front; act on the status; repeat
/// while it is not `incomplete`. After `done`, the next parse() starts the next message
/// (pipelining). Bytes handed back in `body` point into the caller's data.
class HTTP1Parser {
public:
    enum class Kind { request, response };
    enum class Status {
        incomplete,  // need more bytes
        headers,     // start line and headers are ready (request()/response(), headers())
        body,        // `body` holds the next piece of the body
        done,        // the message is complete (trailers() holds a chunked body's trailers)
        error,       // malformed or over a limit: error_status() and error_message()
    };
    enum class BodyKind { none, length, chunked, until_close };
    struct Result {
        Status status;
        std::size_t consumed;
        std::string_view body;
    };

    explicit HTTP1Parser(Kind kind, HTTP1ParserLimits limits = {})
        : kind_(kind), limits_(limits), start_line_(start_line_of(kind)) {}

    Result parse(std::string_view data);
    /// The peer closed the connection: `done` completes a read-until-close body; `error` says a
    /// message was cut short; `incomplete` means no message was in progress.
    Result finish();

    /// Responses: the request was HEAD (or CONNECT), so the response has no body whatever its
    /// headers say. Set before its headers are parsed; cleared by the next message.
    void set_head_request(bool head) noexcept { head_request_ = head; }
    void set_limits(HTTP1ParserLimits limits) noexcept { limits_ = limits; }
    /// Forget the current message and wait for a new one.
    void reset();
    /// Between messages: parse() of no bytes would only say "incomplete".
    bool between_messages() const noexcept { return state_ == State::start || state_ == State::done; }

    const RequestStartLine& request() const { return std::get<RequestStartLine>(start_line_); }
    const ResponseStartLine& response() const { return std::get<ResponseStartLine>(start_line_); }
    /// request() or response() as the delegates take it (no copy of its strings).
    const StartLine& start_line() const noexcept { return start_line_; }
    HTTPHeaders& headers() noexcept { return headers_; }
    const HTTPHeaders& trailers() const noexcept { return trailers_; }
    BodyKind body_kind() const noexcept { return body_kind_; }
    /// The declared length of a `length` body.
    std::uint64_t content_length() const noexcept { return content_length_; }
    /// True between the first byte of a message and its end.
    bool in_message() const noexcept {
        return state_ != State::start && state_ != State::done && state_ != State::failed;
    }

    /// The status an error deserves (400, 413, 431, 501, 505) and why.
    int error_status() const noexcept { return error_status_; }
    const std::string& error_message() const noexcept { return error_message_; }

private:
    static StartLine start_line_of(Kind kind) {
        return kind == Kind::request ? StartLine(RequestStartLine{}) : StartLine(ResponseStartLine{});
    }

    enum class State { start, head, body_length, chunk_size, chunk_data, chunk_end, trailers, until_close, done, failed };

    Result fail(int status, std::string message, std::size_t consumed = 0);
    Result parse_head(std::string_view data);
    Result finish_head(std::string_view block, std::size_t consumed);
    void choose_request_framing();
    void choose_response_framing();
    Result parse_chunk_size(std::string_view data);
    Result parse_trailers(std::string_view data);

    Kind kind_;
    HTTP1ParserLimits limits_;
    State state_ = State::start;
    std::size_t scan_ = 0;  // bytes of the head (or trailers) already searched for its end
    StartLine start_line_;  // the alternative of kind_
    HTTPHeaders headers_, trailers_;
    BodyKind body_kind_ = BodyKind::none;
    std::uint64_t content_length_ = 0;
    std::uint64_t remaining_ = 0;    // of the body or the current chunk
    std::uint64_t body_total_ = 0;   // chunked bytes so far
    bool head_request_ = false;
    int error_status_ = 0;
    std::string error_message_;
};

}  // namespace squall
