// split_url and urljoin. Internal. RFC 3986 sections 3 and 5.2.
#include "squall/detail/url_parts.h"

#include <charconv>
#include <vector>

#include "squall/detail/ascii.h"

namespace squall::detail {
namespace {

/// RFC 3986 5.2.4: "." and ".." segments removed.
std::string remove_dot_segments(std::string_view path) {
    std::vector<std::string_view> out;
    bool trailing_slash = false;
    std::size_t pos = 0;
    while (pos <= path.size()) {
        std::size_t slash = path.find('/', pos);
        std::string_view seg = path.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
        trailing_slash = false;
        if (seg == "..") {
            if (out.size() > 1) out.pop_back();
            trailing_slash = true;
        } else if (seg == ".") {
            trailing_slash = true;
        } else {
            out.push_back(seg);
        }
        if (slash == std::string_view::npos) break;
        pos = slash + 1;
    }
    std::string result;
    for (std::size_t i = 0; i < out.size(); ++i) {
        if (i) result += '/';
        result += out[i];
    }
    if (trailing_slash && (result.empty() || result.back() != '/')) result += '/';
    if (result.empty() || result.front() != '/') result.insert(result.begin(), '/');
    return result;
}

}  // namespace

std::optional<URLParts> split_url(std::string_view url) {
    URLParts p;
    std::size_t colon = url.find("://");
    if (colon == std::string_view::npos) return std::nullopt;
    p.scheme = ascii_lowercase(url.substr(0, colon));
    if (p.scheme != "http" && p.scheme != "https") return std::nullopt;
    std::string_view rest = url.substr(colon + 3);
    std::size_t end = rest.find_first_of("/?#");
    std::string_view authority = rest.substr(0, end);
    std::string_view tail = end == std::string_view::npos ? std::string_view() : rest.substr(end);
    std::size_t hash = tail.find('#');
    tail = tail.substr(0, hash);
    // Built by push_back and append: GCC 12 -O2 falsely warns (-Wrestrict) on "/" + tail and on = "/".
    if (tail.empty() || tail.front() != '/') p.target.push_back('/');
    p.target.append(tail);
    std::size_t at = authority.rfind('@');
    if (at != std::string_view::npos) {
        p.userinfo = std::string(authority.substr(0, at));
        authority = authority.substr(at + 1);
    }
    p.netloc = std::string(authority);
    std::string_view port;
    if (!authority.empty() && authority.front() == '[') {
        std::size_t close = authority.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        p.host = std::string(authority.substr(1, close - 1));
        std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') return std::nullopt;
            port = after.substr(1);
        }
    } else {
        std::size_t c = authority.rfind(':');
        p.host = std::string(authority.substr(0, c));
        if (c != std::string_view::npos) port = authority.substr(c + 1);
    }
    if (p.host.empty()) return std::nullopt;
    p.port = p.scheme == "https" ? 443 : 80;
    if (!port.empty()) {
        auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p.port);
        if (ec != std::errc() || ptr != port.data() + port.size() || p.port <= 0 || p.port > 65535) return std::nullopt;
    }
    return p;
}

std::string urljoin(std::string_view base, std::string_view ref) {
    if (ref.find("://") != std::string_view::npos && ref.find("://") < ref.find_first_of("/?#"))
        return std::string(ref);  // absolute
    std::size_t scheme_end = base.find("://");
    std::string origin;
    std::string_view after = base;  // a base without scheme and host is a path (a request URI)
    std::size_t path_start = 0;
    if (scheme_end != std::string_view::npos) {
        std::string scheme(base.substr(0, scheme_end));
        if (ref.substr(0, 2) == "//") return scheme + ":" + std::string(ref);
        after = base.substr(scheme_end + 3);
        path_start = after.find_first_of("/?#");
        origin = scheme + "://" + std::string(after.substr(0, path_start));
    } else if (ref.substr(0, 2) == "//") {
        return std::string(ref);
    }
    std::string_view base_path = path_start == std::string_view::npos ? std::string_view("/") : after.substr(path_start);
    base_path = base_path.substr(0, base_path.find_first_of("?#"));
    if (base_path.empty()) base_path = "/";
    if (ref.empty()) return origin + std::string(after.substr(path_start == std::string_view::npos ? after.size() : path_start));
    if (ref.front() == '?' || ref.front() == '#') return origin + std::string(base_path) + std::string(ref);
    std::size_t q = ref.find_first_of("?#");
    std::string_view ref_path = ref.substr(0, q);
    std::string_view ref_tail = q == std::string_view::npos ? std::string_view() : ref.substr(q);
    std::string merged;
    if (ref_path.front() == '/') {
        merged = std::string(ref_path);
    } else {
        merged = std::string(base_path.substr(0, base_path.rfind('/') + 1)) + std::string(ref_path);
    }
    return origin + remove_dot_segments(merged) + std::string(ref_tail);
}

}  // namespace squall::detail

namespace squall {
std::string urljoin(std::string_view base, std::string_view ref) { return detail::urljoin(base, ref); }
}  // namespace squall
