// HTTP1Parser: the incremental state machine over start line, headers and body framing.
// Internal. Models tornado/http1connection.py (4.0) _read_message / _read_body /
// _read_chunked_body, with RFC 9112's rules for what to reject (and Tornado 6's 400s).
#include "squall/http1_parser.h"

#include <algorithm>
#include <limits>

#include "squall/detail/ascii.h"

namespace squall {
namespace {

// A chunk-size line with its extensions; longer ones are an attack, not a body.
constexpr std::size_t max_chunk_line = 4096;

std::string_view strip_cr(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
}

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/// Every comma-separated element of every value of a field, trimmed, empty ones dropped.
std::vector<std::string_view> list_elements(const HTTPHeaders& h, std::string_view name) {
    std::vector<std::string_view> out;
    for (const auto& [field, value] : h) {
        if (!detail::iequals(field, name)) continue;
        std::string_view v = value;
        while (true) {
            std::size_t comma = v.find(',');
            std::string_view item = detail::trim_ows(v.substr(0, comma));
            if (!item.empty()) out.push_back(item);
            if (comma == std::string_view::npos) break;
            v.remove_prefix(comma + 1);
        }
    }
    return out;
}

}  // namespace

void HTTP1Parser::reset() {
    state_ = State::start;
    scan_ = 0;
    start_line_ = start_line_of(kind_);
    headers_.clear();
    trailers_.clear();
    body_kind_ = BodyKind::none;
    content_length_ = remaining_ = body_total_ = 0;
    head_request_ = false;
    error_status_ = 0;
    error_message_.clear();
}

HTTP1Parser::Result HTTP1Parser::fail(int status, std::string message, std::size_t consumed) {
    state_ = State::failed;
    error_status_ = status;
    error_message_ = std::move(message);
    return {Status::error, consumed, {}};
}

HTTP1Parser::Result HTTP1Parser::parse(std::string_view data) {
    std::size_t off = 0;
    while (true) {
        std::string_view rest = data.substr(off);
        switch (state_) {
        case State::failed:
            return {Status::error, off, {}};
        case State::done:
            reset();
            [[fallthrough]];
        case State::start: {
            // RFC 9112 2.2: empty lines before a request line are ignored.
            std::size_t skip = 0;
            while (skip < rest.size() && (rest[skip] == '\n' || (rest[skip] == '\r' && skip + 1 < rest.size() &&
                                                                 rest[skip + 1] == '\n')))
                skip += rest[skip] == '\r' ? 2 : 1;
            off += skip;
            if (off == data.size() || (data.size() - off == 1 && data[off] == '\r')) return {Status::incomplete, off, {}};
            state_ = State::head;
            scan_ = 0;
            continue;
        }
        case State::head: {
            Result r = parse_head(rest);
            r.consumed += off;
            return r;
        }
        case State::body_length: {
            if (remaining_ == 0) {
                state_ = State::done;
                return {Status::done, off, {}};
            }
            if (rest.empty()) return {Status::incomplete, off, {}};
            std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, rest.size()));
            remaining_ -= n;
            return {Status::body, off + n, rest.substr(0, n)};
        }
        case State::chunk_size: {
            Result r = parse_chunk_size(rest);
            if (r.status != Status::incomplete || r.consumed == 0) {
                r.consumed += off;
                return r;
            }
            off += r.consumed;  // the size line: go on to its data (or the trailers)
            continue;
        }
        case State::chunk_data: {
            if (rest.empty()) return {Status::incomplete, off, {}};
            std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, rest.size()));
            remaining_ -= n;
            if (remaining_ == 0) state_ = State::chunk_end;
            return {Status::body, off + n, rest.substr(0, n)};
        }
        case State::chunk_end: {
            if (rest.empty()) return {Status::incomplete, off, {}};
            if (rest[0] != '\r') return fail(400, "missing CRLF after chunk data", off);
            if (rest.size() < 2) return {Status::incomplete, off, {}};
            if (rest[1] != '\n') return fail(400, "missing CRLF after chunk data", off);
            off += 2;
            state_ = State::chunk_size;
            continue;
        }
        case State::trailers: {
            Result r = parse_trailers(rest);
            r.consumed += off;
            return r;
        }
        case State::until_close: {
            if (rest.empty()) return {Status::incomplete, off, {}};
            if (rest.size() > limits_.max_body_size - body_total_) return fail(413, "body too large", off);
            body_total_ += rest.size();
            return {Status::body, off + rest.size(), rest};
        }
        }
    }
}

