// Request bodies as arguments and files: application/x-www-form-urlencoded and
// multipart/form-data. Internal. Models tornado/httputil.py (4.0) parse_body_arguments,
// parse_multipart_form_data and _parse_header, raising (as 5.x does) instead of logging.
#include <map>

#include "squall/httputil.h"
#include "squall/detail/ascii.h"

namespace squall {
namespace {

bool istarts_with(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
        if (c != prefix[i]) return false;
    }
    return true;
}

/// `value; key=value; key="quoted \"value\""`: the main value and the parameters (names in
/// lower case). RFC 2231's key*=UTF-8''percent-encoded form is decoded into `key`.
std::pair<std::string, std::map<std::string, std::string>> parse_header(std::string_view header) {
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
            std::size_t q = value.find("''");  // charset'language'percent-encoded
            if (q != std::string::npos) value = url_unescape(std::string_view(value).substr(q + 2), false);
        }
        out.second[name] = std::move(value);
    }
    return out;
}

}  // namespace

void parse_body_arguments(std::string_view content_type, std::string_view body, ArgumentMap& arguments,
                          FileMap& files, const HTTPHeaders* headers, const FormLimits& limits) {
    if (headers) {
        if (auto encoding = headers->find("Content-Encoding"))
            throw HTTPInputError("Unsupported Content-Encoding: " + std::string(*encoding));
    }
    if (istarts_with(content_type, "application/x-www-form-urlencoded")) {
        for (auto& [name, values] : parse_qs(body, limits.max_fields)) {
            auto& dest = arguments[name];
            dest.insert(dest.end(), std::make_move_iterator(values.begin()), std::make_move_iterator(values.end()));
        }
    } else if (istarts_with(content_type, "multipart/form-data")) {
        auto [type, params] = parse_header(content_type);
        auto it = params.find("boundary");
        if (it == params.end() || it->second.empty())
            throw HTTPInputError("Invalid multipart/form-data: no boundary");
        parse_multipart_form_data(it->second, body, arguments, files, limits);
    }
}

void parse_multipart_form_data(std::string_view boundary, std::string_view data, ArgumentMap& arguments,
                               FileMap& files, const FormLimits& limits) {
    // Quotes are allowed around a boundary, but not part of it (RFC 2046 5.1.1).
    if (boundary.size() >= 2 && boundary.front() == '"' && boundary.back() == '"')
        boundary = boundary.substr(1, boundary.size() - 2);
    if (boundary.empty() || boundary.size() > 70) throw HTTPInputError("Invalid multipart/form-data: bad boundary");
    std::string final_boundary = "--" + std::string(boundary) + "--";
    std::size_t end = data.rfind(final_boundary);
    if (end == std::string_view::npos) throw HTTPInputError("Invalid multipart/form-data: no final boundary");
    std::string separator = "--" + std::string(boundary) + "\r\n";
    std::string_view rest = data.substr(0, end);
    std::size_t pos = rest.find(separator);
    if (pos == std::string_view::npos) {
        if (detail::trim_ows(rest).empty()) return;  // a form with no fields
        throw HTTPInputError("Invalid multipart/form-data: no first boundary");
    }
    rest = rest.substr(pos + separator.size());
    std::size_t fields = 0, file_parts = 0;
    while (!rest.empty()) {
        std::size_t next = rest.find(separator);
        std::string_view part = rest.substr(0, next);
        rest = next == std::string_view::npos ? std::string_view() : rest.substr(next + separator.size());
        std::size_t eoh = part.substr(0, limits.max_part_header_size + 4).find("\r\n\r\n");
        if (eoh == std::string_view::npos) {
            if (part.size() >= limits.max_part_header_size + 4)
                throw HTTPInputError("multipart/form-data part headers too large");
            throw HTTPInputError("multipart/form-data missing headers");
        }
        HTTPHeaders headers = HTTPHeaders::parse(part.substr(0, eoh));
        auto [disposition, params] = parse_header(headers.get("Content-Disposition"));
        if (disposition != "form-data" || part.size() < eoh + 6 || part.substr(part.size() - 2) != "\r\n")
            throw HTTPInputError("Invalid multipart/form-data");
        std::string_view value = part.substr(eoh + 4, part.size() - eoh - 6);
        auto name = params.find("name");
        if (name == params.end()) throw HTTPInputError("multipart/form-data value missing name");
        auto filename = params.find("filename");
        const bool is_file = filename != params.end();
        if (is_file ? ++file_parts > limits.max_files : ++fields > limits.max_fields)
            throw HTTPInputError(is_file ? "too many files in multipart/form-data (the limit is " +
                                               std::to_string(limits.max_files) + ")"
                                         : "too many form fields (the limit is " + std::to_string(limits.max_fields) + ")");
        if (is_file) {
            files[name->second].push_back(
                {filename->second, std::string(value), headers.get("Content-Type", "application/unknown")});
        } else {
            arguments[name->second].emplace_back(value);
        }
    }
}

}  // namespace squall
