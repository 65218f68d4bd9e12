// MultipartParser: the state machine over RFC 2046's framing (delimiter, boundary line, part
// headers, contents) with RFC 7578's rules for form-data parts. Part of squall-http; the
// streaming counterpart of tornado/httputil.py parse_multipart_form_data.
#include "squall/multipart.h"

#include <algorithm>
#include <cstdint>
#include <stdexcept>

#include "header_params.h"

namespace squall {
namespace {

std::string_view unquoted(std::string_view boundary) {
    // Quotes are allowed around a boundary, but are not part of it (RFC 2046 5.1.1).
    if (boundary.size() >= 2 && boundary.front() == '"' && boundary.back() == '"')
        return boundary.substr(1, boundary.size() - 2);
    return boundary;
}

/// How many bytes at the end of `bytes` are the start of `delimiter` (shorter than all of it).
std::size_t partial_delimiter_at_end(std::string_view bytes, std::string_view delimiter) {
    const std::size_t longest = std::min(bytes.size(), delimiter.size() - 1);
    for (std::size_t keep = longest; keep > 0; --keep) {
        if (bytes.substr(bytes.size() - keep) == delimiter.substr(0, keep)) return keep;
    }
    return 0;
}

/// The most a header block takes with its blank line, saturating for the largest limits.
std::size_t header_budget(std::size_t max_part_header_size) {
    constexpr std::size_t blank_line = 4;  // the CRLF ending the last line and the empty line
    return max_part_header_size > SIZE_MAX - blank_line ? SIZE_MAX : max_part_header_size + blank_line;
}

[[noreturn]] void malformed(const std::string& why) { throw HTTPInputError("Invalid multipart/form-data: " + why); }

}  // namespace

MultipartParser::MultipartParser(std::string_view boundary, MultipartDelegate& delegate, const FormLimits& limits)
    : delegate_(delegate), limits_(limits) {
    boundary = unquoted(boundary);
    if (boundary.empty() || boundary.size() > 70) malformed("bad boundary");
    delimiter_ = "\r\n--" + std::string(boundary);
    // The first delimiter may open the body without the CRLF that precedes every other one.
    carry_ = "\r\n";
}

std::string MultipartParser::boundary_of(std::string_view content_type) {
    auto [type, params] = detail::parse_header_params(content_type);
    if (type != "multipart/form-data") malformed("not multipart/form-data");
    auto it = params.find("boundary");
    if (it == params.end() || it->second.empty()) malformed("no boundary");
    return it->second;
}

void MultipartParser::feed(std::string_view bytes) {
    if (state_ == State::failed) throw std::logic_error("MultipartParser::feed after an error");
    try {
        while (!bytes.empty()) bytes.remove_prefix(step(bytes));
    } catch (...) {
        state_ = State::failed;
        throw;
    }
}

void MultipartParser::finish() {
    switch (state_) {
        case State::epilogue: return;
        case State::failed: throw std::logic_error("MultipartParser::finish after an error");
        case State::headers: state_ = State::failed; throw HTTPInputError("multipart/form-data missing headers");
        default: state_ = State::failed; malformed("no final boundary");
    }
}

/// Consumes a prefix of `bytes` (at least one byte) and moves on through the states.
std::size_t MultipartParser::step(std::string_view bytes) {
    switch (state_) {
        case State::preamble:
        case State::body: {
            bool found = false;
            std::size_t used = scan_for_delimiter(bytes, found);
            if (found) {
                if (state_ == State::body) delegate_.on_part_end();
                state_ = State::after_delimiter;
            }
            return used;
        }
        case State::headers: return header_block(bytes);
        case State::epilogue: return bytes.size();
        default: return delimiter_line(bytes);
    }
}

/// Looks for the delimiter in what was carried over and `bytes`; what precedes it is a part's
/// contents (or the preamble). Sets `found` when the delimiter ends within what was consumed.
std::size_t MultipartParser::scan_for_delimiter(std::string_view bytes, bool& found) {
    const std::string_view delimiter = delimiter_;
    if (!carry_.empty()) {
        // A delimiter beginning in the carried bytes ends within the next delimiter's length.
        const std::size_t carried = carry_.size();
        std::string window = carry_;
        window.append(bytes.substr(0, delimiter.size()));
        std::size_t at = window.find(delimiter);
        if (at != std::string::npos) {
            emit(std::string_view(window).substr(0, at));
            carry_.clear();
            found = true;
            return at + delimiter.size() - carried;
        }
        if (bytes.size() < delimiter.size()) {
            std::size_t keep = partial_delimiter_at_end(window, delimiter);
            emit(std::string_view(window).substr(0, window.size() - keep));
            carry_ = window.substr(window.size() - keep);
            return bytes.size();
        }
        emit(carry_);
        carry_.clear();
    }
    std::size_t at = bytes.find(delimiter);
    if (at != std::string_view::npos) {
        emit(bytes.substr(0, at));
        found = true;
        return at + delimiter.size();
    }
    std::size_t keep = partial_delimiter_at_end(bytes, delimiter);
    emit(bytes.substr(0, bytes.size() - keep));
    carry_ = bytes.substr(bytes.size() - keep);
    return bytes.size();
}

/// What follows a delimiter: "--" (the close delimiter), or optional spaces and tabs and CRLF.
std::size_t MultipartParser::delimiter_line(std::string_view bytes) {
    const char c = bytes.front();
    switch (state_) {
        case State::after_delimiter:
            if (c == '-') {
                state_ = State::close_dash;
                return 1;
            }
            [[fallthrough]];
        case State::padding:
            if (c == ' ' || c == '\t') {
                state_ = State::padding;
            } else if (c == '\r') {
                state_ = State::line_feed;
            } else {
                malformed("a boundary line ends in something other than CRLF");
            }
            return 1;
        case State::close_dash:
            if (c != '-') malformed("a boundary line ends in something other than CRLF");
            state_ = State::epilogue;
            return 1;
        default:  // line_feed
            if (c != '\n') malformed("a boundary line ends in something other than CRLF");
            state_ = State::headers;
            header_.clear();
            return 1;
    }
}

/// Collects a part's header block up to its blank line, within max_part_header_size.
std::size_t MultipartParser::header_block(std::string_view bytes) {
    const std::size_t before = header_.size();
    const std::size_t budget = header_budget(limits_.max_part_header_size);
    header_.append(bytes.substr(0, budget - before));
    std::size_t end = std::string::npos;
    if (header_.size() >= 2 && header_.compare(0, 2, "\r\n") == 0) {
        end = 0;  // no header lines at all: the blank line comes first
    } else {
        std::size_t from = before >= 3 ? before - 3 : 0;
        std::size_t at = header_.find("\r\n\r\n", from);
        if (at != std::string::npos) end = at + 2;
    }
    if (end == std::string::npos) {
        if (header_.size() >= budget)
            throw HTTPInputError("multipart/form-data part headers too large");
        return bytes.size();
    }
    const std::size_t block_end = end + 2;  // past the blank line
    begin_part(std::string_view(header_).substr(0, end));
    state_ = State::body;
    header_.clear();
    header_.shrink_to_fit();
    return block_end - before;
}

void MultipartParser::begin_part(std::string_view block) {
    MultipartPart part;
    part.headers = HTTPHeaders::parse(block);
    auto [disposition, params] = detail::parse_header_params(part.headers.get("Content-Disposition"));
    if (disposition != "form-data") throw HTTPInputError("Invalid multipart/form-data");
    auto name = params.find("name");
    if (name == params.end()) throw HTTPInputError("multipart/form-data value missing name");
    part.name = std::move(name->second);
    if (auto filename = params.find("filename"); filename != params.end()) part.filename = std::move(filename->second);
    if (part.is_file() ? ++files_ > limits_.max_files : ++fields_ > limits_.max_fields)
        throw HTTPInputError(part.is_file() ? "too many files in multipart/form-data (the limit is " +
                                                  std::to_string(limits_.max_files) + ")"
                                            : "too many form fields (the limit is " +
                                                  std::to_string(limits_.max_fields) + ")");
    part.content_type = part.headers.get("Content-Type", part.is_file() ? "application/unknown" : "text/plain");
    delegate_.on_part_begin(part);
}

void MultipartParser::emit(std::string_view bytes) {
    if (state_ == State::body && !bytes.empty()) delegate_.on_part_data(bytes);
}

}  // namespace squall