HTTP1Parser::Result HTTP1Parser::parse_head(std::string_view data) {
    const int too_large = kind_ == Kind::request ? 431 : 400;
    while (true) {
        std::size_t nl = data.find('\n', scan_);
        if (nl == std::string_view::npos) {
            if (data.size() > limits_.max_header_size) return fail(too_large, "header block too large");
            return {Status::incomplete, 0, {}};
        }
        if (nl + 1 > limits_.max_header_size) return fail(too_large, "header block too large");
        std::string_view line = strip_cr(data.substr(scan_, nl - scan_));
        if (line.empty() && scan_ > 0) return finish_head(data.substr(0, nl + 1), nl + 1);
        scan_ = nl + 1;
    }
}

HTTP1Parser::Result HTTP1Parser::finish_head(std::string_view block, std::size_t consumed) {
    scan_ = 0;
    std::size_t nl = block.find('\n');
    std::string_view start_line = strip_cr(block.substr(0, nl));
    block.remove_prefix(nl + 1);
    try {
        if (kind_ == Kind::request) start_line_ = parse_request_start_line(start_line);
        else start_line_ = parse_response_start_line(start_line);
        std::size_t fields = 0;
        while (!block.empty()) {
            nl = block.find('\n');
            std::string_view line = strip_cr(block.substr(0, nl));
            block.remove_prefix(nl + 1);
            if (line.empty()) break;
            if (++fields > limits_.max_header_count)
                throw HTTPInputError("too many header fields", kind_ == Kind::request ? 431 : 400);
            // RFC 9112 5.2: a server rejects obs-fold; a client replaces it with a space.
            if (kind_ == Kind::request && (line.front() == ' ' || line.front() == '\t'))
                throw HTTPInputError("obsolete line folding in a request header");
            headers_.parse_line(line);
        }
        if (kind_ == Kind::request) choose_request_framing();
        else choose_response_framing();
    } catch (const HTTPInputError& e) {
        return fail(e.status(), e.what());
    }
    return {Status::headers, consumed, {}};
}

namespace {

/// Content-Length values (several fields, or one "n, n" list) must all be the same decimal.
std::uint64_t parse_content_length(const std::vector<std::string_view>& values, std::uint64_t max) {
    std::uint64_t result = 0;
    bool first = true;
    for (std::string_view v : values) {
        if (v.empty() || !std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; }))
            throw HTTPInputError("invalid Content-Length");
        while (v.size() > 1 && v.front() == '0') v.remove_prefix(1);
        if (v.size() > 19) throw HTTPInputError("Content-Length too long", 413);
        std::uint64_t n = 0;
        for (char c : v) n = n * 10 + static_cast<std::uint64_t>(c - '0');
        if (!first && n != result) throw HTTPInputError("conflicting Content-Length values");
        result = n;
        first = false;
    }
    if (result > max) throw HTTPInputError("Content-Length too long", 413);
    return result;
}

}  // namespace

namespace {

/// What the framing rules look at, found in one walk over the fields (five lookups took five).
struct FramingFields {
    std::size_t hosts = 0;
    bool has_te = false, has_cl = false;
};

FramingFields framing_fields(const HTTPHeaders& headers) {
    FramingFields f;
    for (const auto& [name, value] : headers) {
        // Names are stored normalised: the lengths tell the candidates apart first.
        switch (name.size()) {
            case 4: f.hosts += name == "Host"; break;
            case 14: f.has_cl |= name == "Content-Length"; break;
            case 17: f.has_te |= name == "Transfer-Encoding"; break;
            default: break;
        }
    }
    return f;
}

}  // namespace

void HTTP1Parser::choose_request_framing() {
    const bool http11 = request().version == "HTTP/1.1";
    const FramingFields f = framing_fields(headers_);
    if (http11) {
        if (f.hosts == 0) throw HTTPInputError("missing Host header");
        if (f.hosts > 1) throw HTTPInputError("repeated Host header");
    }
    if (f.has_te) {
        // RFC 9112 6.1 / 6.3: the framing of such a request cannot be trusted.
        if (!http11) throw HTTPInputError("Transfer-Encoding in an HTTP/1.0 request");
        if (f.has_cl) throw HTTPInputError("both Content-Length and Transfer-Encoding");
        auto te = list_elements(headers_, "Transfer-Encoding");
        if (te.empty() || detail::ascii_lowercase(te.back()) != "chunked")
            throw HTTPInputError("Transfer-Encoding without chunked last");
        if (te.size() != 1) throw HTTPInputError("unsupported Transfer-Encoding", 501);
        body_kind_ = BodyKind::chunked;
        state_ = State::chunk_size;
        return;
    }
    if (f.has_cl) {
        auto cl = list_elements(headers_, "Content-Length");
        if (cl.empty()) throw HTTPInputError("invalid Content-Length");
        content_length_ = parse_content_length(cl, limits_.max_body_size);
    }
    body_kind_ = content_length_ ? BodyKind::length : BodyKind::none;
    remaining_ = content_length_;
    state_ = State::body_length;
}

