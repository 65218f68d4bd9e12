// Cookie headers and byte ranges. Internal. Models tornado/httputil.py parse_cookie (4.4.2,
// lenient like browsers) and _parse_request_range / _get_content_range (4.0).
#include <limits>

#include "squall/httputil.h"
#include "squall/detail/ascii.h"

namespace squall {
namespace {

/// A cookie value in double quotes, with Python's \" \\ and \ooo octal escapes undone.
std::string unquote_cookie(std::string_view v) {
    if (v.size() < 2 || v.front() != '"' || v.back() != '"') return std::string(v);
    v = v.substr(1, v.size() - 2);
    std::string out;
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (v[i] == '\\' && i + 3 < v.size() && v[i + 1] >= '0' && v[i + 1] <= '3' && v[i + 2] >= '0' &&
            v[i + 2] <= '7' && v[i + 3] >= '0' && v[i + 3] <= '7') {
            out += static_cast<char>((v[i + 1] - '0') * 64 + (v[i + 2] - '0') * 8 + (v[i + 3] - '0'));
            i += 3;
        } else if (v[i] == '\\' && i + 1 < v.size()) {
            out += v[++i];
        } else {
            out += v[i];
        }
    }
    return out;
}

/// Decimal digits only, any number of them: values past int64 saturate at its maximum, which
/// is past the end of any file, so the range logic needs no overflow cases of its own.
std::optional<std::int64_t> to_position(std::string_view s) {
    if (s.empty()) return std::nullopt;
    constexpr std::int64_t most = std::numeric_limits<std::int64_t>::max();
    std::int64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        const int digit = c - '0';
        v = v > (most - digit) / 10 ? most : v * 10 + digit;
    }
    return v;
}

}  // namespace

std::map<std::string, std::string> parse_cookie(std::string_view header) {
    std::map<std::string, std::string> out;
    while (!header.empty()) {
        std::size_t semi = header.find(';');
        std::string_view chunk = header.substr(0, semi);
        header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
        std::size_t eq = chunk.find('=');
        // A chunk without "=" is a nameless value, as browsers send it.
        std::string_view key = eq == std::string_view::npos ? std::string_view() : detail::trim_ows(chunk.substr(0, eq));
        std::string_view value = detail::trim_ows(eq == std::string_view::npos ? chunk : chunk.substr(eq + 1));
        if (!key.empty() || !value.empty()) out[std::string(key)] = unquote_cookie(value);
    }
    return out;
}

std::optional<ByteRange> parse_request_range(std::string_view header) {
    std::size_t eq = header.find('=');
    if (eq == std::string_view::npos || detail::trim_ows(header.substr(0, eq)) != "bytes") return std::nullopt;
    std::string_view spec = detail::trim_ows(header.substr(eq + 1));
    if (spec.empty()) return ByteRange{};
    if (spec.find(',') != std::string_view::npos) return std::nullopt;  // several ranges
    std::size_t dash = spec.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    std::string_view a = detail::trim_ows(spec.substr(0, dash)), b = detail::trim_ows(spec.substr(dash + 1));
    ByteRange r;
    if (!a.empty() && !(r.start = to_position(a))) return std::nullopt;
    if (!b.empty()) {
        auto end = to_position(b);
        if (!end) return std::nullopt;
        if (!r.start) {
            // "bytes=-N": the last N bytes; "bytes=-0" is an empty slice at the end.
            if (*end == 0) r.end = 0;
            else r.start = -*end;
        } else if (*end < std::numeric_limits<std::int64_t>::max()) {
            r.end = *end + 1;  // inclusive on the wire, exclusive here
        }  // else: to the end of any file there can be
    }
    return r;
}

std::string content_range(std::optional<std::int64_t> start, std::optional<std::int64_t> end, std::int64_t total) {
    std::int64_t s = start.value_or(0);
    std::int64_t e = end.value_or(total) - 1;
    return "bytes " + std::to_string(s) + "-" + std::to_string(e) + "/" + std::to_string(total);
}

}  // namespace squall
