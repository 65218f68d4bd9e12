// HTTPHeaders: storage, lookup and parsing of header lines. Internal. Models
// tornado/httputil.py (4.0) HTTPHeaders and _normalized_headers.
#include "squall/http_headers.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <functional>
#include <span>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "squall/detail/ascii.h"

namespace squall {

using detail::iequals;

static_assert(std::forward_iterator<HTTPHeaders::const_iterator>);

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
bool normalize_in_place(char* name, std::size_t size) noexcept {
    bool word_start = true;
    bool token = size != 0;
    for (char& c : std::span(name, size)) {
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
#if defined(__SSE2__)
    if (n >= 16) {
        // Sixteen bytes at a time where SSE2 is there (every x86-64): ETags, dates, media
        // types. Signed compares, so the bytes are shifted by 0x80 to compare them unsigned.
        const __m128i bias = _mm_set1_epi8(static_cast<char>(0x80));
        const __m128i below_space = _mm_set1_epi8(static_cast<char>(0x20 ^ 0x80));
        const __m128i del = _mm_set1_epi8(0x7f), tab = _mm_set1_epi8('\t');
        for (std::size_t i = 0;; i += 16) {
            if (i > n - 16) i = n - 16;
            const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
            __m128i bad = _mm_cmplt_epi8(_mm_xor_si128(v, bias), below_space);
            bad = _mm_or_si128(_mm_andnot_si128(_mm_cmpeq_epi8(v, tab), bad), _mm_cmpeq_epi8(v, del));
            if (_mm_movemask_epi8(bad) != 0) return false;
            if (i == n - 16) return true;
        }
    }
#endif
    for (std::size_t i = 0;; i += 8) {
        if (i > n - 8) i = n - 8;
        std::uint64_t w = load8(p + i);
        if ((any_below(w, 0x20) | any_equal(w, 0x7f)) && !valid_value_bytes(p + i, 8)) return false;
        if (i == n - 8) return true;
    }
}

HTTPHeaders::HTTPHeaders(std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
    std::size_t n = 64;  // room for the framing headers a response gains
    for (const auto& [name, value] : fields) n += name.size() + value.size() + 4;
    room_for(n);
    for (const auto& [name, value] : fields) add(name, value);
}

HTTPHeaders::HTTPHeaders(const HTTPHeaders& other)
    : spill_(other.spill_),
      count_(other.count_),
      spilled_(other.spilled_),
      names_are_tokens_(other.names_are_tokens_) {
    copy_inline(other);
    room_for(other.size_);
    if (other.size_ > 0) std::memcpy(text_, other.text_, other.size_);
    size_ = other.size_;
}

HTTPHeaders& HTTPHeaders::operator=(const HTTPHeaders& other) {
    if (this != &other) *this = HTTPHeaders(other);
    return *this;
}

HTTPHeaders& HTTPHeaders::operator=(HTTPHeaders&& other) noexcept {
    if (this != &other) {
        release();
        take(other);
    }
    return *this;
}

std::string HTTPHeaders::normalize_name(std::string_view name) {
    std::string out(name);
    normalize_in_place(out.data(), out.size());
    return out;
}

void HTTPHeaders::spill(Entry e) {
    if (!spilled_) {
        spill_.assign(inline_.begin(), inline_.end());
        spilled_ = true;
    }
    spill_.push_back(e);
    ++count_;
}

void HTTPHeaders::pop_entry() noexcept {
    --count_;
    if (spilled_) spill_.pop_back();
}

bool HTTPHeaders::holds(std::string_view s) const noexcept {
    const std::less<const char*> before;
    return text_ && !s.empty() && !before(s.data(), text_) && before(s.data(), text_ + capacity_);
}

bool HTTPHeaders::append(std::string_view name, std::string_view value) {
    const std::size_t at = size_;
    const std::size_t line = name.size() + value.size() + 4;
    if (size_ + line > capacity_ && (holds(name) || holds(value))) {
        // A view into these very headers (h.add("X-Old", *h.find("X"))): copied before the
        // buffer moves.
        const std::string name_copy(name), value_copy(value);
        return append(name_copy, value_copy);
    }
    room_for(line);
    size_ += line;
    char* p = text_ + at;
    // An empty view may have a null data(), which memcpy must not see even for zero bytes.
    if (!name.empty()) std::memcpy(p, name.data(), name.size());
    p += name.size();
    *p++ = ':';
    *p++ = ' ';
    if (!value.empty()) std::memcpy(p, value.data(), value.size());
    p += value.size();
    *p++ = '\r';
    *p = '\n';
    push_entry({static_cast<std::uint32_t>(at), static_cast<std::uint32_t>(name.size()),
                static_cast<std::uint32_t>(value.size())});
    return is_common_normalized(name) || normalize_in_place(text_ + at, name.size());
}

void HTTPHeaders::add(std::string_view name, std::string_view value) {
    if (!append(name, value)) names_are_tokens_ = false;
}

void HTTPHeaders::set(std::string_view name, std::string_view value) {
    if (holds(name) || holds(value)) {
        // A view into these headers: erase() moves lines, so it is copied first.
        const std::string name_copy(name), value_copy(value);
        return set(name_copy, value_copy);
    }
    erase(name);
    add(name, value);
}

std::size_t HTTPHeaders::erase(std::string_view name) {
    if (holds(name)) {
        // A view into these headers: the lines move under it as they are erased.
        const std::string name_copy(name);
        return erase(name_copy);
    }
    // Lines after a removed one move up over it; their entries follow.
    Entry* e = entries();
    std::uint32_t kept = 0, removed = 0;
    std::size_t write = 0;
    for (std::uint32_t i = 0; i < count_; ++i) {
        const std::size_t line = e[i].name_size + e[i].value_size + 4;
        if (iequals(std::string_view(text_ + e[i].at, e[i].name_size), name)) {
            ++removed;
            continue;
        }
        if (write != e[i].at) std::memmove(text_ + write, text_ + e[i].at, line);
        e[kept] = e[i];
        e[kept].at = static_cast<std::uint32_t>(write);
        ++kept;
        write += line;
    }
    if (removed == 0) return 0;
    size_ = write;
    count_ = kept;
    if (spilled_) spill_.resize(kept);
    return removed;
}

std::optional<std::string_view> HTTPHeaders::find(std::string_view name) const noexcept {
    const Entry* e = entries();
    for (std::uint32_t i = 0; i < count_; ++i) {
        auto [field, value] = view(e[i]);
        if (iequals(field, name)) return value;
    }
    return std::nullopt;
}

std::string HTTPHeaders::get(std::string_view name, std::string_view fallback) const {
    std::string out;
    bool found = false;
    for (const auto& [field, value] : *this) {
        if (!iequals(field, name)) continue;
        if (found) out += ',';
        out += value;
        found = true;
    }
    return found ? out : std::string(fallback);
}

std::vector<std::string> HTTPHeaders::get_list(std::string_view name) const {
    std::vector<std::string> out;
    for (const auto& [field, value] : *this)
        if (iequals(field, name)) out.emplace_back(value);
    return out;
}

std::size_t HTTPHeaders::count(std::string_view name) const noexcept {
    std::size_t n = 0;
    for (const auto& [field, value] : *this) n += iequals(field, name);
    return n;
}

std::vector<HTTPHeaders::Field> HTTPHeaders::get_all() const {
    std::vector<Field> out;
    out.reserve(count_);
    for (const auto& [name, value] : *this) out.emplace_back(name, value);
    return out;
}

void HTTPHeaders::parse_line(std::string_view line) {
    if (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
        if (count_ == 0) throw HTTPInputError("first header line cannot start with whitespace");
        std::string_view more = detail::trim_ows(line);
        if (!is_valid_field_value(more)) throw HTTPInputError("invalid header value");
        if (!more.empty()) {
            // The last line grows in place: its CRLF moves after the added text.
            Entry& last = entries()[count_ - 1];
            room_for(more.size() + 1);
            char* p = text_ + size_ - 2;  // over the CRLF
            *p++ = ' ';
            std::memcpy(p, more.data(), more.size());
            p += more.size();
            *p++ = '\r';
            *p = '\n';
            size_ += more.size() + 1;
            last.value_size += static_cast<std::uint32_t>(more.size() + 1);
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
        size_ = entries()[count_ - 1].at;
        pop_entry();
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

void HTTPHeaders::serialize(std::string& out) const {
    if (size_ > 0) out.append(text_, size_);
}

void HTTPHeaders::grow(std::size_t more) {
    if (size_ + more > UINT32_MAX) throw std::length_error("header block too large");
    // One allocation for a typical message's lines rather than a doubling series.
    const std::size_t capacity = std::max<std::size_t>(256, 2 * (size_ + more));
    char* bigger = static_cast<char*>(detail::recycled_allocate(capacity));
    if (size_ > 0) std::memcpy(bigger, text_, size_);
    release();
    text_ = bigger;
    capacity_ = capacity;
}

}  // namespace squall
