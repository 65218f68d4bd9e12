// Request and response start lines, parsed strictly (RFC 9112 section 3 and 4). Internal.
// Models tornado/httputil.py parse_request_start_line / parse_response_start_line (6.5 rules).
#include "squall/httputil.h"

namespace squall {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// "HTTP/1.1": HTTP/ DIGIT . DIGIT; throws 505 for a major version other than 1.
void check_version(std::string_view v, const char* what) {
    if (v.size() != 8 || v.substr(0, 5) != "HTTP/" || !is_digit(v[5]) || v[6] != '.' || !is_digit(v[7]))
        throw HTTPInputError(std::string("Malformed HTTP version in ") + what);
    if (v[5] != '1') throw HTTPInputError("HTTP version not supported", 505);
}

}  // namespace

RequestStartLine parse_request_start_line(std::string_view line) {
    std::size_t sp1 = line.find(' ');
    std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos)
        throw HTTPInputError("Malformed HTTP request line");
    std::string_view method = line.substr(0, sp1);
    std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    std::string_view version = line.substr(sp2 + 1);
    if (!is_token(method)) throw HTTPInputError("Malformed HTTP request line: bad method");
    if (target.empty()) throw HTTPInputError("Malformed HTTP request line: empty target");
    for (unsigned char c : target)
        if (c <= 0x20 || c == 0x7f) throw HTTPInputError("Malformed HTTP request line: bad target");
    check_version(version, "HTTP Request-Line");
    return {std::string(method), std::string(target), std::string(version)};
}

ResponseStartLine parse_status_line(std::string_view line) {
    // HTTP-version SP 3DIGIT [SP reason], where the version is "HTTP/" DIGIT ["." DIGIT].
    std::size_t sp = line.find(' ');
    std::string_view version = line.substr(0, sp);
    const bool version_ok = (version.size() == 6 || (version.size() == 8 && version[6] == '.' && is_digit(version[7]))) &&
                            version.substr(0, 5) == "HTTP/" && is_digit(version[5]);
    if (!version_ok || sp == std::string_view::npos || line.size() < sp + 4 || !is_digit(line[sp + 1]) ||
        !is_digit(line[sp + 2]) || !is_digit(line[sp + 3]) || (line.size() > sp + 4 && line[sp + 4] != ' '))
        throw HTTPInputError("Error parsing response start line");
    std::string_view reason = line.size() > sp + 5 ? line.substr(sp + 5) : std::string_view();
    if (!is_valid_field_value(reason)) throw HTTPInputError("Error parsing response start line");
    int code = (line[sp + 1] - '0') * 100 + (line[sp + 2] - '0') * 10 + (line[sp + 3] - '0');
    if (code < 100) throw HTTPInputError("Error parsing response start line");
    return {std::string(version), code, std::string(reason)};
}

ResponseStartLine parse_response_start_line(std::string_view line) {
    ResponseStartLine start = parse_status_line(line);
    check_version(start.version, "response start line");
    return start;
}

}  // namespace squall