void HTTP1Parser::choose_response_framing() {
    const int code = response().code;
    if (head_request_ || (code >= 100 && code < 200) || code == 204 || code == 304) {
        body_kind_ = BodyKind::none;
        remaining_ = 0;
        state_ = State::body_length;
        return;
    }
    const FramingFields f = framing_fields(headers_);
    if (f.has_te && f.has_cl) throw HTTPInputError("both Content-Length and Transfer-Encoding");
    if (f.has_te) {
        auto te = list_elements(headers_, "Transfer-Encoding");
        if (!te.empty() && detail::ascii_lowercase(te.back()) == "chunked") {
            if (te.size() != 1) throw HTTPInputError("unsupported Transfer-Encoding");
            body_kind_ = BodyKind::chunked;
            state_ = State::chunk_size;
            return;
        }
    }
    if (f.has_cl && !f.has_te) {
        auto cl = list_elements(headers_, "Content-Length");
        if (cl.empty()) throw HTTPInputError("invalid Content-Length");
        content_length_ = parse_content_length(cl, limits_.max_body_size);
        body_kind_ = BodyKind::length;
        remaining_ = content_length_;
        state_ = State::body_length;
        return;
    }
    body_kind_ = BodyKind::until_close;
    state_ = State::until_close;
}

HTTP1Parser::Result HTTP1Parser::parse_chunk_size(std::string_view data) {
    std::size_t nl = data.find('\n');
    if (nl == std::string_view::npos) {
        if (data.size() > max_chunk_line) return fail(400, "chunk size line too long");
        return {Status::incomplete, 0, {}};
    }
    if (nl > max_chunk_line) return fail(400, "chunk size line too long");
    // CRLF only, as Tornado reads it: parsers that end the line at a bare LF and parsers that
    // take the LF into an extension frame the same bytes differently (request smuggling).
    if (nl == 0 || data[nl - 1] != '\r') return fail(400, "chunk size line without CRLF");
    std::string_view line = data.substr(0, nl - 1);
    std::uint64_t size = 0;
    std::size_t digits = 0;
    for (; digits < line.size() && hex_digit(line[digits]) >= 0; ++digits) {
        // Leading zeros are free; a 17th significant digit would not fit.
        if (size > (std::numeric_limits<std::uint64_t>::max() >> 4)) return fail(400, "chunk size too large");
        size = size * 16 + static_cast<std::uint64_t>(hex_digit(line[digits]));
    }
    if (digits == 0) return fail(400, "invalid chunk size");
    std::string_view ext = line.substr(digits);
    while (!ext.empty() && (ext.front() == ' ' || ext.front() == '\t')) ext.remove_prefix(1);
    if (!ext.empty() && (ext.front() != ';' || !is_valid_field_value(ext))) return fail(400, "invalid chunk size");
    if (size == 0) {
        state_ = State::trailers;
        scan_ = 0;
        return {Status::incomplete, nl + 1, {}};
    }
    // Compared before adding: the running total cannot wrap however large the chunk.
    if (size > limits_.max_body_size || body_total_ > limits_.max_body_size - size)
        return fail(413, "chunked body too large");
    body_total_ += size;
    remaining_ = size;
    state_ = State::chunk_data;
    return {Status::incomplete, nl + 1, {}};
}

HTTP1Parser::Result HTTP1Parser::parse_trailers(std::string_view data) {
    while (true) {
        std::size_t nl = data.find('\n', scan_);
        if (nl == std::string_view::npos) {
            if (data.size() > limits_.max_header_size) return fail(400, "trailers too large");
            return {Status::incomplete, 0, {}};
        }
        if (nl + 1 > limits_.max_header_size) return fail(400, "trailers too large");
        std::string_view line = strip_cr(data.substr(scan_, nl - scan_));
        if (line.empty()) {
            // The whole trailer section is here: parse it.
            std::string_view block = data.substr(0, scan_);
            try {
                std::size_t fields = 0;
                while (!block.empty()) {
                    if (++fields > limits_.max_header_count) throw HTTPInputError("too many trailer fields");
                    std::size_t e = block.find('\n');
                    std::string_view l = strip_cr(block.substr(0, e));
                    block.remove_prefix(e + 1);
                    if (l.front() == ' ' || l.front() == '\t') throw HTTPInputError("obsolete line folding in trailers");
                    trailers_.parse_line(l);
                }
            } catch (const HTTPInputError& e) {
                return fail(400, e.what());
            }
            scan_ = 0;
            state_ = State::done;
            return {Status::done, nl + 1, {}};
        }
        scan_ = nl + 1;
    }
}

HTTP1Parser::Result HTTP1Parser::finish() {
    switch (state_) {
    case State::until_close:
        state_ = State::done;
        return {Status::done, 0, {}};
    case State::start:
    case State::done:
        return {Status::incomplete, 0, {}};
    case State::failed:
        return {Status::error, 0, {}};
    default:
        return fail(400, "connection closed before the message was complete");
    }
}

}  // namespace squall
