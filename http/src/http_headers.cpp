// HTTPHeaders: storage, lookup and parsing of header lines. Internal. Models
// tornado/httputil.py (4.0) HTTPHeaders and _normalized_headers.
#include "squall/http_headers.h"

#include <algorithm>

#include "squall/detail/ascii.h"

namespace squall {

using detail::iequals;

bool is_token(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (unsigned char c : s) {
        if (c >= 'a' && c <= 'z') continue;
        if (c >= 'A' && c <= 'Z') continue;
        if (c >= '0' && c <= '9') continue;
        switch (c) {
        case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
        case '-': case '.': case '^': case '_': case '`': case '|': case '~':
            continue;
        default:
            return false;
        }
    }
    return true;
}

bool is_valid_field_value(std::string_view s) noexcept {
    for (unsigned char c : s)
        if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
    return true;
}

HTTPHeaders::HTTPHeaders(std::initializer_list<Field> fields) {
    fields_.reserve(fields.size() + 2);  // room for the framing headers a response gains
    for (const auto& [name, value] : fields) add(name, value);
}

std::string HTTPHeaders::normalize_name(std::string_view name) {
    std::string out(name);
    bool start = true;
    for (char& c : out) {
        if (start && c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
        else if (!start && c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
        start = c == '-';
    }
    return out;
}

void HTTPHeaders::add(std::string_view name, std::string_view value) {
    // One allocation for a typical message's lines rather than a doubling series.
    if (fields_.capacity() == 0) fields_.reserve(8);
    fields_.emplace_back(normalize_name(name), std::string(value));
}

void HTTPHeaders::set(std::string_view name, std::string_view value) {
    erase(name);
    add(name, value);
}

std::size_t HTTPHeaders::erase(std::string_view name) {
    auto it = std::remove_if(fields_.begin(), fields_.end(), [&](const Field& f) { return iequals(f.first, name); });
    auto n = static_cast<std::size_t>(fields_.end() - it);
    fields_.erase(it, fields_.end());
    return n;
}

std::optional<std::string_view> HTTPHeaders::find(std::string_view name) const noexcept {
    for (const auto& f : fields_)
        if (iequals(f.first, name)) return std::string_view(f.second);
    return std::nullopt;
}

std::string HTTPHeaders::get(std::string_view name, std::string_view fallback) const {
    std::string out;
    bool found = false;
    for (const auto& f : fields_) {
        if (!iequals(f.first, name)) continue;
        if (found) out += ',';
        out += f.second;
        found = true;
    }
    return found ? out : std::string(fallback);
}

std::vector<std::string> HTTPHeaders::get_list(std::string_view name) const {
    std::vector<std::string> out;
    for (const auto& f : fields_)
        if (iequals(f.first, name)) out.push_back(f.second);
    return out;
}

std::size_t HTTPHeaders::count(std::string_view name) const noexcept {
    return static_cast<std::size_t>(
        std::count_if(fields_.begin(), fields_.end(), [&](const Field& f) { return iequals(f.first, name); }));
}

void HTTPHeaders::parse_line(std::string_view line) {
    if (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
        if (fields_.empty()) throw HTTPInputError("first header line cannot start with whitespace");
        std::string_view more = detail::trim_ows(line);
        if (!is_valid_field_value(more)) throw HTTPInputError("invalid header value");
        if (!more.empty()) {
            fields_.back().second += ' ';
            fields_.back().second += more;
        }
        return;
    }
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) throw HTTPInputError("no colon in header line");
    std::string_view name = line.substr(0, colon);
    // RFC 9112 5.1: no whitespace between name and colon (request smuggling vector).
    if (!is_token(name)) throw HTTPInputError("invalid header name");
    std::string_view value = detail::trim_ows(line.substr(colon + 1));
    if (!is_valid_field_value(value)) throw HTTPInputError("invalid header value");
    add(name, value);
}

HTTPHeaders HTTPHeaders::parse(std::string_view text) {
    HTTPHeaders h;
    while (!text.empty()) {
        std::size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty()) continue;
        h.parse_line(line);
    }
    return h;
}

std::size_t HTTPHeaders::serialized_size() const noexcept {
    std::size_t n = 0;
    for (const auto& [name, value] : fields_) n += name.size() + value.size() + 4;
    return n;
}

void HTTPHeaders::serialize(std::string& out) const {
    for (const auto& [name, value] : fields_) {
        out += name;
        out += ": ";
        out += value;
        out += "\r\n";
    }
}

}  // namespace squall
