// Header values with parameters, read for the form parsers. Internal. Models
// tornado/httputil.py _parse_header.
#include "header_params.h"

#include <algorithm>
#include <vector>

#include "squall/httputil.h"
#include "squall/detail/ascii.h"

namespace squall::detail {

bool istarts_with(std::string_view s, std::string_view prefix) noexcept {
    return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

std::pair<std::string, std::map<std::string, std::string>> parse_header_params(std::string_view header) {
    std::vector<std::string_view> pieces;
    std::size_t start = 0;
    bool quoted = false;
    for (std::size_t i = 0; i < header.size(); ++i) {
        char c = header[i];
        if (quoted && c == '\\') {
            ++i;
        } else if (c == '"') {
            quoted = !quoted;
        } else if (c == ';' && !quoted) {
            pieces.push_back(header.substr(start, i - start));
            start = i + 1;
        }
    }
    pieces.push_back(header.substr(start));
    std::pair<std::string, std::map<std::string, std::string>> out;
    std::vector<std::string> extended;  // names given in the key*= form, which win (RFC 6266 4.3)
    out.first = detail::ascii_lowercase(detail::trim_ows(pieces.front()));
    for (std::size_t i = 1; i < pieces.size(); ++i) {
        std::string_view p = detail::trim_ows(pieces[i]);
        std::size_t eq = p.find('=');
        if (eq == std::string_view::npos) continue;
        std::string name = detail::ascii_lowercase(detail::trim_ows(p.substr(0, eq)));
        std::string_view raw = detail::trim_ows(p.substr(eq + 1));
        std::string value;
        if (raw.size() >= 2 && raw.front() == '"' && raw.back() == '"') {
            raw = raw.substr(1, raw.size() - 2);
            for (std::size_t j = 0; j < raw.size(); ++j) {
                if (raw[j] == '\\' && j + 1 < raw.size() && (raw[j + 1] == '\\' || raw[j + 1] == '"')) ++j;
                value += raw[j];
            }
        } else {
            value = std::string(raw);
        }
        if (!name.empty() && name.back() == '*') {
            name.pop_back();
            // charset'language'percent-encoded; the language may be empty or not.
            std::size_t first = value.find('\'');
            std::size_t second = first == std::string::npos ? first : value.find('\'', first + 1);
            if (second != std::string::npos) value = url_unescape(std::string_view(value).substr(second + 1), false);
            extended.push_back(name);
        } else if (std::find(extended.begin(), extended.end(), name) != extended.end()) {
            continue;
        }
        out.second[name] = std::move(value);
    }
    return out;
}

}  // namespace squall::detail
