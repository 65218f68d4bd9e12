// A push parser for multipart/form-data (RFC 7578 over RFC 2046's framing): bytes go in as
// they arrive, parts come out announced by their headers and their contents in pieces, so an
// upload of any size is handled in bounded memory. Public header. Tornado parses only whole
// bodies (httputil.parse_multipart_form_data); this is the streaming parser proposed for it
// (tornado#2582), and parse_multipart_form_data is built on it.
#pragma once

#include "squall/detail/require_cxx20.h"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "squall/http_headers.h"
#include "squall/httputil.h"

namespace squall {

/// One part's header block, as read.
struct MultipartPart {
    /// The Content-Disposition `name` parameter (RFC 2231's `name*` decoded).
    std::string name;
    /// The `filename` parameter, present for a file (it may be empty: a form's unused file input).
    std::optional<std::string> filename;
    /// The part's Content-Type, else "application/unknown" for a file (as Tornado's
    /// HTTPFile) and "text/plain" for a field (RFC 7578 4.4).
    std::string content_type;
    HTTPHeaders headers;

    bool is_file() const noexcept { return filename.has_value(); }
};

/// What a MultipartParser reports, in order: for each part, on_part_begin, on_part_data any
/// number of times (pieces of any size, possibly none), on_part_end. An exception thrown here
/// leaves feed() and makes the parser unusable.
class MultipartDelegate {
public:
    virtual void on_part_begin(const MultipartPart& part) = 0;
    virtual void on_part_data(std::string_view bytes) = 0;
    virtual void on_part_end() = 0;

protected:
    ~MultipartDelegate() = default;
};

/// Feed it a body in pieces of any size; it keeps at most one part header block
/// (FormLimits::max_part_header_size) and a boundary's length of bytes between calls. The
/// preamble before the first boundary and the epilogue after the last are ignored. Violations
/// (a missing or malformed boundary line, a part without `Content-Disposition: form-data` or
/// without a name, more parts or a larger header block than the limits allow) throw
/// HTTPInputError with status 400, as does a body that ends before the closing boundary.
///
///     MultipartParser parser(MultipartParser::boundary_of(content_type), delegate);
///     parser.feed(chunk);  // from data_received, for each chunk
///     parser.finish();     // once the body is complete
class MultipartParser {
public:
    /// `boundary` as in the Content-Type parameter: 1 to 70 bytes, quotes around it allowed.
    /// Throws HTTPInputError for an empty or longer boundary.
    MultipartParser(std::string_view boundary, MultipartDelegate& delegate, const FormLimits& limits = {});

    /// The boundary parameter of a multipart/form-data Content-Type. Throws HTTPInputError
    /// when the type is another one or the parameter is missing.
    static std::string boundary_of(std::string_view content_type);

    /// Parse the next bytes of the body, calling the delegate as parts begin, continue and end.
    void feed(std::string_view bytes);
    /// The body ended: throws HTTPInputError unless the closing boundary was seen.
    void finish();
    /// True once the closing boundary has been read (what follows it is ignored).
    bool done() const noexcept { return state_ == State::epilogue; }

private:
    enum class State { preamble, after_delimiter, close_dash, padding, line_feed, headers, body, epilogue, failed };

    std::size_t step(std::string_view bytes);
    std::size_t scan_for_delimiter(std::string_view bytes, bool& found);
    std::size_t delimiter_line(std::string_view bytes);
    std::size_t header_block(std::string_view bytes);
    void begin_part(std::string_view block);
    void emit(std::string_view bytes);

    MultipartDelegate& delegate_;
    FormLimits limits_;
    std::string delimiter_;  // CRLF "--" boundary
    std::string carry_;      // a tail of the last piece that may begin a delimiter
    std::string header_;     // the part header block being read
    std::size_t fields_ = 0, files_ = 0;
    State state_ = State::preamble;
};

}  // namespace squall
