// Percent-encoding, query strings and url_concat. Internal. Models tornado/escape.py (4.0)
// url_escape / url_unescape, httputil.parse_qs_bytes and url_concat (with 4.5's fragments).
#include "squall/httputil.h"

#include <limits>

namespace squall {
namespace {

bool unreserved(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::string url_escape(std::string_view s, bool plus) {
    static const char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size());
    for (unsigned char c : s) {
        if (unreserved(c) || (!plus && c == '/')) {
            out += static_cast<char>(c);
        } else if (plus && c == ' ') {
            out += '+';
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

std::string url_unescape(std::string_view s, bool plus) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '+' && plus) {
            out += ' ';
        } else if (c == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        } else {
            out += c;
        }
    }
    return out;
}

ArgumentMap parse_qs(std::string_view query) { return parse_qs(query, std::numeric_limits<std::size_t>::max()); }

ArgumentMap parse_qs(std::string_view query, std::size_t max_fields) {
    ArgumentMap out;
    std::size_t fields = 0;
    while (!query.empty()) {
        std::size_t amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        if (pair.empty()) continue;
        if (++fields > max_fields)
            throw HTTPInputError("too many form fields (the limit is " + std::to_string(max_fields) + ")");
        std::size_t eq = pair.find('=');
        std::string name = url_unescape(pair.substr(0, eq));
        std::string value = eq == std::string_view::npos ? std::string() : url_unescape(pair.substr(eq + 1));
        out[std::move(name)].push_back(std::move(value));
    }
    return out;
}

std::string url_concat(std::string_view url, const std::vector<std::pair<std::string, std::string>>& args) {
    if (args.empty()) return std::string(url);
    std::size_t hash = url.find('#');
    std::string_view base = url.substr(0, hash);
    std::string_view fragment = hash == std::string_view::npos ? std::string_view() : url.substr(hash);
    std::string out(base);
    if (out.find('?') == std::string::npos) out += '?';
    else if (out.back() != '?' && out.back() != '&') out += '&';
    bool first = true;
    for (const auto& [name, value] : args) {
        if (!first) out += '&';
        first = false;
        out += url_escape(name);
        out += '=';
        out += url_escape(value);
    }
    out += fragment;
    return out;
}

}  // namespace squall
