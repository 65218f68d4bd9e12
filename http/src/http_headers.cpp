// HTTPHeaders: storage, lookup and parsing of header lines. Internal. Models
// tornado/httputil.py (4.0) HTTPHeaders and _normalized_headers.
#include "squall/http_headers.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <tuple>

#include "squall/detail/ascii.h"

namespace squall {

using detail::iequals;

namespace {

constexpr std::uint64_t bytes_of(unsigned char c) { return 0x0101010101010101ull * c; }
constexpr std::uint64_t high_bits = bytes_of(0x80);

/// The high bit of each byte of `w` below `n` (n <= 128) is set in the result if any is (the
/// borrow may mark bytes above a true one, which is enough to answer "any?").
constexpr std::uint64_t any_below(std::uint64_t w, unsigned char n) { return (w - bytes_of(n)) & ~w & high_bits; }
constexpr std::uint64_t any_equal(std::uint64_t w, unsigned char c) { return any_below(w ^ bytes_of(c), 1); }

std::uint64_t load8(const char* p) noexcept {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    return w;
}

constexpr std::array<bool, 256> token_chars = [] {
    std::array<bool, 256> t{};
    for (int c = 'a'; c <= 'z'; ++c) t[c] = true;
    for (int c = 'A'; c <= 'Z'; ++c) t[c] = true;
    for (int c = '0'; c <= '9'; ++c) t[c] = true;
    for (unsigned char c : std::string_view("!#$%&'*+-.^_`|~")) t[c] = true;
    return t;
}();

/// name_case[0]: A-Z lowered; name_case[1] (a word's first letter): a-z raised.
constexpr std::array<std::array<char, 256>, 2> name_case = [] {
    std::array<std::array<char, 256>, 2> t{};
    for (int c = 0; c < 256; ++c) {
        t[0][c] = t[1][c] = static_cast<char>(c);
        if (c >= 'A' && c <= 'Z') t[0][c] = static_cast<char>(c + 32);
        if (c >= 'a' && c <= 'z') t[1][c] = static_cast<char>(c - 32);
    }
    return t;
}();

/// Normalises `name` in place; whether it was a token (the same walk over its bytes). Byte by
/// byte with two table lookups: names are short, and eight-at-a-time code measured slower on
/// them (its setup costs more than the few bytes it saves).
bool normalize_in_place(std::string& name) noexcept {
    bool word_start = true;
    bool token = !name.empty();
    for (char& c : name) {
        const auto byte = static_cast<unsigned char>(c);
        token &= token_chars[byte];
        c = name_case[word_start][byte];
        word_start = c == '-';
    }
    return token;
}

template <std::size_t N>
bool spelled(const char* p, const char (&known)[N]) noexcept {
    return std::memcmp(p, known, N - 1) == 0;  // a constant size: compiled to a few loads
}

/// Whether `name` is a common field name already in Tornado's spelling (so a token too). Most
/// names arrive spelled so, and a compare costs less than normalising byte by byte.
bool is_common_normalized(std::string_view name) noexcept {
    const char* p = name.data();
    switch (name.size()) {
        case 4: return spelled(p, "Host") || spelled(p, "Date") || spelled(p, "Etag") || spelled(p, "Vary");
        case 6: return spelled(p, "Server") || spelled(p, "Accept") || spelled(p, "Cookie") || spelled(p, "Origin");
        case 7: return spelled(p, "Expires") || spelled(p, "Referer") || spelled(p, "Upgrade");
        case 8: return spelled(p, "Location");
        case 10: return spelled(p, "Connection") || spelled(p, "User-Agent") || spelled(p, "Set-Cookie");
        case 12: return spelled(p, "Content-Type");
        case 13: return spelled(p, "Cache-Control") || spelled(p, "Last-Modified") || spelled(p, "Accept-Ranges") ||
                        spelled(p, "Content-Range") || spelled(p, "Authorization");
        case 14: return spelled(p, "Content-Length");
        case 15: return spelled(p, "Accept-Encoding") || spelled(p, "Accept-Language");
        case 16: return spelled(p, "Content-Encoding");
        case 17: return spelled(p, "Transfer-Encoding") || spelled(p, "If-Modified-Since");
        default: return false;
    }
}

bool valid_value_bytes(const char* p, std::size_t n) noexcept {
    for (std::size_t i = 0; i < n; ++i) {
        unsigned char c = static_cast<unsigned char>(p[i]);
        if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
    }
    return true;
}

}  // namespace

bool is_token(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (unsigned char c : s)
        if (!token_chars[c]) return false;
    return true;
}

bool is_valid_field_value(std::string_view s) noexcept {
    // Eight bytes at a time (the last block overlapping the one before): only a block holding
    // a control character (a tab, usually) is looked at byte by byte. Every response header
    // goes through here.
    const char* p = s.data();
    const std::size_t n = s.size();
    if (n < 8) {
        // Four to seven bytes (a status, a length, "squall"): two overlapping four-byte loads
        // make one word, checked like a long value's blocks.
        if (n < 4) return valid_value_bytes(p, n);
        std::uint32_t head, tail;
        std::memcpy(&head, p, 4);
        std::memcpy(&tail, p + n - 4, 4);
        const std::uint64_t w = head | (std::uint64_t{tail} << 32);
        return !(any_below(w, 0x20) | any_equal(w, 0x7f)) || valid_value_bytes(p, n);
    }
    for (std::size_t i = 0;; i += 8) {
        if (i > n - 8) i = n - 8;
        std::uint64_t w = load8(p + i);
        if ((any_below(w, 0x20) | any_equal(w, 0x7f)) && !valid_value_bytes(p + i, 8)) return false;
        if (i == n - 8) return true;
    }
}

HTTPHeaders::HTTPHeaders(std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
    fields_.reserve(fields.size() + 2);  // room for the framing headers a response gains
    for (const auto& [name, value] : fields) add(name, value);
}

std::string HTTPHeaders::normalize_name(std::string_view name) {
    std::string out(name);
    normalize_in_place(out);
    return out;
}

bool HTTPHeaders::append(std::string_view name, std::string_view value) {
    // One allocation for a typical message's lines rather than a doubling series.
    if (fields_.capacity() == 0) fields_.reserve(8);
    // Built in place: a normalised temporary moved in would copy each short name twice.
    Field& f = fields_.emplace_back(std::piecewise_construct, std::forward_as_tuple(name), std::forward_as_tuple(value));
    return is_common_normalized(name) || normalize_in_place(f.first);
}

void HTTPHeaders::add(std::string_view name, std::string_view value) {
    if (!append(name, value)) names_are_tokens_ = false;
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
    std::string_view value = detail::trim_ows(line.substr(colon + 1));
    if (!is_valid_field_value(value)) throw HTTPInputError("invalid header value");
    // RFC 9112 5.1: no whitespace between name and colon (request smuggling vector).
    if (!append(name, value)) {
        fields_.pop_back();
        throw HTTPInputError("invalid header name");
    }
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
    // Sized once, then filled: appending piece by piece checks the capacity four times a line.
    std::size_t at = out.size();
    out.resize(at + serialized_size());
    char* p = out.data() + at;
    for (const auto& [name, value] : fields_) {
        p = std::copy(name.begin(), name.end(), p);
        *p++ = ':';
        *p++ = ' ';
        p = std::copy(value.begin(), value.end(), p);
        *p++ = '\r';
        *p++ = '\n';
    }
}

}  // namespace squall
