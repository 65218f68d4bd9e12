// Absolute http(s) URLs split into what a client needs, and relative references resolved
// against them (RFC 3986 section 5). Internal, shared by the HTTP and WebSocket clients; plays
// the part of urllib.parse in tornado/simple_httpclient.py.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace squall::detail {

struct URLParts {
    std::string scheme;    // "http" or "https", lower case
    std::string userinfo;  // "user:password", percent-encoded as in the URL
    std::string host;      // without brackets for IPv6
    int port = 0;          // explicit or the scheme's default
    std::string netloc;    // host[:port] as written, without userinfo (the Host header)
    std::string target;    // path and query, "/" at least, without the fragment
};

/// nullopt for anything but an absolute http or https URL with a host and a valid port.
std::optional<URLParts> split_url(std::string_view url);

/// `ref` resolved against the absolute URL `base`.
std::string urljoin(std::string_view base, std::string_view ref);

}  // namespace squall::detail
