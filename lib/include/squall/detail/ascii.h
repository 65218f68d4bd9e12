// Small ASCII string helpers shared by the http and web sources (HTTP is case-insensitive
// ASCII in names and tokens, whatever the locale). Internal, not part of the API.
#pragma once

#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>

namespace squall::detail {

/// Without leading and trailing spaces and tabs (HTTP's optional whitespace).
inline std::string_view trim_ows(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

constexpr char ascii_lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

inline std::string ascii_lowercase(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = ascii_lower(c);
    return out;
}

inline bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    // Header names are stored normalised and usually looked up in the same spelling: the
    // byte comparison settles most calls without the per-character folding.
    if (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0) return true;
    return std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

}  // namespace squall::detail
