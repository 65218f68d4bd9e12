// HTTP utilities shared by the server, the client and the web framework: start lines, query
// strings and form bodies (urlencoded and multipart), URLs, dates, cookies and byte ranges.
// Public header. Models tornado/httputil.py (4.0) with the later fixes users rely on.
#pragma once

#include "squall/detail/require_cxx20.h"

#include <chrono>
#include <cstdint>
#include <ctime>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "squall/http_headers.h"

namespace squall {

struct RequestStartLine {
    std::string method, path, version;
};
struct ResponseStartLine {
    std::string version;
    int code = 0;
    std::string reason;
};
/// A message's first line: a request's or a response's.
using StartLine = std::variant<RequestStartLine, ResponseStartLine>;

/// The standard reason phrase for a status code ("Not Found"), or "Unknown".
std::string_view reason_phrase(int code) noexcept;

/// "GET /path HTTP/1.1": a token method, a target without whitespace or controls, HTTP/1.x.
/// Throws HTTPInputError (status 505 for another HTTP major version, else 400).
RequestStartLine parse_request_start_line(std::string_view line);
/// "HTTP/1.1 200 OK" (the reason may be empty). Throws HTTPInputError (status 505 for another
/// HTTP major version, else 400).
ResponseStartLine parse_response_start_line(std::string_view line);
/// The same for any HTTP version ("HTTP/2 200", "HTTP/3 404 Not Found"), as libcurl reports
/// the status lines of HTTP/2 and HTTP/3 responses. Throws HTTPInputError.
ResponseStartLine parse_status_line(std::string_view line);

/// Arguments by name, each with every value in arrival order; blank values are kept.
using ArgumentMap = std::map<std::string, std::vector<std::string>>;
struct HTTPFile {
    std::string filename;
    std::string body;
    std::string content_type;
};
using FileMap = std::map<std::string, std::vector<HTTPFile>>;

/// Percent-encoding of everything but unreserved characters; spaces as "+" when `plus`.
std::string url_escape(std::string_view s, bool plus = true);
/// The reverse; "+" is a space when `plus`. Malformed escapes stay as they are.
std::string url_unescape(std::string_view s, bool plus = true);
/// "a=1&b=2&a=3" -> {a: [1, 3], b: [2]}; blank values kept (Tornado's parse_qs_bytes).
ArgumentMap parse_qs(std::string_view query);
/// The same, for peer input: more than `max_fields` fields is an HTTPInputError (400).
ArgumentMap parse_qs(std::string_view query, std::size_t max_fields);
/// Append query arguments: "?" or "&" as needed, before any "#fragment".
std::string url_concat(std::string_view url, const std::vector<std::pair<std::string, std::string>>& args);
/// `ref` resolved against `base` (RFC 3986 section 5.2; Python's urljoin), for Location headers.
std::string urljoin(std::string_view base, std::string_view ref);

/// Budgets for form data from a peer (Django's DATA_UPLOAD_MAX_NUMBER_FIELDS and
/// DATA_UPLOAD_MAX_NUMBER_FILES are the model): each source (the query, the body) is counted on
/// its own. Past any of them parsing stops with an HTTPInputError (400), so neither the time
/// nor the memory a form costs grows past what the limits allow.
struct FormLimits {
    /// Fields in a query string or urlencoded body, and non-file parts of a multipart body.
    std::size_t max_fields = 1000;
    /// Parts of a multipart body with a filename.
    std::size_t max_files = 100;
    /// The header block of one multipart part.
    std::size_t max_part_header_size = 8 * 1024;
};

/// Fill arguments and files from a request body according to its Content-Type (urlencoded or
/// multipart/form-data; anything else is left alone). Throws HTTPInputError, with the reason,
/// for a malformed body or a Content-Encoding that was not removed.
void parse_body_arguments(std::string_view content_type, std::string_view body, ArgumentMap& arguments,
                          FileMap& files, const HTTPHeaders* headers = nullptr, const FormLimits& limits = {});
/// multipart/form-data with `boundary` (quotes allowed). Parts with a filename become files
/// (Content-Type defaulting to application/unknown), others arguments. Throws HTTPInputError.
void parse_multipart_form_data(std::string_view boundary, std::string_view data, ArgumentMap& arguments,
                               FileMap& files, const FormLimits& limits = {});

/// RFC 9110 IMF-fixdate: "Sun, 27 Jan 2013 18:43:20 GMT".
std::string format_timestamp(std::time_t t);
std::string format_timestamp(std::chrono::system_clock::time_point t);
/// Any of the three HTTP date formats (IMF-fixdate, RFC 850, asctime); nullopt if none fits.
std::optional<std::time_t> parse_http_date(std::string_view s);

/// A Cookie header as browsers send it, leniently (Tornado 4.4's parse_cookie): "a=1; b="x""
/// -> {a: 1, b: x}; a later duplicate wins.
std::map<std::string, std::string> parse_cookie(std::string_view header);

/// A single byte range "bytes=a-b" as a slice [start, end): "bytes=1-2" -> (1, 3), "bytes=6-"
/// -> (6, none), "bytes=-6" -> (-6, none), "bytes=-0" -> (none, 0). nullopt for other units,
/// several ranges or junk (Tornado's _parse_request_range).
struct ByteRange {
    std::optional<std::int64_t> start, end;
};
std::optional<ByteRange> parse_request_range(std::string_view header);
/// "bytes 0-9/100" for the slice [start, end) of `total` (Tornado's _get_content_range).
std::string content_range(std::optional<std::int64_t> start, std::optional<std::int64_t> end, std::int64_t total);

}  // namespace squall
